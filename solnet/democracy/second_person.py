"""A decision that stands in for the two-person rule must carry a second person.

Raising someone to a tier, giving a role, admitting a joiner, or approving a waiting
two-person request (an export of people, a new organizer) by decision is the two-person
rule done by vote. It counts only if at least one yes came from a member who could have
been the second person: not the proposer, not the one who benefits, not anyone the proposer
(or the request's author, or the joiner's inviter) invited or approved, not a newcomer still
in the waiting period (`members.trust`). Otherwise the effect waits for such a member to
approve it, exactly as a two-person request waits.

For a secret ballot nobody knows who voted yes, so the count is a bound: the yes ballots
must outnumber the participants who could not be the second person. Then at least one yes
is from someone who could.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from solnet.core import twoperson
from solnet.core.models import ApprovalRequest
from solnet.democracy.models import (
    Ballot,
    Effect,
    EffectKind,
    Participation,
    Position,
    Proposal,
)
from solnet.members import trust
from solnet.members.access import is_member
from solnet.members.models import Member

# Effects that are the two-person rule done by vote.
GUARDED = (
    EffectKind.SET_TIER,
    EffectKind.GRANT_ROLE,
    EffectKind.ADMIT_MEMBER,
    EffectKind.APPROVE_REQUEST,
)
YES = (Position.YES, Position.CONSENT, Position.CONCERN, Position.AGREE)
ACTION = "democracy.effect"


def _member_pk(public_id: Any) -> int | None:
    return Member.objects.filter(public_id=str(public_id)).values_list("pk", flat=True).first()


def parties(effect: Effect, proposal: Proposal) -> tuple[set[int], set[int]]:
    """Who asked for what the effect does, and who benefits from it (internal ids)."""
    requesters: set[int] = set()
    if proposal.proposed_by_id is not None:
        requesters.add(proposal.proposed_by_id)
    beneficiaries: set[int] = set()
    if effect.kind == EffectKind.APPROVE_REQUEST:
        approval = ApprovalRequest.objects.filter(public_id=effect.params.get("approval")).first()
        if approval is not None:
            if approval.requested_by_id is not None:
                requesters.add(approval.requested_by_id)
            beneficiaries |= set(twoperson.beneficiaries(approval))
    else:
        member = Member.objects.filter(public_id=str(effect.params.get("member"))).first()
        if member is not None:
            beneficiaries.add(member.pk)
            if effect.kind == EffectKind.ADMIT_MEMBER and member.invited_by_id:
                requesters.add(member.invited_by_id)
    return requesters, beneficiaries


def carried_by_another(proposal: Proposal, effect: Effect) -> bool:
    """Whether a yes came from someone who may be the second person (see the module)."""
    if effect.kind not in GUARDED:
        return True
    requesters, beneficiaries = parties(effect, proposal)
    barred = trust.disqualified_seconds(requester_ids=requesters, beneficiary_ids=beneficiaries)
    yes = Ballot.objects.filter(proposal=proposal, choice__in=YES)
    if not proposal.secret:
        # A ballot cast by proxy or entered by a facilitator counts only if the hand that
        # cast it could also have been the second person.
        voters = yes.exclude(Q(cast_by__in=barred) | Q(entered_by__in=barred)).values("voter")
        seconds = Member.objects.filter(pk__in=voters).exclude(pk__in=barred)
        return any(trust.is_settled(m) for m in seconds)
    took_part = Member.objects.filter(
        pk__in=Participation.objects.filter(proposal=proposal).values("voter")
    )
    unqualified = sum(1 for m in took_part if m.pk in barred or not trust.is_settled(m))
    return yes.count() > unqualified


def wait_for_one(proposal: Proposal, effect: Effect) -> None:
    """The effect waits for a second person: as a two-person request (its own, or the one
    it was to approve, which simply stays open)."""
    Effect.objects.filter(pk=effect.pk).update(waiting=True)
    if effect.kind == EffectKind.APPROVE_REQUEST:
        return
    requesters, beneficiaries = parties(effect, proposal)
    ApprovalRequest.objects.create(
        action=ACTION,
        params={
            "effect_id": effect.pk,
            "proposal": proposal.public_id,
            "member_id": next(iter(beneficiaries), None),
            # The joiner's inviter, or the author of the request the decision approves.
            "asked_by_ids": sorted(requesters - {proposal.proposed_by_id}),
        },
        requested_by_id=proposal.proposed_by_id,
        expires_at=_expiry(),
    )


def _expiry():
    from django.utils import timezone

    return timezone.now() + twoperson.APPROVAL_WINDOW


def _run(params: dict[str, Any], approval: ApprovalRequest) -> None:
    from django.utils import timezone

    from solnet.democracy import effects

    effect = Effect.objects.select_related("proposal").get(pk=params["effect_id"])
    effects.run(effect.kind, effect.params, effect.proposal)
    Effect.objects.filter(pk=effect.pk).update(waiting=False, ran_at=timezone.now())


def _describe(params: dict[str, Any]) -> str:
    from solnet.democracy import effects

    effect = Effect.objects.select_related("proposal").filter(pk=params["effect_id"]).first()
    if effect is None:
        return "?"
    return _("%(what)s — passed by the decision “%(title)s”") % {
        "what": effects.describe(effect.kind, effect.params),
        "title": effect.proposal.display_title,
    }


def _can_approve(member: Member, params: dict[str, Any]) -> bool:
    from solnet.democracy import access

    proposal = Proposal.objects.filter(public_id=params.get("proposal")).first()
    return (
        proposal is not None
        and is_member(member)
        and access.electorate_of(proposal.body).filter(pk=member.pk).exists()
    )


twoperson.register(
    twoperson.TwoPersonAction(
        name=ACTION,
        run=_run,
        describe=_describe,
        # Only a closing decision asks, never a page.
        can_request=lambda member: False,
        can_approve=_can_approve,
        beneficiary_keys=("member_id",),
    )
)


def _others_who_asked(member: Member, approval: ApprovalRequest) -> bool:
    """Whoever else asked for what a waiting effect does (a joiner's inviter, the author of
    a request) is barred like its requester, and so is everyone they brought in."""
    if approval.action != ACTION:
        return True
    asked = approval.params.get("asked_by_ids") or []
    return member.pk not in trust.disqualified_seconds(requester_ids=asked, beneficiary_ids=())


twoperson.add_guard(_others_who_asked)
