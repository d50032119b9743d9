"""Supplies for actions: the shortfall beside the turnout count, pledges by members and by the
public without an account, K identical pledges at once making one, withdrawal, the
inventory, the API, and what goes after the action."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.core.public_forms import SALT
from solnet.core.retention import purge_expired
from solnet.funds import supplies
from solnet.funds.models import InventoryItem, SupplyNeed, SupplyPledge
from solnet.members import services as member_services
from solnet.members.models import ApiScope, Tier
from solnet.mobilize import services as mobilize
from solnet.mobilize.models import Action


def _picket(organizer, *, public: bool = True, days: int = 2) -> Action:
    starts = timezone.now() + timedelta(days=days)
    action = mobilize.plan_action(
        by=organizer,
        title="Picket at Acme",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        tier=Tier.PHONE_TREE,
        turnout_target=20,
    )
    if public:
        mobilize.set_public(action=action, public=True, by=organizer)
        action.refresh_from_db()
    return action


@pytest.fixture
def picket(personas):
    return _picket(personas["organizer"].member)


@pytest.fixture
def water(picket, personas):
    return supplies.add_need(
        action=picket,
        by=personas["organizer"].member,
        kind="water",
        label="bottled water",
        quantity=24,
        unit="bottles",
    )


def _started(seconds_ago: int = 10) -> str:
    from django.core import signing

    return signing.dumps(timezone.now().timestamp() - seconds_ago, salt=SALT)


# --- the numbers ------------------------------------------------------------------------------


def test_the_shortfall_counts_pledges_not_withdrawn_and_shows_over_pledging(
    picket, water, personas
):
    chairs = supplies.add_need(
        action=picket, by=personas["organizer"].member, kind="chairs", quantity=5
    )
    supplies.pledge(need=water, by=personas["member"].member, quantity=10)
    supplies.pledge(need=water, by=personas["phone_tree"].member, quantity=6)
    gone = supplies.pledge(need=water, by=personas["dispatcher"].member, quantity=4)
    supplies.withdraw_pledge(pledge=gone, by=personas["dispatcher"].member)
    supplies.pledge(need=chairs, by=personas["member"].member, quantity=8)
    rows = {row.need.kind: row for row in supplies.need_rows(picket)}
    assert (rows["water"].pledged, rows["water"].shortfall, rows["water"].over) == (16, 8, 0)
    assert (rows["chairs"].pledged, rows["chairs"].shortfall, rows["chairs"].over) == (8, 0, 3)
    assert supplies.shortfall_summary(picket)["short"] == 1


def test_pledging_again_changes_the_members_one_pledge(water, personas):
    member = personas["member"].member
    first = supplies.pledge(need=water, by=member, quantity=3)
    again = supplies.pledge(need=water, by=member, quantity=7)
    assert first.pk == again.pk
    assert SupplyPledge.objects.get().quantity == 7
    supplies.withdraw_pledge(pledge=again, by=member)
    # Withdrawn, a new pledge is a new row.
    assert supplies.pledge(need=water, by=member, quantity=2).pk != first.pk


def test_only_those_who_run_the_action_manage_its_needs(picket, personas):
    with pytest.raises(PermissionDenied):
        supplies.add_need(action=picket, by=personas["member"].member, kind="food", quantity=3)
    with pytest.raises(ValidationError):
        supplies.add_need(action=picket, by=personas["organizer"].member, kind="food", quantity=0)


def test_those_who_do_not_see_the_action_cannot_pledge(water, personas):
    with pytest.raises(PermissionDenied):
        supplies.pledge(need=water, by=personas["supporter"].member, quantity=1)


def test_nobody_pledges_to_an_action_that_is_over(water, personas):
    Action.objects.filter(pk=water.action_id).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1)
    )
    water.action.refresh_from_db()
    with pytest.raises(ValidationError):
        supplies.pledge(need=water, by=personas["member"].member, quantity=1)


def test_another_member_cannot_withdraw_my_pledge(water, personas):
    mine = supplies.pledge(need=water, by=personas["member"].member, quantity=1)
    with pytest.raises(PermissionDenied):
        supplies.withdraw_pledge(pledge=mine, by=personas["phone_tree"].member)
    supplies.withdraw_pledge(pledge=mine, by=personas["organizer"].member)  # runs the action
    with pytest.raises(ValidationError):
        supplies.withdraw_pledge(pledge=mine, by=personas["member"].member)


# --- the pages --------------------------------------------------------------------------------


def test_the_action_page_shows_the_shortfall_beside_the_turnout(client, water, personas):
    supplies.pledge(need=water, by=personas["member"].member, quantity=10)
    sign_in(client, personas["phone_tree"].member)
    page = client.get(reverse("mobilize:action", args=[water.action.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="turnout"' in html and 'id="supplies"' in html
    assert html.index('id="turnout"') < html.index('id="supplies"')
    assert "14 short" in html


def test_the_action_page_has_no_supplies_panel_when_none_are_listed(client, picket, personas):
    sign_in(client, personas["member"].member)
    page = client.get(reverse("mobilize:action", args=[picket.public_id]))
    assert 'id="supplies"' not in page.content.decode()
    sign_in(client, personas["organizer"].member)
    page = client.get(reverse("mobilize:action", args=[picket.public_id]))
    assert 'id="supplies"' in page.content.decode()  # to list the first need


def test_a_member_pledges_on_the_page_and_a_refused_pledge_is_422(client, water, personas):
    member = personas["member"].member
    sign_in(client, member)
    url = reverse("funds:supply_pledge", args=[water.public_id])
    response = client.post(url, {"quantity": "5"})
    assert response.status_code == 302
    assert SupplyPledge.objects.get(member=member).quantity == 5
    assert AuditEvent.objects.filter(action="supplies.pledged").count() == 1
    assert client.post(url, {"quantity": "0"}).status_code == 422
    assert SupplyPledge.objects.get(member=member).quantity == 5
    page = client.get(reverse("funds:supplies", args=[water.action.public_id]))
    assert page.status_code == 200 and "19 short" in page.content.decode()


def test_the_organizer_adds_a_need_on_the_page(client, picket, personas):
    sign_in(client, personas["organizer"].member)
    url = reverse("funds:supply_need_add", args=[picket.public_id])
    response = client.post(url, {"kind": "heaters", "quantity": "3", "label": "propane"})
    assert response.status_code == 302
    assert SupplyNeed.objects.get(action=picket).label == "propane"
    assert client.post(url, {"kind": "heaters", "quantity": "-1"}).status_code == 422
    sign_in(client, personas["member"].member)
    assert client.post(url, {"kind": "food", "quantity": "3"}).status_code == 404


def test_an_outsider_gets_nothing(client, water):
    response = client.get(reverse("funds:supplies", args=[water.action.public_id]))
    assert response.status_code == 302  # to sign in


def test_the_public_pledges_without_an_account(client, water, personas):
    token = water.action.public_token
    page = client.get(reverse("mobilize:public", args=[token]))
    assert reverse("funds:supplies_public", args=[token]) in page.content.decode()
    url = reverse("funds:supplies_public", args=[token])
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "need": water.public_id,
        "quantity": "6",
        "name": "Rosa",
        "contact": "rosa@example.org",
        "key": "public-form-key-1",
        "started": _started(),
        "website": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    made = SupplyPledge.objects.get()
    assert made.member is None and made.name == "Rosa" and made.contact == "rosa@example.org"
    # The same form sent again (a retry) makes no second pledge.
    client.post(url, {**data, "started": _started()})
    assert SupplyPledge.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM funds_supplypledge")
        assert "rosa@example.org" not in cursor.fetchone()[0]
    # Organizers with a second factor read how to reach them; the pledge counts.
    sign_in(client, personas["organizer"].member)
    page = client.get(reverse("funds:supplies", args=[water.action.public_id])).content.decode()
    assert "rosa@example.org" in page and "18 short" in page


def test_the_public_page_is_gone_when_the_action_is_private(client, water, personas):
    token = water.action.public_token
    mobilize.set_public(action=water.action, public=False, by=personas["organizer"].member)
    assert client.get(reverse("funds:supplies_public", args=[token])).status_code == 404
    with pytest.raises(PermissionDenied):
        supplies.pledge_publicly(need=water, quantity=1, key="k")


def test_a_member_who_does_not_run_the_action_sees_only_their_own_pledge(client, water, personas):
    supplies.pledge(need=water, by=personas["phone_tree"].member, quantity=2)
    supplies.pledge_publicly(need=water, quantity=1, key="k1", name="Rosa", contact="555")
    sign_in(client, personas["member"].member)
    page = client.get(reverse("funds:supplies", args=[water.action.public_id])).content.decode()
    assert "Phone Tree" not in page and "Rosa" not in page and "555" not in page


# --- K identical pledges at once --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_pledges_give_one_pledge(network, figures):
    organizer = make_member("org", tier=Tier.ORGANIZING_TEAM)[0]
    member = make_member("ana")[0]
    need = supplies.add_need(
        action=_picket(organizer), by=organizer, kind="water", quantity=24, unit="bottles"
    )
    k = 6
    clients = [sign_in(Client(raise_request_exception=False), member) for _ in range(k)]
    public = [Client(raise_request_exception=False) for _ in range(k)]
    url = reverse("funds:supply_pledge", args=[need.public_id])
    public_url = reverse("funds:supplies_public", args=[need.action.public_token])
    barrier = threading.Barrier(2 * k)
    statuses: list[int] = []
    started = _started()

    def attempt(client, path, data) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(path, data).status_code)
        finally:
            connection.close()

    form = {"need": need.public_id, "quantity": "3", "key": "same-key", "started": started}
    threads = [threading.Thread(target=attempt, args=(c, url, {"quantity": "4"})) for c in clients]
    threads += [threading.Thread(target=attempt, args=(c, public_url, form)) for c in public]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    members = SupplyPledge.objects.filter(need=need, member=member).count()
    publics = SupplyPledge.objects.filter(need=need, key="same-key").count()
    errors = sum(1 for status in statuses if status >= 500)
    figures(
        "R-4.duplicate_supply_pledges",
        members + publics - 2,
        unit="pledges",
        target="0",
        ok=members == 1 and publics == 1,
    )
    assert len(statuses) == 2 * k and errors == 0, statuses
    assert members == 1 and publics == 1
    assert supplies.need_rows(need.action)[0].pledged == 7


# --- the inventory ----------------------------------------------------------------------------


def test_the_inventory_is_kept_by_organizers_and_read_by_members(client, personas):
    organizer = personas["organizer"].member
    keeper = personas["member"].member
    sign_in(client, organizer)
    response = client.post(
        reverse("funds:inventory"),
        {
            "kind": "heaters",
            "label": "propane heater",
            "quantity": "2",
            "keeper": keeper.public_id,
            "where": "garage",
            "condition": "good",
        },
    )
    assert response.status_code == 302
    item = InventoryItem.objects.get()
    assert item.keeper == keeper
    assert supplies.in_inventory() == {"heaters": 2}
    response = client.post(
        reverse("funds:inventory_item", args=[item.public_id]),
        {"kind": "heaters", "label": "propane heater", "quantity": "2", "condition": "broken"},
    )
    assert response.status_code == 302
    assert supplies.in_inventory() == {}
    sign_in(client, personas["member"].member)
    page = client.get(reverse("funds:inventory"))
    assert page.status_code == 200 and "propane heater" in page.content.decode()
    assert client.post(reverse("funds:inventory"), {"kind": "food"}).status_code == 404
    sign_in(client, personas["supporter"].member)
    assert client.get(reverse("funds:inventory")).status_code == 404


# --- the API ----------------------------------------------------------------------------------


def _bearer(member, scopes) -> dict:
    _token, secret = member_services.create_api_token(
        member=member, name="t", scopes=scopes, days=1
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_gives_needs_with_pledged_and_shortfall(client, water, personas):
    supplies.pledge(need=water, by=personas["member"].member, quantity=30)
    url = f"/api/funds/supply-needs?action={water.action.public_id}"
    response = client.get(url, **_bearer(personas["phone_tree"].member, [ApiScope.ACTIONS_READ]))
    assert response.status_code == 200
    [row] = response.json()
    assert (row["needed"], row["pledged"], row["shortfall"], row["over"]) == (24, 30, 0, 6)
    assert (
        client.get(
            url, **_bearer(personas["supporter"].member, [ApiScope.ACTIONS_READ])
        ).status_code
        == 404
    )
    assert (
        client.get(url, **_bearer(personas["member"].member, [ApiScope.FUNDS_READ])).status_code
        == 403
    )


# --- retention --------------------------------------------------------------------------------


def test_who_pledged_goes_a_day_after_the_action_and_the_quantities_stay(water, personas):
    supplies.pledge(need=water, by=personas["member"].member, quantity=5)
    supplies.pledge_publicly(need=water, quantity=3, key="k", name="Rosa", contact="555 0100")
    Action.objects.filter(pk=water.action_id).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    purge_expired()
    rows = list(SupplyPledge.objects.order_by("pk"))
    assert [(p.member_id, p.name, p.contact, p.key) for p in rows] == [
        (None, "", None, ""),
        (None, "", None, ""),
    ]
    assert sum(p.quantity for p in rows) == 8
