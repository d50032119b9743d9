"""Actions: planning one with shifts and roles, who sees it, asking people, answers feeding
their commitments, the live count, call lists and callers, check-in and attendance, the
public page and personal answer links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.members.models import Tier
from solnet.mobilize import links, services
from solnet.mobilize.models import Action, Ask, Call, CallResult, RsvpLink
from solnet.people.models import Answer, ContactChannel, Outcome, Person, reliability
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


def _picket(organizer, **extra) -> Action:
    starts = timezone.now() + timedelta(days=2)
    fields = {
        "title": "Picket at Acme",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=6),
        "place": "1400 Pine St",
        "tier": Tier.PHONE_TREE,
        "turnout_target": 20,
        **extra,
    }
    return services.plan_action(by=organizer, **fields)


def _people(count: int, *, tier: int = Tier.PHONE_TREE, prefix: str = "Caller Target"):
    people = []
    for n in range(count):
        person = Person.objects.create(display_name=f"{prefix} {n:02d}", tier=tier)
        ContactChannel.objects.create(
            person=person, kind="call", value=f"+1 206 555 {n:04d}", consent_at=timezone.now()
        )
        people.append(person)
    return people


def test_a_picket_with_two_shifts_and_roles_is_planned_from_the_page(organizer, client):
    sign_in(client, organizer)
    starts = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("mobilize:new"),
        {
            "title": "Strike support picket",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Warehouse gate 3",
            "tier": Tier.PHONE_TREE,
            "turnout_target": 40,
            "reminders": "24, 2",
        },
    )
    action = Action.objects.get(title="Strike support picket")
    assert response.status_code == 302
    assert action.reminder_hours == [24, 2]
    for hours in (0, 4):
        shift_start = starts + timedelta(hours=hours)
        response = client.post(
            reverse("mobilize:shift_add", args=[action.public_id]),
            {
                "starts_at": shift_start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (shift_start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
                "needed": 15,
            },
        )
        assert response.status_code == 302
    first = action.shifts.first()
    client.post(
        reverse("mobilize:role_add", args=[action.public_id]), {"role": "marshal", "needed": 3}
    )
    client.post(
        reverse("mobilize:role_add", args=[action.public_id]),
        {"role": "check_in", "needed": 1, "shift": first.pk},
    )
    assert action.shifts.count() == 2
    assert sorted(action.roles.values_list("role", flat=True)) == ["check_in", "marshal"]
    page = client.get(reverse("mobilize:action", args=[action.public_id])).content.decode()
    assert "Strike support picket" in page
    assert "Marshal" in page and "Check-in" in page
    assert 'id="confirmed-count">0<' in page


def test_bad_input_changes_nothing_and_says_why(organizer, client):
    sign_in(client, organizer)
    starts = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("mobilize:new"),
        {
            "title": "Backwards",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "tier": Tier.PHONE_TREE,
            "turnout_target": 10,
            "reminders": "soon",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The end must come after the start." in body
    assert "Write whole hours separated by commas" in body
    assert not Action.objects.filter(title="Backwards").exists()
    action = _picket(organizer)
    response = client.post(
        reverse("mobilize:shift_add", args=[action.public_id]),
        {
            "starts_at": (starts + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(days=5, hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "needed": 3,
        },
        follow=True,
    )
    assert "A shift must fall within the action&#x27;s time." in response.content.decode()
    assert action.shifts.count() == 0
    with pytest.raises(ValidationError):
        services.update_action(action=action, by=organizer, reminder_hours=[1, 2, 3, 4, 5])


def test_who_sees_an_action_follows_its_tier_and_council(personas, organizer):
    picket = _picket(organizer, tier=Tier.MEMBER)
    supporter = personas["supporter"].member
    member = personas["member"].member
    for who, sees in ((supporter, False), (personas["phone_tree"].member, False), (member, True)):
        response = sign_in(Client(), who).get(reverse("mobilize:action", args=[picket.public_id]))
        assert response.status_code == (200 if sees else 404)
    # Asked to it, a supporter sees it after all.
    services.ask_people(
        action=picket,
        people=Person.objects.filter(pk=own_record(member=supporter).pk),
        by=organizer,
    )
    response = sign_in(Client(), supporter).get(reverse("mobilize:action", args=[picket.public_id]))
    assert response.status_code == 200
    with pytest.raises(PermissionDenied):
        services.plan_action(
            by=member,
            title="Not theirs",
            starts_at=picket.starts_at,
            ends_at=picket.ends_at,
        )


def test_answers_feed_commitments_and_the_count(personas, organizer):
    picket = _picket(organizer)
    shift = services.add_shift(
        action=picket,
        starts_at=picket.starts_at,
        ends_at=picket.starts_at + timedelta(hours=3),
        needed=5,
        by=organizer,
    )
    member = personas["member"].member
    client = sign_in(Client(), member)
    response = client.post(
        reverse("mobilize:answer", args=[picket.public_id]), {"answer": "yes", "shift": shift.pk}
    )
    assert response.status_code == 302
    ask = Ask.objects.get(action=picket, person__member=member)
    assert ask.shift == shift
    assert ask.commitment.answer == Answer.YES
    assert ask.answered_via == "app"
    assert services.turnout(picket)["yes"] == 1
    fragment = client.get(
        reverse("mobilize:turnout", args=[picket.public_id]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith('<section id="turnout"')
    assert 'id="confirmed-count">1<' in fragment
    # Changing the answer changes the commitment; no second ask.
    client.post(
        reverse("mobilize:answer", args=[picket.public_id]), {"answer": "no", "shift": shift.pk}
    )
    assert Ask.objects.filter(action=picket, person__member=member).count() == 1
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.NO
    # A made-up answer is refused and changes nothing.
    response = client.post(
        reverse("mobilize:answer", args=[picket.public_id]), {"answer": "sure", "shift": shift.pk}
    )
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.NO


def test_asking_people_from_the_filters_keeps_to_the_tier(organizer, client):
    picket = _picket(organizer, tier=Tier.PHONE_TREE)
    _people(3, tier=Tier.PHONE_TREE, prefix="Phone")
    _people(2, tier=Tier.SUPPORTER, prefix="List")
    sign_in(client, organizer)
    preview = client.get(reverse("mobilize:ask", args=[picket.public_id]), {"q": "o"})
    assert 'id="ask-count"' in preview.content.decode()
    client.post(reverse("mobilize:ask", args=[picket.public_id]), {"q": "Phone"})
    client.post(reverse("mobilize:ask", args=[picket.public_id]), {"q": "List"})
    asked = set(picket.asks.values_list("person__display_name", flat=True))
    assert asked == {"Phone 00", "Phone 01", "Phone 02"}
    # Asking again asks nobody twice.
    assert services.ask_people(action=picket, people=Person.objects.all(), by=organizer) >= 0
    assert picket.asks.filter(person__display_name="Phone 00").count() == 1


def test_a_call_list_is_split_among_callers_who_see_only_their_own(personas, organizer):
    picket = _picket(organizer)
    people = _people(30)
    member = personas["member"].member
    dispatcher = personas["dispatcher"].member
    call_list = services.build_call_list(
        action=picket,
        people=Person.objects.filter(pk__in=[p.pk for p in people]),
        name="Building 2",
        script="Hi, it's the network.",
        callers=[member, dispatcher],
        by=organizer,
    )
    assert call_list.calls.filter(caller=member).count() == 15
    assert call_list.calls.filter(caller=dispatcher).count() == 15
    assert picket.asks.count() == 30
    page = sign_in(Client(), member).get(
        reverse("mobilize:call_list", args=[picket.public_id, call_list.public_id])
    )
    body = page.content.decode()
    mine = call_list.calls.filter(caller=member).select_related("ask__person")
    theirs = call_list.calls.filter(caller=dispatcher).select_related("ask__person")
    first_mine = mine.order_by("ask__person__display_name").first()
    assert first_mine.ask.person.display_name in body
    assert all(c.ask.person.display_name not in body for c in theirs)
    assert "tel:+1 206 555" in body
    assert "Hi, it&#x27;s the network." in body
    # Another caller's call cannot be recorded by this one.
    other = theirs.first()
    response = sign_in(Client(), member).post(
        reverse("mobilize:call_record", args=[picket.public_id, call_list.public_id, other.pk]),
        {"answer": "yes"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.result == CallResult.WAITING


def test_one_tap_outcomes_move_the_count_and_callbacks_come_first(personas, organizer):
    picket = _picket(organizer)
    people = _people(4)
    member = personas["member"].member
    call_list = services.build_call_list(
        action=picket,
        people=Person.objects.filter(pk__in=[p.pk for p in people]),
        name="Four",
        script="",
        callers=[member],
        by=organizer,
    )
    client = sign_in(Client(), member)
    calls = list(call_list.calls.order_by("ask__person__display_name"))

    def tap(call, **data):
        return client.post(
            reverse("mobilize:call_record", args=[picket.public_id, call_list.public_id, call.pk]),
            data,
            HTTP_HX_REQUEST="true",
        )

    response = tap(calls[0], answer="yes")
    assert response.status_code == 200
    assert f'id="call-{calls[0].pk}"' in response.content.decode()
    assert services.turnout(picket)["yes"] == 1
    calls[0].ask.commitment.refresh_from_db()
    assert calls[0].ask.commitment.answer == Answer.YES
    assert Ask.objects.get(pk=calls[0].ask_id).answered_via == "call"
    # The recorded answer is the marked one; "Maybe" after "Yes" marks "Maybe", and the
    # finished call folds away behind "Change what was recorded".
    row = tap(calls[0], answer="maybe").content.decode()
    assert 'value="maybe" aria-pressed="true" class="primary"' in row
    assert 'value="yes" aria-pressed="false">' in row
    assert '<details class="again">' in row
    tap(calls[0], answer="yes")
    later = timezone.localtime() + timedelta(hours=2)
    tap(calls[1], result="no_answer", callback_at=later.strftime("%Y-%m-%dT%H:%M"))
    tap(calls[2], result="wrong_number")
    assert AuditEvent.objects.filter(action="call.wrong_number").exists()
    response = tap(calls[3], result="voicemail", answer="yes")
    assert response.status_code == 422
    assert "An answer needs the person reached." in response.content.decode()
    calls[3].refresh_from_db()
    assert calls[3].result == CallResult.WAITING
    response = tap(calls[3], result="no_answer", callback_at="2001-01-01T10:00")
    assert response.status_code == 422
    # A call-back that falls due comes to the top of the caller's list.
    Call.objects.filter(pk=calls[1].pk).update(callback_at=timezone.now() - timedelta(minutes=1))
    page = client.get(reverse("mobilize:call_list", args=[picket.public_id, call_list.public_id]))
    body = page.content.decode()
    assert body.index(f'id="call-{calls[1].pk}"') < body.index(f'id="call-{calls[3].pk}"')


def test_the_callers_table_follows_the_calls_without_a_reload(personas, organizer):
    """Whoever runs the action watches each caller's progress: the table is a fragment htmx
    asks for every few seconds, and a page of its own without JavaScript."""
    picket = _picket(organizer)
    member = personas["member"].member
    call_list = services.build_call_list(
        action=picket,
        people=Person.objects.filter(pk__in=[p.pk for p in _people(3)]),
        name="Three",
        script="",
        callers=[member],
        by=organizer,
    )
    url = reverse("mobilize:call_list_callers", args=[picket.public_id, call_list.public_id])
    runner = sign_in(Client(), organizer)
    page = runner.get(reverse("mobilize:call_list", args=[picket.public_id, call_list.public_id]))
    assert f'hx-get="{url}" hx-trigger="every 5s"' in page.content.decode()

    def row() -> str:
        fragment = runner.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in fragment
        return fragment.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    assert row() == "<tr><td>Member</td><td>3</td><td>0</td><td>0</td></tr>"
    call = call_list.calls.first()
    services.record_call(call=call, result="reached", answer="yes", callback_at=None, by=member)
    assert row() == "<tr><td>Member</td><td>3</td><td>1</td><td>1</td></tr>"
    # Without JavaScript: a page with the table and the way back.
    whole = runner.get(url).content.decode()
    assert "<html" in whole and "<td>1</td>" in whole and "Refresh the table" in whole
    # A caller sees their own calls, not the others' progress.
    assert sign_in(Client(), member).get(url).status_code == 404


def test_a_caller_without_a_second_factor_is_refused(personas, organizer):
    picket = _picket(organizer)
    no_factor, _ = make_member("no_factor", with_totp=False)
    with pytest.raises(ValidationError) as error:
        services.build_call_list(
            action=picket,
            people=Person.objects.none(),
            name="x",
            script="",
            callers=[no_factor],
            by=organizer,
        )
    assert "second factor" in str(error.value)
    assert not picket.call_lists.exists()


def test_check_in_and_attendance_settle_commitments(personas, organizer):
    starts = timezone.now() + timedelta(hours=1)
    picket = _picket(organizer, starts_at=starts, ends_at=starts + timedelta(hours=3))
    came, missed, said_no = _people(3)
    for person, answer in ((came, "yes"), (missed, "maybe"), (said_no, "no")):
        services.ask_people(action=picket, people=Person.objects.filter(pk=person.pk), by=organizer)
        services.answer_ask(
            ask=Ask.objects.get(action=picket, person=person), answer=answer, via="call"
        )
    volunteer = personas["member"].member
    volunteer_ask = services.sign_up(action=picket, member=volunteer, answer="yes", role="check_in")
    client = sign_in(Client(), volunteer)
    page = client.get(reverse("mobilize:check_in_list", args=[picket.public_id])).content.decode()
    assert came.display_name in page and missed.display_name in page
    assert said_no.display_name not in page  # expected people first; a name search finds all
    ask = Ask.objects.get(action=picket, person=came)
    response = client.post(
        reverse("mobilize:check_in", args=[picket.public_id, ask.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Here" in response.content.decode()
    ask.refresh_from_db()
    assert ask.checked_in_by == volunteer and ask.commitment.outcome == Outcome.SHOWED
    # The volunteer may not close attendance; the organizer does, once it has begun.
    assert client.post(reverse("mobilize:attendance", args=[picket.public_id])).status_code == 404
    with pytest.raises(ValidationError):
        services.close_attendance(action=picket, by=organizer)
    Action.objects.filter(pk=picket.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    picket.refresh_from_db()
    services.close_attendance(action=picket, by=organizer)
    outcomes = {
        a.person_id: a.commitment.outcome
        for a in Ask.objects.filter(action=picket).select_related("commitment")
    }
    assert outcomes[came.pk] == Outcome.SHOWED
    assert outcomes[missed.pk] == Outcome.NO_SHOW
    assert outcomes[said_no.pk] == Outcome.OPEN
    assert outcomes[volunteer_ask.person_id] == Outcome.NO_SHOW  # never checked in herself
    assert reliability(came) == (1, 1)
    assert reliability(missed) is None  # a maybe does not count for reliability


def test_the_public_page_takes_a_name_and_one_way_to_reach_them(organizer, settings):
    picket = _picket(organizer)
    client = Client()
    assert client.get(reverse("mobilize:public", args=["made-up"])).status_code == 404
    services.set_public(action=picket, public=True, by=organizer)
    picket.refresh_from_db()
    url = reverse("mobilize:public", args=[picket.public_token])
    form = client.get(url)
    assert form.status_code == 200 and "Picket at Acme" in form.content.decode()
    started = form.context["form"]["started"].value()
    from solnet.core import public_forms

    public_forms.MIN_SECONDS, saved = 0, public_forms.MIN_SECONDS
    try:
        bad = client.post(
            url,
            {
                "name": "Rosa",
                "kind": "email",
                "value": "not-an-address",
                "answer": "yes",
                "started": started,
            },
        )
        assert bad.status_code == 422
        assert not Person.objects.filter(display_name="Rosa").exists()
        good = client.post(
            url,
            {
                "name": "Rosa",
                "kind": "email",
                "value": "rosa@example.org",
                "answer": "yes",
                "started": started,
            },
        )
    finally:
        public_forms.MIN_SECONDS = saved
    assert good.status_code == 200
    rosa = Person.objects.get(display_name="Rosa")
    assert rosa.tier == Tier.SUPPORTER
    assert rosa.channels.get().usable
    ask = Ask.objects.get(action=picket, person=rosa)
    assert ask.commitment.answer == Answer.YES and ask.answered_via == "public"
    # Closing the page kills its address at once; opening again gives a new one.
    services.set_public(action=picket, public=False, by=organizer)
    assert client.get(url).status_code == 404
    services.set_public(action=picket, public=True, by=organizer)
    picket.refresh_from_db()
    assert reverse("mobilize:public", args=[picket.public_token]) != url
    assert client.get(url).status_code == 404


def test_an_answer_link_answers_only_when_posted_and_can_be_revoked_and_expires(organizer):
    picket = _picket(organizer)
    person = _people(1)[0]
    services.ask_people(action=picket, people=Person.objects.filter(pk=person.pk), by=organizer)
    ask = Ask.objects.get(action=picket, person=person)
    url = urlparse(links.new_link(ask)).path
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 43  # 256 bits, url-safe
    assert not RsvpLink.objects.filter(token_digest=token).exists()  # only its digest is kept
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.WAITING  # opening the link answers nothing
    assert client.post(url, {"answer": "maybe"}).status_code == 200
    ask.commitment.refresh_from_db()
    assert (
        ask.commitment.answer == Answer.MAYBE and Ask.objects.get(pk=ask.pk).answered_via == "email"
    )
    assert client.post(url, {"answer": "whenever"}).status_code == 422
    links.revoke_links(ask)
    assert client.get(url).status_code == 404
    second = urlparse(links.new_link(ask)).path
    assert client.get(second).status_code == 200
    # The organizer stops every link of the action at once; a new one works again.
    third = urlparse(links.new_link(ask)).path
    response = sign_in(Client(), organizer).post(
        reverse("mobilize:revoke_links", args=[picket.public_id])
    )
    assert response.status_code == 302
    assert client.get(second).status_code == 404 and client.get(third).status_code == 404
    second = urlparse(links.new_link(ask)).path
    assert client.get(second).status_code == 200
    RsvpLink.objects.filter(ask=ask).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(second).status_code == 404
    assert client.post(second, {"answer": "yes"}).status_code == 404
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.MAYBE


def test_nothing_is_answered_once_called_off(organizer):
    picket = _picket(organizer)
    person = _people(1)[0]
    services.ask_people(action=picket, people=Person.objects.filter(pk=person.pk), by=organizer)
    ask = Ask.objects.get(action=picket)
    url = urlparse(links.new_link(ask)).path
    services.cancel_action(action=picket, by=organizer)
    assert Client().get(url).status_code == 404  # calling it off stops its links
    with pytest.raises(ValidationError):
        services.answer_ask(ask=ask, answer="yes", via="app")


def test_a_fights_team_plans_its_actions_from_the_fight(objects, personas):
    fight = objects["fight"]
    team = personas["fight_team"].member
    client = sign_in(Client(), team)
    page = client.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert f"{reverse('mobilize:new')}?fight={fight.public_id}" in page
    starts = timezone.localtime() + timedelta(days=4)
    response = client.post(
        reverse("mobilize:new") + f"?fight={fight.public_id}",
        {
            "title": "Leaflet the diner's customers",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "tier": Tier.MEMBER,
            "turnout_target": 8,
            "reminders": "2",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Leaflet the diner's customers")
    assert action.fight == fight and action.created_by == team
    # Another fight's team, or a member outside it, cannot plan for this fight.
    outsider = personas["member"].member
    response = sign_in(Client(), outsider).get(
        reverse("mobilize:new") + f"?fight={fight.public_id}"
    )
    assert response.status_code == 404
    assert (
        sign_in(Client(), team).get(reverse("mobilize:edit", args=[action.public_id])).status_code
        == 200
    )
