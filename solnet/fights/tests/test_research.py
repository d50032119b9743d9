"""Targets and research: the portfolio grouping (10,000 seeded targets with known components),
linking a boss's two companies from the pages, pressure points, and who may see research."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from conftest import sign_in
from solnet.fights import portfolios
from solnet.fights.models import Target, TargetLink
from solnet.fights.tests.portfolio_data import seeded


def _keyed(targets):
    return [
        (pk, portfolios.name_key(name), portfolios.address_key(address))
        for pk, name, address in targets
    ]


def _partition(found: dict[int, int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for pk, portfolio in found.items():
        groups.setdefault(portfolio, set()).add(pk)
    return {frozenset(group) for group in groups.values()}


def test_names_and_addresses_written_differently_give_one_key():
    assert portfolios.name_key("Joe's Diner, LLC") == portfolios.name_key("JOES DINER L.L.C.")
    assert portfolios.name_key("Café Olé Inc.") == portfolios.name_key("cafe ole")
    assert portfolios.address_key("1400 Pine Street, Suite 2") == portfolios.address_key(
        "1400 pine st ste 2"
    )
    assert portfolios.name_key("Adler 12") != portfolios.name_key("Adler 1 2")


def test_ten_thousand_seeded_targets_group_into_their_known_portfolios():
    targets, links, plan = seeded(10_000)
    found = portfolios.components(_keyed(targets), links)
    assert _partition(found) == {frozenset(group) for group in plan}
    assert all(found[pk] == min(group) for group in plan for pk in group)
    assert len(plan) > 1_000 and max(len(group) for group in plan) == 30


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", ""]), st.sampled_from(["x", "y", ""])),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=10),
)
def test_components_match_a_plain_search_of_the_graph(keys, links):
    """Against the definition: two targets are in one portfolio exactly when a path of shared
    non-empty keys or links joins them (breadth-first search over every pair)."""
    rows = [(pk, name, address) for pk, (name, address) in enumerate(keys)]
    links = [(a, b) for a, b in links if a < len(rows) and b < len(rows)]
    found = portfolios.components(rows, links)

    def joined(a, b):
        ra, rb = rows[a], rows[b]
        return (
            (ra[1] and ra[1] == rb[1])
            or (ra[2] and ra[2] == rb[2])
            or (a, b) in links
            or (b, a) in links
        )

    for start in range(len(rows)):
        seen, frontier = {start}, [start]
        while frontier:
            node = frontier.pop()
            for other in range(len(rows)):
                if other not in seen and joined(node, other):
                    seen.add(other)
                    frontier.append(other)
        assert {pk for pk in found if found[pk] == found[start]} == seen


@pytest.mark.django_db
def test_refresh_writes_the_portfolios_of_stored_targets():
    targets, links, plan = seeded(2_000, seed=3)
    made = Target.objects.bulk_create(
        Target(
            name=name,
            kind="company",
            address=address,
            name_key=portfolios.name_key(name),
            address_key=portfolios.address_key(address),
        )
        for _index, name, address in targets
    )
    TargetLink.objects.bulk_create(
        TargetLink(source=made[a], kind="owns", other=made[b]) for a, b in links
    )
    assert portfolios.refresh() == 2_000
    stored = dict(Target.objects.values_list("pk", "portfolio"))
    expected = {frozenset(made[i].pk for i in group) for group in plan}
    assert _partition(stored) == expected
    assert portfolios.refresh() == 0  # nothing changed


@pytest.mark.django_db
def test_the_team_links_the_boss_two_companies_and_sees_the_portfolio(objects):
    personas, fight = objects["personas"], objects["fight"]
    team = sign_in(Client(), personas["fight_team"].member)
    team.post(
        reverse("fights:target_add", args=[fight.public_id]),
        {"name": "Joe's Diner, LLC", "kind": "llc", "address": "1400 Pine Street, Suite 2"},
    )
    diner = Target.objects.get(name="Joe's Diner, LLC")
    assert fight.targets.filter(pk=diner.pk).exists()
    adler = objects["fight_target"]  # the boss himself, already a target of the fight
    response = team.post(
        reverse("fights:target_link", args=[adler.public_id]),
        {
            "link-kind": "owns",
            "link-name": "Adler Pancake House LLC",
            "link-other_kind": "llc",
            "link-address": "77 Lake Ave",
            "link-found_in": "State business registry",
        },
    )
    assert response.status_code == 302
    team.post(
        reverse("fights:target_link", args=[adler.public_id]),
        {"link-kind": "owns", "link-name": "JOES DINER L.L.C.", "link-other_kind": "llc"},
    )
    # A second company at the diner's address, written differently, joins by the address.
    team.post(
        reverse("fights:target_new"),
        {"name": "Pine Street Holdings", "kind": "llc", "address": "1400 pine st ste 2"},
    )
    pancakes = Target.objects.get(name="Adler Pancake House LLC")
    holdings = Target.objects.get(name="Pine Street Holdings")
    for target in (adler, diner, pancakes, holdings):
        target.refresh_from_db()
    assert adler.portfolio == diner.portfolio == pancakes.portfolio == holdings.portfolio
    assert TargetLink.objects.filter(source=adler).count() == 2

    page = team.get(reverse("fights:target", args=[holdings.public_id])).content.decode()
    assert "4 targets in this portfolio" in page and "<svg" in page
    assert "Back wages at Joe&#x27;s Diner" in page  # every fight against the portfolio
    assert "stroke-dasharray" in page  # the shared address is drawn dashed
    # Coordinates are numbers for SVG, never localized ("200,0" would break the picture).
    spanish = team.get(
        reverse("fights:target", args=[holdings.public_id]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'lang="es"' in spanish and "cartera" in spanish
    assert not re.search(r'(cx|cy|x1|y2)="-?[0-9]+,[0-9]', spanish)
    assert re.search(r'cx="[0-9]+\.[0-9]"', spanish)

    team.post(
        reverse("fights:pressure_add", args=[pancakes.public_id]),
        {
            "pressure-kind": "customers",
            "pressure-description": "Brunch rush on Sundays",
            "pressure-source": "Seen on the spot",
        },
    )
    point = pancakes.pressure_points.get()
    assert point.description == "Brunch rush on Sundays"
    bad = team.post(
        reverse("fights:pressure_add", args=[pancakes.public_id]),
        {"pressure-kind": "nonsense", "pressure-description": ""},
    )
    assert bad.status_code == 422 and pancakes.pressure_points.count() == 1
    itself = team.post(
        reverse("fights:target_link", args=[adler.public_id]),
        {"link-kind": "owns", "link-name": "Joseph Adler", "link-other_kind": "person"},
    )
    assert itself.status_code == 422


@pytest.mark.django_db
def test_research_is_for_organizers_and_fight_teams(objects):
    target = objects["fight_target"]
    for name in ("member", "supporter", "subject", "dispatcher"):
        client = sign_in(Client(), objects["personas"][name].member)
        assert client.get(reverse("fights:target", args=[target.public_id])).status_code == 404
    organizer = sign_in(Client(), objects["personas"]["organizer"].member)
    page = organizer.get(reverse("fights:target", args=[target.public_id])).content.decode()
    # Outside the fight's team: the fight shows by name and stage, not as a link.
    assert "Back wages at Joe&#x27;s Diner" in page
    assert reverse("fights:detail", args=[objects["fight"].public_id]) not in page
