"""The start page at the size of a big network (`make bench`): an organizer's page, every
list long, against the people list's page 2 timed in the same run on the same database (the
page the organizer opens most after it). Both go through Django's whole handler, as a WSGI
server would run them."""

from __future__ import annotations

import gc
import time
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core.testing.figures import ratio_figure, scaled
from solnet.democracy.models import Body, Proposal, Status
from solnet.fights.models import Fight, Lead
from solnet.members.models import Tier
from solnet.mobilize.models import Action, RoleSlot
from solnet.people.tests.test_list_benchmark import FILTER, _fill, _p95

# A smoke run (SOLNET_BENCH_SCALE) keeps 2,000 people, for a full page 2 of the filtered
# people list (about 1 in 10 match), and 20 timed runs, so that the p95 is not the maximum.
# The start page's own lists keep their lengths: they cost little to fill.
PEOPLE = scaled(20_000, least=2_000)
RUNS = scaled(40, least=20)
WARM_UP = scaled(5, least=2)


def _fill_start_page(organizer) -> None:
    """Hundreds of everything an organizer's start page lists."""
    now = timezone.now()
    general = Body.objects.general()
    Proposal.objects.bulk_create(
        Proposal(
            body=general,
            title=f"Proposal {n}",
            status=Status.VOTING,
            proposed_by=organizer,
            voting_opened_at=now,
            closes_at=now + timedelta(days=3, minutes=n),
        )
        for n in range(300)
    )
    actions = Action.objects.bulk_create(
        Action(
            title=f"Action {n}",
            starts_at=now + timedelta(days=n % 7, hours=1),
            ends_at=now + timedelta(days=n % 7, hours=3),
            tier=Tier.MEMBER,
            created_by=organizer,
        )
        for n in range(300)
    )
    RoleSlot.objects.bulk_create(RoleSlot(action=a, role="marshal", needed=3) for a in actions)
    Lead.objects.bulk_create(
        Lead(
            display_name=f"Caller {n}",
            contact_kind="call",
            contact="+1 206 555 0100",
            issue_type="wages",
            channel="call",
        )
        for n in range(2000)
    )
    Fight.objects.bulk_create(
        Fight(title=f"Fight {n}", issue_type="repairs", stage="accepted") for n in range(1000)
    )


@pytest.mark.bench
@pytest.mark.django_db
def test_start_page_p95_against_the_people_list(personas):
    organizer = personas["organizer"].member
    _fill(PEOPLE, personas)
    _fill_start_page(organizer)
    client = sign_in(Client(), organizer)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    handler = ClientHandler(enforce_csrf_checks=False)

    def timed(path: str, query: dict) -> tuple[float, str]:
        environ = RequestFactory().get(path, query, HTTP_COOKIE=cookie).environ
        started = time.perf_counter()
        response = handler(environ)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed, response.content.decode()

    people = (reverse("people:list"), {**FILTER, "page": 2})
    start = (reverse("home"), {})
    for _ in range(WARM_UP):
        timed(*people)
        timed(*start)
    gc.collect()
    floor_times, page_times = [], []
    for _ in range(RUNS):  # interleaved, so both meet the same machine load
        floor_times.append(timed(*people)[0])
        elapsed, content = timed(*start)
        page_times.append(elapsed)
    # The page listed what there is, each list cut short with the count of the rest.
    for heading in ("Votes waiting for you", "Leads waiting", "Roles to fill", "no next step"):
        assert heading in content
    assert "and 295 more" in content and "and 1995 more" in content
    figure = ratio_figure(
        "network.start_page_p95",
        measured=_p95(page_times),
        floor=_p95(floor_times),
        limit=1.5,
        unit="s",
    )
    print(figure)
