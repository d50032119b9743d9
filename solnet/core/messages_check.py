"""`python -m solnet.core.messages_check`: English and Spanish are complete.

Fails when a translatable string of the project is missing from the Spanish catalogue, when an
entry is untranslated or fuzzy, or when the compiled catalogue is out of date.

The same goes for the catalogue of allauth's strings in "tú" (solnet/locale_allauth), which
must also never say "usted" and hold only strings allauth still has.
"""

from __future__ import annotations

import ast
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "solnet"
LANGUAGES = ["es"]
# allauth's strings on SolNet's pages, in "tú": allauth's own Spanish says "usted".
OVERRIDES = PACKAGE / "locale_allauth"

# Formal address in Spanish: "usted" and its possessives, the formal imperatives of allauth's
# Spanish, and a usted-form verb opening a sentence or a question ("¿Está seguro?", "Debe
# escribir", "No puede"). Strict on purpose: a third-person "su" is refused too (write "de la
# llave", not "su nombre"), as are "está", "ha", "puede" opening a sentence.
FORMAL = re.compile(
    r"\b(usted(?:es)?|su|sus|suy[oa]s?)\b"
    r"|\b(ingrese|introduzca|introdúzcal[oa]|haga|seleccione|escriba|confirme|elija|vuelva"
    r"|utilice|use|inicie|proporcione|póngase|compruebe|escanee|guarde|añada|agregue|elimine"
    r"|inténtelo|asegúrese|verifique|desea|desee)\b"
    r"|(?:^|[¿¡.:]\s*)((?:no\s+)?(?:ha|debe|puede|está|tiene))\b",
    re.IGNORECASE,
)
_FIELD = re.compile(
    r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+((?:"(?:[^"\\\n]|\\.)*"[ \t]*\n?)+)',
    re.MULTILINE,
)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603


def check(language: str) -> list[str]:
    problems = []
    po = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        return [f"{po.relative_to(ROOT)} is missing"]
    with tempfile.TemporaryDirectory() as tmp:
        # Collect the strings afresh from a copy, so the check changes nothing in the tree.
        copy = Path(tmp) / "solnet"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
        result = _run(
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            language,
            "--no-location",
            "--no-obsolete",
            cwd=copy,
        )
        if result.returncode:
            return [f"makemessages failed: {result.stderr.strip()}"]
        fresh = copy / "locale" / language / "LC_MESSAGES" / "django.po"
        missing = _run("msgcmp", "--use-untranslated", str(po), str(fresh))
        if missing.returncode:
            problems.append("strings missing from the catalogue:\n" + missing.stderr.strip())
        stats = _run("msgfmt", "--check", "--statistics", "-o", str(Path(tmp) / "c.mo"), str(po))
        if stats.returncode:
            problems.append(stats.stderr.strip())
        elif "untranslated" in stats.stderr or "fuzzy" in stats.stderr:
            problems.append(f"{language}: {stats.stderr.strip()}")
        if not mo.exists() or not filecmp.cmp(mo, Path(tmp) / "c.mo", shallow=False):
            problems.append(f"{mo.relative_to(ROOT)} is out of date: run `make messages`")
    return problems


def formal_words(text: str) -> list[str]:
    """The words of `text` that address the reader as "usted"."""
    return [match.group(match.lastindex or 0) for match in FORMAL.finditer(text)]


def entries(po: Path) -> list[dict[str, str]]:
    """The entries of a .po file, header first, each as {"msgid": …, "msgstr": …} (with
    "msgctxt", "msgid_plural", "msgstr[n]" where it has them); obsolete entries are left out."""
    found: list[dict[str, str]] = []
    previous = None
    for match in _FIELD.finditer(po.read_text(encoding="utf-8")):
        field = match.group(1)
        text = "".join(ast.literal_eval(part) for part in _STRING.findall(match.group(2)))
        if field == "msgctxt" or (field == "msgid" and previous != "msgctxt"):
            found.append({})
        found[-1][field] = text
        previous = field
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_override(po: Path, upstream: Path | None = None) -> list[str]:
    """A catalogue overriding another app's (`upstream`, whose msgids it must keep to) is
    complete, compiled, and says "tú"."""
    if not po.exists():
        return [f"{_shown(po)} is missing"]
    problems = []
    mo = po.with_suffix(".mo")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "c.mo"
        stats = _run("msgfmt", "--check", "--statistics", "-o", str(fresh), str(po))
        if stats.returncode:
            problems.append(stats.stderr.strip())
        else:
            if "untranslated" in stats.stderr or "fuzzy" in stats.stderr:
                problems.append(f"{_shown(po)}: {stats.stderr.strip()}")
            if not mo.exists() or not filecmp.cmp(mo, fresh, shallow=False):
                problems.append(f"{_shown(mo)} is out of date: run `make messages`")
    if upstream is not None and not upstream.exists():
        problems.append(f"{_shown(upstream)} is missing: cannot compare {_shown(po)} with it")
    elif upstream is not None:
        # A msgid the app no longer has overrides nothing: its new string shows in "usted".
        gone = _run("msgcmp", "--use-untranslated", str(upstream), str(po))
        if gone.returncode:
            lines = [line for line in gone.stderr.splitlines() if "not defined" in line]
            problems.append(
                f"{_shown(po)}: strings {_shown(upstream)} does not have:\n" + "\n".join(lines)
            )
    for entry in entries(po):
        if not entry.get("msgid"):
            continue  # the header
        for field, text in entry.items():
            if field.startswith("msgstr") and (words := formal_words(text)):
                problems.append(
                    f'{_shown(po)}: "usted" ({", ".join(words)}) in the translation of '
                    f'"{entry["msgid"]}": {text}'
                )
    return problems


def check_allauth(language: str) -> list[str]:
    import allauth

    upstream = Path(allauth.__file__).parent / "locale" / language / "LC_MESSAGES" / "django.po"
    po = OVERRIDES / language / "LC_MESSAGES" / "django.po"
    return check_override(po, upstream)


def main() -> int:
    problems = [p for language in LANGUAGES for p in (*check(language), *check_allauth(language))]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"Translations complete: {', '.join(['en', *LANGUAGES])}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
