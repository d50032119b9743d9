"""Delegates and proxies: sending members with a mandate (the effect of an election),
recalling them (the effect of a recall vote), their reports of how they voted elsewhere; and
a member's vote given to another where the body allows it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.democracy import access
from solnet.democracy.models import Body, Delegate, DelegateVote, Proposal, Proxy
from solnet.members.models import Member


@transaction.atomic
def send_delegates(
    *,
    proposal: Proposal,
    members: list[Member],
    assembly: str,
    to_body: Body | None,
    term_ends: datetime.date | None,
) -> list[Delegate]:
    """The winners of an election go as delegates; the election's text is their mandate."""
    made = []
    for member in members:
        delegate = Delegate.objects.create(
            body=proposal.body,
            member=member,
            assembly=assembly,
            to_body=to_body,
            mandate=proposal.text or proposal.title,
            elected_by=proposal,
            term_ends=term_ends,
        )
        audit.record("democracy.delegate_sent", target=delegate, decision=proposal.public_id)
        made.append(delegate)
    return made


@transaction.atomic
def recall_delegate(*, delegate: Delegate, proposal: Proposal) -> Delegate:
    delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
    if not delegate.serving:
        raise ValidationError(_("This delegate no longer serves."), code="not_serving")
    delegate.ended_at, delegate.recalled_by = timezone.now(), proposal
    delegate.save(update_fields=["ended_at", "recalled_by"])
    audit.record("democracy.delegate_recalled", target=delegate, decision=proposal.public_id)
    return delegate


def end_expired_delegations() -> int:
    today = timezone.localdate()
    return Delegate.objects.filter(ended_at__isnull=True, term_ends__lt=today).update(
        ended_at=timezone.now()
    )


@transaction.atomic
def report_delegate_vote(
    *, delegate: Delegate, by: Member, voted_on: datetime.date, motion: str, vote: str
) -> DelegateVote:
    """A delegate tells the body that sent them how they voted."""
    if delegate.member_id != by.pk:
        raise PermissionDenied
    errors = {}
    if not motion.strip():
        errors["motion"] = _("Say what was voted on.")
    if not vote.strip():
        errors["vote"] = _("Say how you voted.")
    if voted_on > timezone.localdate():
        errors["voted_on"] = _("A vote cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    reported = DelegateVote.objects.create(
        delegate=delegate, voted_on=voted_on, motion=motion.strip(), vote=vote.strip()
    )
    audit.record("democracy.delegate_reported", actor=by, target=delegate)
    return reported


# --- proxies --------------------------------------------------------------------------------


@transaction.atomic
def give_proxy(*, body: Body, giver: Member, holder: Member) -> Proxy:
    """A member gives their vote in a body's open ballots to another, until revoked."""
    if not body.allow_proxies:
        raise ValidationError(_("This body's rules do not allow proxy votes."), code="no_proxies")
    voters = access.electorate_of(body)
    if not voters.filter(pk=giver.pk).exists():
        raise PermissionDenied
    if holder.pk == giver.pk or not voters.filter(pk=holder.pk).exists():
        raise ValidationError({"username": _("Give your vote to another member of this body.")})
    Proxy.objects.filter(body=body, giver=giver, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(body=body, giver=giver, holder=holder)
    except IntegrityError:
        raise ValidationError(_("Your vote is already given."), code="duplicate") from None
    audit.record("democracy.proxy_given", actor=giver, target=body, holder=holder.pk)
    return proxy


@transaction.atomic
def revoke_proxy(*, body: Body, giver: Member) -> int:
    revoked = Proxy.objects.filter(body=body, giver=giver, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record("democracy.proxy_revoked", actor=giver, target=body)
    return revoked


def proxies_held(holder: Member, proposal: Proposal) -> list[Member]:
    """Whose votes `holder` may cast on this proposal."""
    if proposal.secret or not proposal.body.allow_proxies:
        return []
    givers = Member.objects.filter(
        pk__in=Proxy.objects.filter(
            body=proposal.body, holder=holder, revoked_at__isnull=True
        ).values("giver")
    )
    return list(access.electorate(proposal).filter(pk__in=givers.values("pk")))
