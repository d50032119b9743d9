"""Demand letters: a first draft from the network's template in the letter's language, versions
the team edits, and the PDF with the network's letterhead (WeasyPrint).

The draft is plain text with the demands listed; the PDF escapes it (Django templates) and keeps
its paragraphs. Nothing is fetched while rendering: the letterhead is text and the fonts are the
machine's own.

A demand is printed in the letter as it was written. In a letter in another language the team
translates it in the letter; until it does, `still_as_written` finds it there and the page
says so.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, translation

from solnet.fights.models import Demand, DemandKind, Fight
from solnet.network.models import Network

STYLE = Path(__file__).with_name("letter.css")

DRAFTS = {
    "en": (
        "To {targets},\n\n"
        "We are {network}, a network of workers and tenants who stand together. "
        "{subjects} brought us a problem with you, and we have decided together to see it "
        "put right.\n\n"
        "We demand:\n{demands}\n\n"
        "We expect an answer by {deadline}. If these demands are not met by then, we will "
        "take further action, together.\n\n"
        "{network}\n{place}"
    ),
    "es": (
        "A {targets}:\n\n"
        "Somos {network}, una red de trabajadoras, trabajadores e inquilinos que nos "
        "apoyamos. {subjects} nos ha traído un problema con ustedes, y hemos decidido "
        "juntos que se resuelva.\n\n"
        "Exigimos:\n{demands}\n\n"
        "Esperamos su respuesta antes del {deadline}. Si para entonces no se cumplen estas "
        "exigencias, seguiremos actuando, juntos.\n\n"
        "{network}\n{place}"
    ),
}
NO_RETALIATION = {
    "en": "No retaliation of any kind against {subjects} or anyone who supported them.",
    "es": "Ninguna represalia de ningún tipo contra {subjects} ni contra quien les apoye.",
}


def draft(fight: Fight, language: str) -> str:
    """A first letter in `language` from the fight's targets, subjects, demands and deadline."""
    network = Network.objects.current()
    template = DRAFTS.get(language, DRAFTS["en"])
    subjects = ", ".join(
        [str(s.person) for s in fight.subjects.select_related("person")]
        + ([str(fight.subject_council)] if fight.subject_council else [])
    )
    with translation.override(language):
        deadline = formats.date_format(fight.deadline, "DATE_FORMAT") if fight.deadline else "…"
        lines = []
        for demand in fight.demands.all():
            text = demand.text
            if demand.kind == DemandKind.NO_RETALIATION and not text:
                text = NO_RETALIATION.get(language, NO_RETALIATION["en"]).format(
                    subjects=subjects or "…"
                )
            if demand.due_on:
                text += f" ({formats.date_format(demand.due_on, 'DATE_FORMAT')})"
            lines.append(f"- {text}")
    return template.format(
        targets=", ".join(str(t) for t in fight.targets.all()) or "…",
        network=network.name or "…",
        subjects=subjects or "…",
        demands="\n".join(lines) or "- …",
        deadline=deadline,
        place=network.city_region,
    )


def still_as_written(fight: Fight, language: str, body: str) -> dict[str, list[Demand]]:
    """The demands written in another language than the letter's and still in `body` word for
    word, by the language they are in. A demand written before its language was recorded is
    taken to be in the network's language; one with no letters in it (an amount) is in none."""
    default = Network.objects.current().default_language
    found: dict[str, list[Demand]] = {}
    for demand in fight.demands.all():
        written_in = demand.language or default
        text = demand.text or ""
        if written_in == language or not any(c.isalpha() for c in text):
            continue
        if text in body:
            found.setdefault(written_in, []).append(demand)
    return found


def pdf(fight: Fight, body: str, language: str) -> bytes:
    """The letter as PDF, with the network's name and place as its letterhead."""
    from weasyprint import CSS, HTML  # imported here: only letters need Pango

    network = Network.objects.current()
    with translation.override(language):
        html = render_to_string(
            "fights/letter_pdf.html",
            {
                "network": network,
                "paragraphs": [p for p in body.split("\n\n") if p.strip()],
                "language": language,
            },
        )
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(STYLE))])
