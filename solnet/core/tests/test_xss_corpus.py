"""Stored XSS (SECURITY.md I-4): a corpus of payloads in every user-writable text field, then
every page, as every persona who may see it, parsed for executable markup that came from a
payload. Also: every such page carries a CSP without `unsafe-inline`.

The payloads are written straight into the rows the authorization matrix's objects made
(`conftest.objects`), every text field of every row: stricter than going through the forms,
which may refuse some of them, since what is tested is that whatever is stored comes out
inert. Each field gets its own number N, written into its payload as `xss(N)`, so a finding
names the field. A field long enough takes the whole corpus in one string; a shorter one the
longest single payload that fits (`PAYLOADS`, most telling first). An import's CSV file (whose
samples reach a help text rendered `|safe`) carries the corpus too.

Executable markup is: a <script> element whose code holds a payload's mark, any `on…`
attribute (the templates have none: a test checks), any `hx-on…` attribute (htmx runs it),
any URL attribute with the `javascript:` scheme, and template syntax that was evaluated
(`TPL{{7*7}}` coming out as `TPL49`).
"""

from __future__ import annotations

import datetime
import re
import time
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from conftest import PERSONA_NAMES, sign_in
from solnet.core.tests.test_authorization_matrix import PAGES, A

# Most telling first; `{n}` is the field's number.
PAYLOADS = [
    "'\"><script>xss({n})</script><img src=x onerror=xss({n})><svg onload=xss({n})>"
    '<a href="javascript:xss({n})">l{n}</a><a href=javascript:xss({n})>m</a>'
    '<div hx-on:click=xss({n})>h</div><iframe srcdoc="<script>xss({n})</script>"></iframe>'
    "\" onmouseover=xss({n}) x=\"' onfocus=xss({n}) autofocus x='"
    "[c](javascript:xss({n})) TPL{{{{7*7}}}} {{% now 'Y' %}} xss({n})",
    '"><script>xss({n})</script><svg onload=xss({n})>',
    '"><svg onload=xss({n})>',
    "<svg onload=xss({n})>",
    "javascript:xss({n})",
    "<b>xss({n})",
    "xss({n})",
]
MARK = re.compile(r"xss\((\d+)\)")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
# Text fields that hold no one's words: ids, secrets, digests, keys, file places, and the
# sign-in name allauth checks on every request.
SKIPPED_NAMES = re.compile(
    r"(^|_)(id|ids|public_id|token|digest|secret|hash|key|nonce|password|path|storage|"
    r"username|language|languages|timezone|builtin|sid|mime|content_type|sha256|checksum|"
    r"blind|index|number|slug|code|kind|status|scope|iv|wrapped|salt|prefix|host|actor)($|_)"
)


# Written by the machine, never typed by anyone (audit entries, sealed envelopes, an import's
# working data, a ballot's sealed choice, a gateway's reference): their shape is the code's.
MACHINE = {
    "funds.Entry.decision",  # a proposal's or a draw's public id
    "core.DataKey.purpose",
    "core.AuditEvent.action",
    "core.AuditEvent.target",
    "core.AuditEvent.seal",
    "core.ApprovalRequest.action",
    "core.ApprovalRequest.decision_ref",
    "core.SealedFile.purpose",
    "people.PersonImport.preset",
    "people.PersonImport.findings",
    "people.PersonImport.fixes",
    "people.PersonImport.failure",
    "people.PersonImportChunk.rows",
    "people.PersonImportChunk.checked",
    "people.PersonFlag.field",
    "people.PersonFlag.problem",
    "councils.Assessment.level",  # a number from 1 to 5 chosen in a form, kept encrypted
    "democracy.Ballot.choice",
    "democracy.Ballot.sealed",
    "democracy.Effect.failure",
    "fights.FightDecision.proposal_ref",
    "mobilize.Delivery.sender",
    "mobilize.Delivery.provider_ref",
    "defense.Hotline.address",  # a random token SolNet makes, part of a URL
}


