"""Three pages people work in, on a phone (390 by 844) and on a desktop (1280 by 800): a fight
as its team sees it, a vote of the general meeting as a member about to vote sees it, and a
caller working their part of a call list. Each answers 200, shows what it is about, fits the
screen without sideways scrolling, passes axe (WCAG 2.1 AA), breaks no CSP rule and asks
nothing of another origin.

With SOLNET_SCREENSHOTS set to a folder, a picture of each page on each screen goes there:
`make screenshots` makes the README's and the documentation's in docs/screenshots/."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PHONE, accessibility_violations
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.democracy import services as democracy
from solnet.fights import services as fights
from solnet.fights import winnability
from solnet.members.models import Tier
from solnet.mobilize import services as mobilize
from solnet.people.models import ContactChannel, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
NEIGHBOURS = ["Ana Flores", "Bao Nguyen", "Carmen Ruiz", "Dev Patel", "Eli Brooks", "Fatima Said"]


def _fight(objects) -> str:
    """The fight at intake, its winnability sheet filled in by its team (every question
    scored 2 but one, scored 1)."""
    fight = objects["fight"]
    criteria = winnability.criteria()
    fights.assess_winnability(
        fight=fight,
        scores={c.pk: (1 if n == 1 else 2, "") for n, c in enumerate(criteria)},
        summary="Six coworkers back him; the owner has two more diners.",
        by=objects["personas"]["fight_team"].member,
    )
    return f"/fights/{fight.public_id}/"


def _calls(objects) -> str:
    """A call list of six neighbours for the member persona, two of them called already."""
    organizer = objects["personas"]["organizer"].member
    member = objects["personas"]["member"].member
    now = timezone.now()
    people = []
    for number, name in enumerate(NEIGHBOURS):
        person = Person.objects.create(display_name=name, tier=Tier.PHONE_TREE)
        ContactChannel.objects.create(
            person=person, kind="call", value=f"+1 206 555 01{number:02d}", consent_at=now
        )
        people.append(person.pk)
    call_list = mobilize.build_call_list(
        action=objects["action"],
        people=Person.objects.filter(pk__in=people),
        name="Picket turnout",
        script="Hi, it's the network calling about Friday's picket at Acme. Can you come?",
        callers=[member],
        by=organizer,
    )
    calls = list(call_list.calls.order_by("ask__person__display_name"))
    mobilize.record_call(call=calls[0], result="reached", answer="yes", by=member)
    mobilize.record_call(
        call=calls[1], result="no_answer", callback_at=now + timedelta(hours=2), by=member
    )
    return f"/actions/{objects['action'].public_id}/calls/{call_list.public_id}/"


def _vote(objects) -> str:
    """The general meeting's open vote, with two ballots in it already."""
    proposal = objects["proposal"]
    for name in ("organizer", "fight_team"):
        democracy.cast_ballot(
            proposal=proposal, voter=objects["personas"][name].member, choice="yes"
        )
    return f"/decisions/{proposal.public_id}/"


def _open(chromium, base: str, screen: str, storage_state=None):
    context = chromium.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
        storage_state=storage_state,
        **SCREENS[screen],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda msg: (
            page.problems.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            page.problems.append(f"asked another origin: {request.url}")
            if not request.url.startswith((base, "data:"))
            else None
        ),
    )
    return context, page


def test_key_pages_fit_a_phone_and_a_desktop(chromium, live_server, objects):
    personas = objects["personas"]
    base = live_server.url
    pages = [
        ("fight", personas["fight_team"], _fight(objects), "Joe's Diner"),
        ("vote", personas["member"], _vote(objects), "Buy a megaphone"),
        ("calls", personas["member"], _calls(objects), "Carmen Ruiz"),
    ]
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    contexts = []
    signed_in = {}
    try:
        for name, persona, path, words in pages:
            for screen in SCREENS:
                context, page = _open(chromium, base, screen, signed_in.get(persona.name))
                contexts.append(context)
                if persona.name not in signed_in:
                    sign_in_on(page, base, persona)
                    signed_in[persona.name] = context.storage_state()
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (name, screen)
                assert words in page.locator("main").inner_text(), (name, screen)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} on a {screen} scrolls sideways by {overflow}px"
                assert page.problems == [], (name, screen)
                assert accessibility_violations(page) == [], (name, screen)
                if folder:
                    page.screenshot(path=Path(folder) / f"{name}-{screen}.png")
    finally:
        for context in contexts:
            context.close()
