"""The API of actions, call lists and alerts: what the pages do, by a script, under the same
rules — a caller's numbers only with a second factor, another's calls never, an alert's
answer only from whom it was sent to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_member
from solnet.members.models import ApiScope
from solnet.members.testing.api import ApiClient
from solnet.mobilize import services
from solnet.mobilize.models import AlertResponse, Ask, Call, RoleSlot, Shift

pytestmark = pytest.mark.django_db


def test_a_member_answers_for_a_shift_and_the_live_count_moves(personas, objects):
    action, shift = objects["action"], objects["shift"]
    api = ApiClient(personas["phone_tree"].member, ApiScope.ACTIONS_READ, ApiScope.ACTIONS_ANSWER)
    url = f"/api/actions/{action.public_id}"
    assert action.public_id in [a["public_id"] for a in api.get("/api/actions").json()["items"]]
    before = api.get(f"{url}/turnout").json()
    assert (before["yes"], before["needed"]) == (1, 30)  # the member persona said yes
    assert before["shifts"] == [
        {
            "id": shift.pk,
            "starts_at": before["shifts"][0]["starts_at"],
            "ends_at": before["shifts"][0]["ends_at"],
            "needed": 10,
            "filled": 0,
        }
    ]

    other = services.add_shift(
        action=objects["fight_action"],
        starts_at=objects["fight_action"].starts_at,
        ends_at=objects["fight_action"].ends_at,
        needed=2,
        by=personas["fight_team"].member,
    )
    wrong = api.post(f"{url}/answer", {"answer": "yes", "shift": other.pk})
    assert wrong.status_code == 422
    assert api.post(f"{url}/answer", {"answer": "yes", "role": "medic"}).status_code == 422
    assert api.post(f"{url}/answer", {"answer": "perhaps"}).status_code == 422
    assert not Ask.objects.filter(person__member=personas["phone_tree"].member).exists()

    taken = api.post(f"{url}/answer", {"answer": "yes", "shift": shift.pk, "role": "marshal"})
    assert taken.status_code == 200
    after = api.get(f"{url}/turnout").json()
    assert after["yes"] == 2 and after["shifts"][0]["filled"] == 1
    shown = api.get(url).json()
    assert shown["my_answers"] == [{"shift": shift.pk, "role": "marshal", "answer": "yes"}]
    assert [(r["role"], r["shift"], r["filled"]) for r in shown["roles"]] == [("marshal", None, 1)]
    assert shown["runs"] is False and shown["call_lists"] == []


def test_who_was_asked_is_for_who_runs_the_action(personas, objects):
    url = f"/api/actions/{objects['action'].public_id}/asks"
    organizer = ApiClient(personas["organizer"].member, ApiScope.ACTIONS_READ)
    asks = organizer.get(url).json()["items"]
    assert [(a["name"], a["answer"], a["answered_via"]) for a in asks] == [
        ("Member", "yes", "app"),
        ("Neighbour Without Account", "waiting", ""),  # on the call list
    ]
    assert [a["name"] for a in organizer.get(url, answer="yes").json()["items"]] == ["Member"]
    assert organizer.get(url, answer="no").json()["items"] == []
    assert organizer.get(url, answer="sometimes").status_code == 422
    member = ApiClient(personas["member"].member, ApiScope.ACTIONS_READ)
    assert member.get(url).status_code == 404


def test_the_caller_sees_their_calls_with_numbers_and_records_one_tap(personas, objects):
    call_list, call = objects["call_list"], objects["call"]
    url = f"/api/actions/{objects['action'].public_id}/calls/{call_list.public_id}"
    caller = ApiClient(personas["member"].member, ApiScope.CALLS_READ, ApiScope.CALLS_RECORD)
    view = caller.get(url).json()
    assert view["may_call"] is True and view["count"] == 1
    assert view["script"].startswith("Hi, it's the network")
    assert [(c["name"], c["numbers"], c["result"]) for c in view["calls"]] == [
        ("Neighbour Without Account", ["+1 555 0100"], "waiting")
    ]

    assert caller.post(f"{url}/{call.pk}", {"result": "voicemail"}).status_code == 200
    assert caller.post(
        f"{url}/{call.pk}", {"result": "voicemail", "answer": "yes"}
    ).status_code == (422)
    assert caller.post(f"{url}/{call.pk}", {"answer": "yes"}).status_code == 200
    call.refresh_from_db()
    assert (call.result, call.attempts, call.ask.commitment.answer) == ("reached", 2, "yes")
    later = caller.get(url).json()["calls"][0]
    assert (later["result"], later["answer"], later["attempts"]) == ("reached", "yes", 2)


def test_no_one_records_anothers_call_and_no_second_factor_no_numbers(personas, objects):
    call_list, call = objects["call_list"], objects["call"]
    url = f"/api/actions/{objects['action'].public_id}/calls/{call_list.public_id}"
    outsider = ApiClient(personas["phone_tree"].member, ApiScope.CALLS_READ, ApiScope.CALLS_RECORD)
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}/{call.pk}", {"result": "wrong_number"}).status_code == 404
    call.refresh_from_db()
    assert (call.result, call.attempts) == ("waiting", 0)

    without, _ = make_member("no_second_factor", with_totp=False)
    Call.objects.filter(pk=call.pk).update(caller=without)
    view = ApiClient(without, ApiScope.CALLS_READ).get(url).json()
    assert view["may_call"] is False
    assert [c["numbers"] for c in view["calls"]] == [[]]


def test_an_alert_is_answered_only_by_whom_it_was_sent_to(personas, objects):
    alert = objects["alert"]
    url = f"/api/alerts/{alert.public_id}"
    responder = ApiClient(personas["member"].member, ApiScope.ALERTS_READ, ApiScope.ALERTS_RESPOND)
    shown = responder.get(url).json()
    assert (shown["alerted"], shown["my_answer"], shown["counts"]) == (True, None, None)
    assert responder.post(f"{url}/response", {"answer": "maybe"}).status_code == 422
    assert responder.post(f"{url}/response", {"answer": "coming"}).status_code == 200
    assert responder.get(url).json()["my_answer"] == "coming"

    dispatcher = ApiClient(personas["dispatcher"].member, ApiScope.ALERTS_READ)
    assert dispatcher.get(url).json()["counts"]["coming"] == 1
    assert alert.public_id in [
        a["public_id"] for a in dispatcher.get("/api/alerts").json()["items"]
    ]
    # The organizer sees every alert, but it was not sent to them: nothing to answer.
    organizer = ApiClient(
        personas["organizer"].member, ApiScope.ALERTS_READ, ApiScope.ALERTS_RESPOND
    )
    assert organizer.post(f"{url}/response", {"answer": "cant"}).status_code == 404
    assert (
        ApiClient(personas["phone_tree"].member, ApiScope.ALERTS_READ).get(url).status_code == 404
    )
    assert list(AlertResponse.objects.values_list("answer", flat=True)) == ["coming"]


def test_past_actions_are_listed_apart(personas, objects):
    action = objects["action"]
    api = ApiClient(personas["organizer"].member, ApiScope.ACTIONS_READ)
    services.update_action(
        action=action,
        by=personas["organizer"].member,
        title=action.title,
        description=action.description,
        starts_at=action.starts_at - timedelta(days=10),
        ends_at=action.ends_at - timedelta(days=10),
        place=action.place,
        tier=action.tier,
        turnout_target=action.turnout_target,
        council=None,
        reminder_hours=action.reminder_hours,
    )
    upcoming = [a["public_id"] for a in api.get("/api/actions").json()["items"]]
    past = [a["public_id"] for a in api.get("/api/actions", show="past").json()["items"]]
    assert action.public_id in past and action.public_id not in upcoming


def test_who_runs_the_action_adds_and_removes_its_shifts_and_roles(personas, objects):
    action = objects["action"]
    url = f"/api/actions/{action.public_id}"
    runner = ApiClient(personas["organizer"].member, ApiScope.ACTIONS_READ, ApiScope.ACTIONS_RUN)
    local = timezone.localtime(action.starts_at).replace(tzinfo=None)
    outside = runner.post(
        f"{url}/shifts",
        {
            "starts_at": (local - timedelta(hours=1)).isoformat(),
            "ends_at": local.isoformat(),
            "needed": 4,
        },
    )
    assert outside.status_code == 422 and "within the action's time" in outside.json()["detail"]
    backwards = {"starts_at": local.isoformat(), "ends_at": local.isoformat(), "needed": 4}
    assert runner.post(f"{url}/shifts", backwards).status_code == 422
    # A time without an offset is the network's own, as on the page.
    added = runner.post(
        f"{url}/shifts",
        {
            "starts_at": local.isoformat(),
            "ends_at": (local + timedelta(hours=1)).isoformat(),
            "needed": 4,
        },
    )
    assert added.status_code == 200
    new_shift = Shift.objects.get(pk=added.json()["id"])
    assert new_shift.starts_at == action.starts_at and new_shift.needed == 4

    role = runner.post(f"{url}/roles", {"role": "medic", "needed": 2, "shift": new_shift.pk})
    assert role.status_code == 200 and role.json()["shift"] == new_shift.pk
    assert runner.post(f"{url}/roles", {"role": "juggler"}).status_code == 422
    shown = runner.get(url).json()
    assert ("medic", new_shift.pk, 2) in [
        (r["role"], r["shift"], r["needed"]) for r in shown["roles"]
    ]

    # The member persona said yes to the first shift's action; a shift with people stays.
    Ask.objects.filter(action=action).update(shift=objects["shift"])
    kept = runner.delete(f"{url}/shifts/{objects['shift'].pk}")
    assert kept.status_code == 422 and Shift.objects.filter(pk=objects["shift"].pk).exists()
    assert runner.delete(f"{url}/roles/{role.json()['id']}").status_code == 200
    assert runner.delete(f"{url}/shifts/{new_shift.pk}").status_code == 200
    assert not Shift.objects.filter(pk=new_shift.pk).exists()

    member = ApiClient(personas["member"].member, ApiScope.ACTIONS_READ, ApiScope.ACTIONS_RUN)
    assert member.post(f"{url}/roles", {"role": "medic"}).status_code == 404
    assert member.delete(f"{url}/roles/{objects['role_slot'].pk}").status_code == 404
    assert RoleSlot.objects.filter(pk=objects["role_slot"].pk).exists()


def test_a_call_back_time_without_an_offset_is_the_networks_own(personas, objects):
    call_list, call = objects["call_list"], objects["call"]
    url = f"/api/actions/{objects['action'].public_id}/calls/{call_list.public_id}/{call.pk}"
    caller = ApiClient(personas["member"].member, ApiScope.CALLS_RECORD)
    tomorrow = (timezone.localtime() + timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    sent = caller.post(url, {"result": "no_answer", "callback_at": tomorrow.isoformat()})
    assert sent.status_code == 200
    call.refresh_from_db()
    assert timezone.localtime(call.callback_at).replace(tzinfo=None) == tomorrow
    past = caller.post(url, {"result": "no_answer", "callback_at": "2020-01-01T10:00:00"})
    assert past.status_code == 422 and "later than now" in past.json()["detail"]