def text_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every free-text field of SolNet's models: CharField and TextField (URLs included)
    without choices, but for the kinds of value no person writes (SKIPPED_NAMES)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("solnet.") or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField)) or f.choices:
                continue
            if isinstance(f, (models.EmailField, models.SlugField, models.GenericIPAddressField)):
                continue
            if SKIPPED_NAMES.search(f.name) or f.primary_key or f.unique:
                continue
            if f"{model._meta.label}.{f.name}" in MACHINE:
                continue
            found.append((model, f))
    return found


def _post_entry(**texts: str) -> None:
    """An entry of the general money carrying the payload: the ledger's rows are written once
    and never updated (the database refuses it), so the payload goes into a new one."""
    from solnet.funds import ledger

    ledger.post_entry(
        kind="other",
        date=datetime.date.today(),
        lines=[
            ledger.Line(ledger.standard_account("Assets:Cash"), 100),
            ledger.Line(ledger.standard_account("Income:Events"), -100),
        ],
        **texts,
    )


def _unique_with_others(model, name: str) -> bool:
    together = [c.fields for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    together += list(model._meta.unique_together)
    return any(name in fields for fields in together)


def payload_for(n: int, max_length: int | None) -> str | None:
    for template in PAYLOADS:
        text = template.format(n=n)
        if max_length is None or len(text) <= max_length:
            return text
    return None


def plant(fields) -> tuple[dict[int, str], int, list[str], list[str]]:
    """Writes each field's payload into every row; returns {N: "app.Model.field"}, how many
    took the whole corpus, the fields too short for any payload and those with no row."""
    names, whole, too_short, no_rows = {}, 0, [], []
    for n, (model, f) in enumerate(fields, start=1):
        label = f"{model._meta.label}.{f.name}"
        text = payload_for(n, f.max_length if isinstance(f, models.CharField) else None)
        if text is None:
            too_short.append(label)
            continue
        whole += text == PAYLOADS[0].format(n=n)
        names[n] = label
        # Through the field's own preparation: encrypted fields are stored encrypted. A field
        # that is unique together with others (a committee's name in its council) takes the
        # payload in its first row only.
        if model._meta.label == "funds.Entry":
            _post_entry(**{f.attname: text})  # the ledger is never updated: a new entry
            continue
        rows = model._base_manager.all()
        if _unique_with_others(model, f.name):
            rows = rows.filter(pk=rows.order_by("pk").values("pk")[:1])
        if not rows.update(**{f.attname: text}):
            no_rows.append(label)
    return names, whole, too_short, no_rows


class Executable(HTMLParser):
    """Collects executable markup that carries a payload's mark (or any inline handler)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            handler = name.startswith(("on", "hx-on", "data-hx-on"))
            script_url = value.strip().lower().startswith("javascript:")
            if handler or (name in URL_ATTRIBUTES and script_url):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "srcdoc" and "<script" in value.lower():
                self.found.append(f"<{tag} srcdoc>")
        if tag == "script":
            # A data block (`json_script`) is never run; breaking out of it would show as a
            # script element of its own.
            kind = dict(attrs).get("type") or ""
            self._in_script = kind.lower() not in ("application/json", "application/ld+json")
            self._script = ""

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._in_script:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            self._in_script = False
            if MARK.search(self._script):
                self.found.append(f"<script>{self._script[:60]!r}")


def executable_markup(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    parser.close()
    found = parser.found
    if "TPL49" in html:
        found.append("evaluated template syntax (TPL49)")
    return found


def test_the_detector_finds_what_an_unescaped_payload_makes():
    from django.utils.html import escape

    page = '<html><body><p>{}</p><input value="{}"></body></html>'
    raw = PAYLOADS[0].format(n=5)
    assert executable_markup(page.format(escape(raw), escape(raw))) == []
    found = executable_markup(page.format(raw, "x"))
    assert any(f.startswith("<script>") for f in found)
    assert any("onerror" in f for f in found) and any("javascript:" in f for f in found)
    assert any("hx-on" in f for f in found)
    assert executable_markup(page.format("x", '" onmouseover=xss(5) x="'))
    assert executable_markup("TPL49") and not executable_markup(escape("TPL{{7*7}}"))


def _csp_ok(response) -> bool:
    csp = response.headers.get("Content-Security-Policy", "")
    return bool(csp) and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def _payload_import(objects):
    """The organizer persona's import, of a file whose header and cells are the corpus."""
    from solnet.people.tests.importing import checked, upload

    corpus = PAYLOADS[0].format(n=0).replace('"', '""')
    text = f'Name,"{corpus}"\n"{corpus}","{corpus}"\nAna,"<svg onload=xss(0)>"\n'
    organizer = objects["personas"]["organizer"].member
    objects["person_import"] = checked(upload(text, by=organizer), by=organizer)
    from solnet.people.models import Person

    objects["merge_other"] = Person.objects.create(display_name="Neighbour Twin")


# Posts of the matrix that make rows the objects lack (a section, an assessment, a target's
# link and pressure point, a response, a delegate's vote), made as their first allowed persona.
MAKERS = [
    "councils:section_add",
    "councils:membership_assess",
    "fights:target_link",
    "fights:pressure_add",
    "fights:response_add",
    "democracy:delegate_report",
]


def _make_missing_rows(personas, objects) -> list[str]:
    from solnet.people.tests.importing import flag_kwargs

    flag_kwargs(objects)
    failed = []
    for name in MAKERS:
        row = PAGES[name]
        persona = next(p for p in PERSONA_NAMES if row.expect[p] == A)
        client = sign_in(Client(), personas[persona].member)
        response = client.post(reverse(name, kwargs=row.kwargs(objects)), row.data(objects))
        if response.status_code != 302:
            failed.append(f"{name}: {response.status_code}")
    return failed


@pytest.mark.verify
@pytest.mark.django_db
def test_no_payload_comes_out_executable(personas, objects, figures):
    started = time.monotonic()
    _payload_import(objects)
    assert _make_missing_rows(personas, objects) == []
    # The pages' addresses first: some rows make their objects lazily.
    paths = {
        name: reverse(name, kwargs=row.kwargs(objects))
        for name, row in PAGES.items()
        if row.method == "get"
    }
    fields = text_fields()
    names, whole, too_short, no_rows = plant(fields)
    clients = {}
    for persona in PERSONA_NAMES:
        clients[persona] = Client(raise_request_exception=False)
        if personas[persona].member is not None:
            sign_in(clients[persona], personas[persona].member)

    executable: dict[str, list[str]] = {}
    shown: dict[int, set[str]] = defaultdict(set)
    pages, broken, no_csp = 0, [], []
    for name, path in paths.items():
        row = PAGES[name]
        for persona in PERSONA_NAMES:
            if row.expect[persona] != A:
                continue
            response = clients[persona].get(path)
            if response.status_code >= 500:
                broken.append(f"{name} as {persona}: {response.status_code}")
                continue
            if "html" not in response.headers.get("Content-Type", ""):
                continue
            pages += 1
            if not _csp_ok(response):
                no_csp.append(f"{name} as {persona}")
            html = response.content.decode()
            for n in {int(m) for m in MARK.findall(html)}:
                shown[n].add(name)
            found = executable_markup(html)
            if found:
                executable[f"{name} as {persona}"] = found
    pairs = sum(len(v) for v in shown.values())
    figures(
        "I-4",
        len(executable),
        unit="pages with executable markup",
        target="0",
        ok=not executable,
    )
    figures(
        "I-4.fields_x_pages",
        pairs,
        unit="field x page pairs shown",
        target=f"{len(shown)} of {len(names)} fields shown, on {pages} pages",
        ok=bool(pairs),
    )
    figures("I-4.csp_missing", len(no_csp), unit="pages", target="0", ok=not no_csp)
    unshown = sorted(names[n] for n in names if n not in shown and names[n] not in no_rows)
    print(
        f"I-4: {len(names)} fields planted ({whole} with the whole corpus), {len(shown)} shown, "
        f"{pairs} field x page pairs, {pages} pages in {time.monotonic() - started:.1f} s"
    )
    print("never shown:", ", ".join(unshown))
    print("no row to plant in:", ", ".join(no_rows))
    print("too short for a payload:", ", ".join(too_short))
    assert executable == {}, "\n".join(f"{k}: {v}" for k, v in executable.items())
    assert no_csp == []
    assert broken == []
