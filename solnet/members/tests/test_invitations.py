"""Invitations: single-use, expiring, revocable, ≥128-bit; joining and approval."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solnet.core.models import AuditEvent
from solnet.members import services
from solnet.members.models import Invitation, JoinApproval, Member, Tier, token_digest

pytestmark = pytest.mark.django_db

JOIN = {
    "username": "ana",
    "display_name": "Ana",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
}


@pytest.fixture
def invitation(member):
    return services.create_invitation(created_by=member, tier=Tier.MEMBER, label="Ana")


def test_the_link_carries_at_least_128_bits_and_only_its_digest_is_kept(invitation):
    row, token = invitation
    assert len(token) * 6 >= 256  # base64url: 6 bits a character
    assert row.token_digest == token_digest(token)
    assert not Invitation.objects.filter(token_digest=token).exists()


def test_joining_with_a_fresh_link_creates_a_pending_member(client, invitation, member):
    _row, token = invitation
    response = client.post(f"/join/{token}/", JOIN)
    assert response.status_code == 302
    ana = Member.objects.get(username="ana")
    assert ana.status == Member.Status.PENDING and ana.invited_by == member
    assert AuditEvent.objects.filter(action="member.joined").exists()


def _refused(client, token) -> None:
    response = client.get(f"/join/{token}/")
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    before = Member.objects.count()
    response = client.post(f"/join/{token}/", {**JOIN, "username": "someone_else"})
    assert response.status_code == 404
    assert Member.objects.count() == before


def test_a_used_link_is_refused(client, invitation):
    _row, token = invitation
    client.post(f"/join/{token}/", JOIN)
    client.logout()
    _refused(client, token)


def test_an_expired_link_is_refused(client, invitation):
    row, token = invitation
    Invitation.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(client, token)


def test_a_revoked_link_is_refused(client, invitation, member):
    row, token = invitation
    services.revoke_invitation(invitation=row, by=member)
    _refused(client, token)


def test_a_made_up_link_is_refused(client, network):
    _refused(client, "x" * 43)


def test_bad_input_changes_nothing_and_says_why(client, invitation):
    _row, token = invitation
    response = client.post(f"/join/{token}/", {**JOIN, "password2": "something else entirely"})
    assert response.status_code == 200
    assert b"The two passwords are not the same." in response.content
    assert not Member.objects.filter(username="ana").exists()
    assert Invitation.objects.usable().count() == 1


def test_a_taken_sign_in_name_is_refused_clearly(client, invitation):
    _row, token = invitation
    response = client.post(f"/join/{token}/", {**JOIN, "username": "Member"})
    assert b"This sign-in name is taken" in response.content
    assert Invitation.objects.usable().count() == 1


def test_invitation_bad_input_gets_a_clear_error(signed_in, member):
    client = signed_in(member)
    response = client.post(reverse("members:invitations"), {"tier": 40, "days": 90})
    assert response.status_code == 422
    assert b"Select a valid choice" in response.content
    assert b"Ensure this value is less than or equal to 30" in response.content
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_one_link_make_one_member(network, member):
    _row, token = services.create_invitation(created_by=member, tier=Tier.MEMBER)
    outcomes = []

    def attempt(name):
        from django.db import connections

        try:
            services.accept_invitation(
                token=token, username=name, display_name=name, password="a long passphrase 1"
            )
            outcomes.append("joined")
        except Exception as error:  # the loser's refusal, whatever its form
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(f"racer{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("joined") == 1
    assert set(outcomes) - {"joined"} <= {"ValidationError"}
    assert Member.objects.filter(username__startswith="racer").count() == 1


def test_approvals_count_up_to_the_networks_setting(network, personas):
    network.approvals_to_join = 2
    network.save()
    joiner = personas["pending"].member
    services.approve_joiner(joiner=joiner, approver=personas["member"].member)
    joiner.refresh_from_db()
    assert joiner.status == Member.Status.PENDING
    services.approve_joiner(joiner=joiner, approver=personas["organizer"].member)
    joiner.refresh_from_db()
    assert joiner.status == Member.Status.ACTIVE
    assert JoinApproval.objects.filter(joiner=joiner).count() == 2


def test_a_network_without_approval_lets_joiners_in_at_once(client, network, member):
    network.approvals_to_join = 0
    network.save()
    _row, token = services.create_invitation(created_by=member, tier=Tier.PHONE_TREE)
    client.post(f"/join/{token}/", JOIN)
    ana = Member.objects.get(username="ana")
    assert ana.status == Member.Status.ACTIVE and ana.tier == Tier.PHONE_TREE


def test_a_declined_joiner_is_deleted(signed_in, personas):
    joiner = personas["pending"].member
    client = signed_in(personas["member"].member)
    response = client.post(reverse("members:pending_decline", args=[joiner.public_id]))
    assert response.status_code == 302
    assert not Member.objects.filter(pk=joiner.pk).exists()


def test_the_founding_link_is_replaced_each_time_and_stops_once_someone_joined(client, db):
    _first, first_token = services.issue_founding_invitation()
    _second, second_token = services.issue_founding_invitation()
    assert client.get(f"/join/{first_token}/").status_code == 404
    client.post(f"/join/{second_token}/", {**JOIN, "username": "rosa"})
    founder = Member.objects.get(username="rosa")
    assert founder.is_founder and founder.tier == Tier.ORGANIZING_TEAM
    assert founder.status == Member.Status.ACTIVE
    assert services.issue_founding_invitation() is None


def test_an_emailed_invitation_reaches_a_real_smtp_server(
    member, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _row, token = services.create_invitation(
            created_by=member, tier=Tier.MEMBER, email="ana@example.org"
        )
    [message] = smtp_server.messages
    assert message["To"] == "ana@example.org"
    assert "Eastside Solidarity Network" in message["Subject"]
    assert f"/join/{token}/" in message.get_payload(decode=True).decode()


def test_the_address_an_invitation_went_to_is_forgotten_once_used(client, member):
    _row, token = services.create_invitation(
        created_by=member, tier=Tier.MEMBER, email="ana@example.org"
    )
    client.post(f"/join/{token}/", JOIN)
    assert Invitation.objects.get(used_by__username="ana").email is None
