"""Meetings, delegates, proxies and notices: the services under the access rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_member
from solnet.democracy import access, services
from solnet.democracy.models import (
    Ballot,
    Body,
    Delegate,
    EffectKind,
    Notice,
    NoticeKind,
    SpeakerRequest,
    Status,
)
from solnet.democracy.testing import close_in_meeting, time_until_it_starts
from solnet.members.models import Tier

pytestmark = pytest.mark.django_db


def later(hours: int = 72):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def people(network):
    found = {name: make_member(name, with_totp=False, email=f"{name}@example.org")[0]
             for name in ("ana", "ben", "cruz", "dee")}  # fmt: skip
    found["org"] = make_member("org", tier=Tier.ORGANIZING_TEAM, with_totp=False)[0]
    found["listy"] = make_member("listy", tier=Tier.SUPPORTER, with_totp=False)[0]
    found["ana"].preferred_language = "es"
    found["ana"].save()
    return found


@pytest.fixture
def general(people) -> Body:
    return Body.objects.general()


@pytest.fixture
def meeting(people, general):
    meeting = services.call_meeting(
        body=general, by=people["org"], title="Weekly meeting", starts_at=later(), place="Hall"
    )
    return services.open_meeting(meeting=time_until_it_starts(meeting), by=people["org"])


def test_a_meeting_is_called_with_the_bodys_notice_and_everyone_is_told(
    people, general, smtp_server, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as refused:
        services.call_meeting(body=general, by=people["ben"], title="Now!", starts_at=later(2))
    assert "starts_at" in refused.value.error_dict
    with pytest.raises(PermissionDenied):
        services.call_meeting(body=general, by=people["listy"], title="Mine", starts_at=later())
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.call_meeting(
            body=general, by=people["ben"], title="Strike assembly", starts_at=later()
        )
    assert meeting.facilitator == people["ben"]
    told = set(Notice.objects.filter(meeting=meeting).values_list("member__username", flat=True))
    assert told == {"ana", "ben", "cruz", "dee", "org"}
    mail = {message["To"]: message for message in smtp_server.messages}
    assert set(mail) == {f"{n}@example.org" for n in ("ana", "ben", "cruz", "dee")}
    assert "Strike assembly" in mail["ben@example.org"].get_content()
    assert "Se convoca una reunión" in mail["ana@example.org"]["Subject"]


def test_content_minimal_notices_say_only_that_there_is_news(
    people, general, network, smtp_server, django_capture_on_commit_callbacks
):
    network.minimal_notices = True
    network.save()
    proposal = services.propose(body=general, by=people["org"], title="Join the rent strike")
    with django_capture_on_commit_callbacks(execute=True):
        services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    assert len(smtp_server.messages) == 4
    for message in smtp_server.messages:
        assert "rent strike" not in message.get_content() + message["Subject"]
        assert f"/decisions/{proposal.public_id}/" in message.get_content()


def test_those_yet_to_vote_hear_that_it_closes_soon_once(
    people, general, django_capture_on_commit_callbacks
):
    proposal = services.propose(body=general, by=people["org"], title="Rent a hall")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    assert services.warn_closing_votes() == 0  # three days off
    from solnet.democracy.models import Proposal

    Proposal.objects.filter(pk=proposal.pk).update(closes_at=later(5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.warn_closing_votes() == 1
        assert services.warn_closing_votes() == 0
    warned = Notice.objects.filter(kind=NoticeKind.CLOSING).values_list(
        "member__username", flat=True
    )
    assert sorted(warned) == ["ben", "cruz", "dee", "org"]


def test_attendance_in_person_or_remote_by_the_body_only(people, meeting):
    services.attend(meeting=meeting, member=people["ana"], mode="remote", by=people["ana"])
    services.attend(meeting=meeting, member=people["ben"], mode="in_person", by=people["org"])
    with pytest.raises(PermissionDenied):
        services.attend(meeting=meeting, member=people["cruz"], mode="remote", by=people["ana"])
    with pytest.raises(ValidationError):
        services.attend(meeting=meeting, member=people["listy"], mode="remote", by=people["org"])
    rows = {a.member.username: (a.mode, a.recorded_by_id) for a in meeting.attendance.all()}
    assert rows == {"ana": ("remote", None), "ben": ("in_person", people["org"].pk)}


def test_the_speakers_list_lets_those_who_spoke_least_go_first(people, meeting):
    for name in ("ana", "ben", "cruz"):
        services.attend(meeting=meeting, member=people[name], mode="in_person", by=people[name])
    services.ask_to_speak(meeting=meeting, member=people["ana"])
    assert services.next_speaker(meeting=meeting, by=people["org"]).member == people["ana"]
    services.ask_to_speak(meeting=meeting, member=people["ana"])  # again, first in line
    services.ask_to_speak(meeting=meeting, member=people["ben"])
    services.ask_to_speak(meeting=meeting, member=people["ben"])  # one hand up at a time
    services.ask_to_speak(meeting=meeting, member=people["cruz"])
    order = [r.member.username for r in services.speakers_in_order(meeting)]
    assert order == ["ben", "cruz", "ana"]
    with pytest.raises(PermissionDenied):
        services.next_speaker(meeting=meeting, by=people["ben"])
    with pytest.raises(ValidationError):
        services.ask_to_speak(meeting=meeting, member=people["dee"])  # not marked present
    services.withdraw_from_list(meeting=meeting, member=people["cruz"])
    assert SpeakerRequest.objects.filter(spoke_at__isnull=True).count() == 2


def test_the_meeting_decides_the_proposals_on_its_agenda(people, general, meeting):
    proposal = services.propose(body=general, by=people["ana"], title="Buy a megaphone")
    services.open_voting(proposal=proposal, by=people["ana"], closes_at=later())
    services.cast_ballot(proposal=proposal, voter=people["ben"], choice="yes")
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    services.set_roles(
        meeting=meeting, by=people["org"], facilitator=people["cruz"], note_taker=people["dee"]
    )
    assert not access.can_facilitate(people["cruz"], proposal)
    item = services.add_agenda_item(meeting=meeting, by=people["cruz"], title="", proposal=proposal)
    assert item.title == "Buy a megaphone" and item.position == 1
    assert access.can_facilitate(people["cruz"], proposal)
    close_in_meeting(proposal, by=people["cruz"])
    proposal.refresh_from_db()
    assert proposal.status == Status.PASSED and proposal.closed_by == people["cruz"]
    services.finish_agenda_item(item=item, by=people["dee"], notes="Bought for $80")
    services.save_minutes(meeting=meeting, by=people["dee"], minutes="Ten came. Megaphone bought.")
    with pytest.raises(PermissionDenied):
        services.save_minutes(meeting=meeting, by=people["ben"], minutes="Mine")
    services.close_meeting(meeting=meeting, by=people["cruz"])
    meeting.refresh_from_db()
    assert meeting.minutes == "Ten came. Megaphone bought."
    with pytest.raises(ValidationError):
        services.add_agenda_item(meeting=meeting, by=people["cruz"], title="Late")


def test_delegates_are_elected_with_their_mandate_and_recalled_by_vote(people, general):
    from solnet.councils.models import Council

    federation = services.body_of_council(Council.objects.create(name="Federation", kind="tenant"))
    election = services.propose(
        body=general,
        by=people["org"],
        title="Delegates to the federation",
        text="Vote for the joint rent strike; no deal below a 5% cap.",
        method="ranked",
        seats=2,
        options=["ana", "ben", "cruz"],
        effects_wanted=[
            services.EffectRequest(
                EffectKind.ELECT_DELEGATES,
                {
                    "assembly": "the tenant federation",
                    "term_ends": (timezone.localdate() + timedelta(days=180)).isoformat(),
                    "to_body": federation.public_id,
                },
            )
        ],
    )
    assert [o.member for o in election.options.all()] == [
        people["ana"],
        people["ben"],
        people["cruz"],
    ]
    services.open_voting(proposal=election, by=people["org"], closes_at=later())
    for voter, ranking in [
        ("ana", [1, 2]),
        ("ben", [2, 1]),
        ("cruz", [1, 3]),
        ("dee", [2, 3]),
        ("org", [1]),
    ]:
        services.cast_ballot(proposal=election, voter=people[voter], choice=ranking)
    close_in_meeting(election, by=people["org"])
    delegates = {d.member.username: d for d in Delegate.objects.all()}
    assert set(delegates) == {"ana", "ben"}
    assert delegates["ana"].mandate.startswith("Vote for the joint rent strike")
    assert delegates["ana"].serving and delegates["ana"].elected_by == election
    assert delegates["ana"].to_body == federation
    # The body that sent her sees her votes in the body she sits in.
    from django.test import Client
    from django.urls import reverse

    from conftest import sign_in
    from solnet.councils.models import CouncilMembership
    from solnet.people.services import own_record

    CouncilMembership.objects.create(
        council=federation.council, person=own_record(member=people["ana"])
    )
    motion = services.propose(body=federation, by=people["ana"], title="Strike in May")
    services.open_voting(proposal=motion, by=people["ana"], closes_at=later())
    services.cast_ballot(proposal=motion, voter=people["ana"], choice="yes")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(people["dee"], generate_totp_secret())  # the network asks it of everyone
    page = sign_in(Client(), people["dee"]).get(
        reverse("democracy:delegate", args=[delegates["ana"].public_id])
    )
    assert page.status_code == 200
    assert "Strike in May" in page.content.decode()
    services.report_delegate_vote(
        delegate=delegates["ana"],
        by=people["ana"],
        voted_on=timezone.localdate(),
        motion="Strike in May",
        vote="for",
    )
    with pytest.raises(PermissionDenied):
        services.report_delegate_vote(
            delegate=delegates["ana"],
            by=people["ben"],
            voted_on=timezone.localdate(),
            motion="x",
            vote="for",
        )
    recall = services.propose(
        body=general,
        by=people["dee"],
        title="Recall Ana",
        effects_wanted=[
            services.EffectRequest(
                EffectKind.RECALL_DELEGATE, {"delegate": delegates["ana"].public_id}
            )
        ],
    )
    services.open_voting(proposal=recall, by=people["dee"], closes_at=later())
    services.cast_ballot(proposal=recall, voter=people["dee"], choice="yes")
    services.cast_ballot(proposal=recall, voter=people["cruz"], choice="yes")
    close_in_meeting(recall, by=people["dee"])
    delegates["ana"].refresh_from_db()
    assert not delegates["ana"].serving and delegates["ana"].recalled_by == recall
    assert list(Delegate.objects.serving()) == [delegates["ben"]]


def test_an_election_of_delegates_stands_members_of_the_body(people, general):
    with pytest.raises(ValidationError) as refused:
        services.propose(
            body=general,
            by=people["org"],
            title="Delegates",
            method="approval",
            options=["ana", "listy"],
            effects_wanted=[services.EffectRequest(EffectKind.ELECT_DELEGATES, {"assembly": "x"})],
        )
    assert "options" in refused.value.error_dict


def test_proxies_vote_for_the_giver_until_they_vote_or_revoke(people, general):
    with pytest.raises(ValidationError):
        services.give_proxy(body=general, giver=people["ana"], holder=people["ben"])
    Body.objects.filter(pk=general.pk).update(allow_proxies=True)
    general.refresh_from_db()
    services.give_proxy(body=general, giver=people["ana"], holder=people["ben"])
    services.give_proxy(body=general, giver=people["cruz"], holder=people["ben"])
    proposal = services.propose(body=general, by=people["org"], title="Rent a hall")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    assert set(services.proxies_held(people["ben"], proposal)) == {people["ana"], people["cruz"]}
    services.cast_ballot(
        proposal=proposal, voter=people["ben"], choice="yes", for_member=people["ana"]
    )
    ballot = Ballot.objects.get(voter=people["ana"])
    assert ballot.cast_by == people["ben"]
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="no")  # her own vote wins
    with pytest.raises(ValidationError):
        services.cast_ballot(
            proposal=proposal, voter=people["ben"], choice="yes", for_member=people["ana"]
        )
    with pytest.raises(PermissionDenied):
        services.cast_ballot(
            proposal=proposal, voter=people["dee"], choice="yes", for_member=people["cruz"]
        )
    services.revoke_proxy(body=general, giver=people["cruz"])
    with pytest.raises(PermissionDenied):
        services.cast_ballot(
            proposal=proposal, voter=people["ben"], choice="yes", for_member=people["cruz"]
        )
    secret = services.propose(body=general, by=people["org"], title="Treasurer", secret=True)
    services.open_voting(proposal=secret, by=people["org"], closes_at=later())
    assert services.proxies_held(people["ben"], secret) == []
