"""The two-person rule: a dangerous action runs once a second member approves, exactly once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solnet.core import twoperson
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.members import services
from solnet.members.models import Member, Role, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def promotion(personas):
    organizer = personas["organizer"].member
    target = personas["phone_tree"].member
    approval = services.change_tier(member=target, tier=Tier.ORGANIZING_TEAM, by=organizer)
    return approval, organizer, target


def test_raising_someone_to_the_organizing_team_waits_for_a_second_member(promotion):
    approval, _organizer, target = promotion
    assert approval.status == ApprovalRequest.Status.PENDING
    target.refresh_from_db()
    assert target.tier == Tier.PHONE_TREE


def test_the_requester_cannot_approve_their_own_request(promotion):
    approval, organizer, _ = promotion
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=organizer)


def test_the_beneficiary_cannot_approve_their_own_promotion(personas):
    organizer = personas["organizer"].member
    member = personas["member"].member
    approval = services.change_tier(member=member, tier=Tier.ORGANIZING_TEAM, by=organizer)
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=member)


def test_a_supporter_cannot_approve(promotion, personas):
    approval, _, _ = promotion
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=personas["supporter"].member)


def test_a_second_member_approves_and_it_runs_once(promotion, personas):
    approval, _, target = promotion
    epoch = target.session_epoch
    approver = personas["member"].member
    twoperson.approve_request(approval=approval, approver=approver)
    target.refresh_from_db()
    assert target.tier == Tier.ORGANIZING_TEAM
    assert target.session_epoch == epoch + 1  # the role change ends their sessions
    approval.refresh_from_db()
    assert approval.status == ApprovalRequest.Status.DONE and approval.approved_by == approver
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=personas["dispatcher"].member)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("member.tier_changed") == 1
    assert "twoperson.requested" in actions and "twoperson.approved" in actions


def test_a_stale_copy_cannot_run_the_action_twice(promotion, personas):
    approval, _, _target = promotion
    stale = ApprovalRequest.objects.get(pk=approval.pk)
    twoperson.approve_request(approval=approval, approver=personas["member"].member)
    # A second approver holding the page from before races in: nothing runs again.
    stale.status = ApprovalRequest.Status.PENDING
    with pytest.raises(ValidationError):
        twoperson._carry_out(stale, approver=personas["dispatcher"].member, decision_ref="")
    assert AuditEvent.objects.filter(action="member.tier_changed").count() == 1


def test_a_passed_decision_stands_in_for_the_second_member(promotion):
    approval, _, target = promotion
    twoperson.approve_by_decision(approval=approval, decision_ref="decision:42")
    target.refresh_from_db()
    assert target.tier == Tier.ORGANIZING_TEAM


def test_rejecting_does_nothing(promotion, personas):
    approval, _, target = promotion
    twoperson.reject_request(approval=approval, member=personas["member"].member)
    target.refresh_from_db()
    assert target.tier == Tier.PHONE_TREE
    approval.refresh_from_db()
    assert approval.status == ApprovalRequest.Status.REJECTED


def test_guarded_roles_wait_and_plain_roles_do_not(personas):
    organizer = personas["organizer"].member
    member = personas["member"].member
    pending = services.grant_role(member=member, role=Role.FUND_COMMITTEE, by=organizer)
    assert pending is not None and not member.role_grants.exists()
    assert services.grant_role(member=member, role=Role.FACILITATOR, by=organizer) is None
    assert list(member.role_grants.values_list("role", flat=True)) == [Role.FACILITATOR]


def test_an_expired_request_cannot_be_approved(promotion, personas):
    from django.utils import timezone

    approval, _, target = promotion
    ApprovalRequest.objects.filter(pk=approval.pk).update(expires_at=timezone.now())
    approval.refresh_from_db()
    with pytest.raises(ValidationError):
        twoperson.approve_request(approval=approval, approver=personas["member"].member)
    assert Member.objects.get(pk=target.pk).tier == Tier.PHONE_TREE
