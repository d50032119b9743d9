"""`python -m solnet.core.messages_check`: English and Spanish are complete.

Fails when a translatable string of the project is missing from the Spanish catalogue, when an
entry is untranslated or fuzzy, or when the compiled catalogue is out of date.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "solnet"
LANGUAGES = ["es"]


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


def main() -> int:
    problems = [p for language in LANGUAGES for p in check(language)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"Translations complete: {', '.join(['en', *LANGUAGES])}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
