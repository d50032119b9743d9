"""Writes of direct democracy: proposing, opening the vote, casting ballots (open, secret,
offline). Closing, with the tally and the effects, is `closing.py`.

Every write locks the proposal's row first, so concurrent ballots, closes and effects line
up: K identical ballots give one vote, and a decision's effects run exactly once, in the
transaction that records the result.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.democracy import access, effects, notices, sealing, titles
from solnet.democracy.models import (
    CHOICE_METHODS,
    NEEDS_REASON,
    POSITIONS,
    Ballot,
    Body,
    BodyKind,
    Effect,
    Method,
    NoticeKind,
    Option,
    Participation,
    Proposal,
    Proxy,
    Status,
)
from solnet.members.models import Member

MAX_OPTIONS = 50
MAX_VOTING_DAYS = 90


def receipt_digest(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().encode()).hexdigest()


# --- bodies ---------------------------------------------------------------------------------


def body_of_council(council) -> Body:
    body, _created = Body.objects.get_or_create(kind=BodyKind.COUNCIL, council=council)
    return body


def body_of_fight(fight) -> Body:
    body, _created = Body.objects.get_or_create(kind=BodyKind.FIGHT, fight=fight)
    return body


def body_of_committee(committee) -> Body:
    body, _created = Body.objects.get_or_create(kind=BodyKind.COMMITTEE, committee=committee)
    return body


# --- proposing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectRequest:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def propose(
    *,
    body: Body,
    by: Member,
    title: str,
    title_key: str = "",
    title_params: dict[str, Any] | None = None,
    text: str = "",
    method: str = "",
    threshold: Fraction | None = None,
    seats: int = 1,
    max_score: int = 5,
    secret: bool = False,
    options: Sequence[str] = (),
    effects_wanted: Sequence[EffectRequest] = (),
    closes_at: datetime | None = None,
) -> Proposal:
    """Puts a proposal to a body; it is discussed until someone opens the vote — or, with
    `closes_at`, voting opens at once (in the same transaction: a refused close leaves no
    proposal behind). A title the app wrote comes with its `title_key` and `title_params`
    (`democracy.titles`), so that each reader reads it in their own language."""
    if title_key and title_key not in titles.TITLES:
        raise ValueError(f"Unknown title: {title_key}")
    prepared = [effects.prepare(e.kind, e.params, body=body, by=by) for e in effects_wanted]
    fights = {p.fight.pk: p.fight for p in prepared if p.fight is not None}
    fight = next(iter(fights.values()), None)
    involved = fight is not None and _involved(by, fight)
    if not (access.can_propose(by, body) or involved):
        raise PermissionDenied
    method = method or body.default_method
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("Give the proposal a title.")
    if method not in Method.values:
        errors["method"] = _("Choose a method from the list.")
    labels = [label.strip() for label in options if label.strip()]
    electing = any(e.kind in effects.ELECTION_EFFECTS for e in effects_wanted)
    candidates: list[Member | None] = [None] * len(labels)
    if electing:
        found, named, problem = _candidates(body, labels)
        if problem:
            errors["options"] = problem
        else:
            candidates, labels = found, named
    if method in CHOICE_METHODS and "options" not in errors:
        if len(labels) < 2:
            errors["options"] = _("A choice needs at least two options.")
        elif len(labels) > MAX_OPTIONS:
            errors["options"] = _("At most %(count)s options.") % {"count": MAX_OPTIONS}
        elif len({label.casefold() for label in labels}) != len(labels):
            errors["options"] = _("Each option must be different.")
        elif not 1 <= seats < len(labels):
            errors["seats"] = _("There must be fewer seats than options.")
    if method in CHOICE_METHODS:
        if prepared and not all(e.kind in effects.ELECTION_EFFECTS for e in effects_wanted):
            errors["method"] = _("A decision that does something is a yes-or-no question.")
    elif labels:
        errors["options"] = _("Options are for approval, score or ranked votes.")
    elif electing:
        errors["method"] = _("Delegates are elected by approval, score or ranked vote.")
    if method == Method.SCORE and not 1 <= max_score <= 10:
        errors["max_score"] = _("The highest score is from 1 to 10.")
    # Only a supermajority has a share of its own; one sent with another method is moot.
    supermajority = method == Method.SUPERMAJORITY
    threshold = (threshold or body.threshold) if supermajority else Fraction(1, 2)
    if not Fraction(1, 2) <= threshold <= 1:
        errors["threshold"] = _("A supermajority is more than half, such as 2/3 or 3/4.")
    if len(fights) > 1:
        errors["__all__"] = _("A proposal is about one fight at most.")
    subject_decides = any(p.subject_decides for p in prepared)
    if subject_decides and secret:
        errors["secret"] = _("The campaign subject's decision is not a secret ballot.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal.objects.create(
        body=body,
        title=title,
        title_key=title_key,
        title_params=(title_params or {}) if title_key else {},
        text=text.strip(),
        method=method,
        threshold_num=threshold.numerator,
        threshold_den=threshold.denominator,
        seats=seats if method in CHOICE_METHODS else 1,
        max_score=max_score,
        secret=secret,
        fight=fight,
        subject_decides=subject_decides,
        proposed_by=by,
    )
    Option.objects.bulk_create(
        Option(proposal=proposal, number=number, label=label, member=member)
        for number, (label, member) in enumerate(zip(labels, candidates, strict=True), start=1)
    )
    Effect.objects.bulk_create(
        Effect(proposal=proposal, kind=wanted.kind, params=done.params)
        for wanted, done in zip(effects_wanted, prepared, strict=True)
    )
    audit.record("democracy.proposed", actor=by, target=proposal, method=method, secret=secret)
    if closes_at is not None:
        return open_voting(proposal=proposal, by=by, closes_at=closes_at)
    return proposal


def _candidates(body: Body, names: list[str]) -> tuple[list[Member | None], list[str], str]:
    """An election of delegates stands members: each option is a sign-in name of someone
    with a vote in the body."""
    voters = access.electorate_of(body)
    found: list[Member | None] = []
    for name in names:
        member = voters.filter(username=name).first()
        if member is None:
            return (
                [],
                [],
                _("“%(name)s” is nobody with a vote here: give sign-in names.") % {"name": name},
            )
        found.append(member)
    return found, [m.display_name for m in found if m is not None], ""


def _involved(member: Member, fight) -> bool:
    from solnet.fights import access as fight_access

    return fight_access.is_on_team(member, fight) or fight_access.is_subject(member, fight)


@transaction.atomic
def open_voting(*, proposal: Proposal, by: Member, closes_at: datetime) -> Proposal:
    """Discussion ends and voting begins; it stays open at least the body's notice."""
    proposal = _locked(proposal)
    if not access.can_facilitate(by, proposal):
        raise PermissionDenied
    if proposal.status != Status.DISCUSSION:
        raise ValidationError(_("Voting has already begun."), code="not_in_discussion")
    now = timezone.now()
    notice = timedelta(hours=proposal.body.notice_hours)
    if closes_at < now + notice:
        raise ValidationError(
            {
                "closes_at": _("This body's notice is %(hours)s hours: close the vote later.")
                % {"hours": proposal.body.notice_hours}
            }
        )
    if closes_at > now + timedelta(days=MAX_VOTING_DAYS):
        raise ValidationError(
            {"closes_at": _("A vote stays open %(days)s days at most.") % {"days": 90}}
        )
    proposal.status = Status.VOTING
    proposal.voting_opened_at = now
    proposal.closes_at = closes_at
    proposal.save(update_fields=["status", "voting_opened_at", "closes_at"])
    audit.record("democracy.voting_opened", actor=by, target=proposal)
    notices.tell(NoticeKind.OPENED, members=access.electorate(proposal), proposal=proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(*, proposal: Proposal, by: Member) -> Proposal:
    proposal = _locked(proposal)
    if proposal.proposed_by_id != by.pk:
        raise PermissionDenied
    if proposal.is_closed:
        raise ValidationError(_("This proposal has already been decided."), code="closed")
    proposal.status = Status.WITHDRAWN
    proposal.closed_at = timezone.now()
    proposal.save(update_fields=["status", "closed_at"])
    if proposal.secret:
        # Nothing stays sealed for ever: its ballots are kept as a closed vote's are.
        sealing.unseal_all(proposal)
    audit.record("democracy.withdrawn", actor=by, target=proposal)
    return proposal


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("body").get(pk=proposal.pk)


# --- ballots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    ballot: Ballot
    # A secret ballot's receipt, shown to its voter once and kept nowhere.
    receipt: str = ""
    changed: bool = False


def clean_choice(proposal: Proposal, raw: Any) -> str:
    """A ballot's choice in its stored form, or a ValidationError that says what is wrong.

    raw: a position for a yes-or-no question; option numbers in order of preference for a
    ranked vote; the set of approved numbers; {number: score} for a score vote."""
    numbers = set(proposal.options.values_list("number", flat=True))
    if proposal.method in POSITIONS:
        if raw not in POSITIONS[Method(proposal.method)]:
            raise ValidationError({"choice": _("Choose one of the answers.")})
        return str(raw)
    if proposal.method == Method.APPROVAL:
        chosen = sorted({int(n) for n in raw})
        if not set(chosen) <= numbers:
            raise ValidationError({"choice": _("Choose among the options.")})
        return ",".join(map(str, chosen))
    if proposal.method == Method.SCORE:
        scores = {int(n): int(s) for n, s in dict(raw).items()}
        if not set(scores) <= numbers:
            raise ValidationError({"choice": _("Choose among the options.")})
        if any(not 0 <= s <= proposal.max_score for s in scores.values()):
            raise ValidationError(
                {"choice": _("Scores go from 0 to %(top)s.") % {"top": proposal.max_score}}
            )
        return ",".join(f"{n}:{s}" for n, s in sorted(scores.items()))
    ranking = [int(n) for n in raw]
    if len(set(ranking)) != len(ranking):
        raise ValidationError({"choice": _("Give each option a different place.")})
    if not set(ranking) <= numbers:
        raise ValidationError({"choice": _("Choose among the options.")})
    if not ranking:
        raise ValidationError({"choice": _("Rank at least one option.")})
    return ",".join(map(str, ranking))


def _check_reason(proposal: Proposal, choice: str, reason: str) -> str:
    reason = reason.strip()
    if choice in NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Say why: an objection or a block needs a reason.")})
    if len(reason) > sealing.MAX_REASON:
        raise ValidationError(
            {
                "reason": _("A reason is at most %(count)s characters.")
                % {"count": sealing.MAX_REASON}
            }
        )
    return reason if proposal.method in POSITIONS else ""


def _open_for_votes(proposal: Proposal) -> None:
    closes_at = proposal.closes_at
    if proposal.status != Status.VOTING or closes_at is None or closes_at <= timezone.now():
        raise ValidationError(_("This vote is not open."), code="not_open")


@transaction.atomic
def cast_ballot(
    *,
    proposal: Proposal,
    voter: Member,
    choice: Any,
    reason: str = "",
    receipt: str = "",
    for_member: Member | None = None,
) -> Cast:
    """Casts (or changes) the voter's ballot. An open ballot is changed in place. A secret
    ballot is changed by giving its receipt; without one, a voter who has voted is told so.
    `for_member`: the voter casts the open ballot of a member who gave them their proxy (a
    ballot that member cast themself stands)."""
    proposal = _locked(proposal)
    holder = None
    if for_member is not None:
        if not _holds_proxy(voter, for_member, proposal):
            raise PermissionDenied
        holder, voter = voter, for_member
    if not access.may_vote(voter, proposal):
        raise PermissionDenied
    _open_for_votes(proposal)
    stored = clean_choice(proposal, choice)
    reason = _check_reason(proposal, stored, reason)
    if proposal.secret:
        return _cast_secret(proposal, voter, stored, reason, receipt)
    ballot = Ballot.objects.filter(proposal=proposal, voter=voter).first()
    changed = ballot is not None
    if ballot is None:
        ballot = Ballot(proposal=proposal, voter=voter)
    elif holder is not None and ballot.cast_by_id is None:
        raise ValidationError(_("They have voted themselves; their vote stands."), code="own")
    ballot.choice, ballot.reason, ballot.cast_at = stored, reason, timezone.now()
    ballot.offline, ballot.entered_by, ballot.cast_by = False, None, holder
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        # A racing identical request won (only possible where the row lock is not taken):
        # that one vote stands.
        raise ValidationError(_("Your vote is already recorded."), code="duplicate") from None
    audit.record(
        "democracy.voted",
        actor=holder or voter,
        target=proposal,
        changed=changed,
        **({"for_member": voter.pk} if holder else {}),
    )
    return Cast(ballot=ballot, changed=changed)


def _holds_proxy(holder: Member, giver: Member, proposal: Proposal) -> bool:
    if proposal.secret or not proposal.body.allow_proxies:
        return False
    return Proxy.objects.filter(
        body=proposal.body, giver=giver, holder=holder, revoked_at__isnull=True
    ).exists()


def _cast_secret(proposal: Proposal, voter: Member, stored: str, reason: str, receipt: str):
    """A secret ballot is sealed until the count (`democracy.sealing`): one new row of a fixed
    size, and one participation row, each under a random key. Nothing else is written — no
    count, no time, no audit row — so that two copies of the database taken around the vote
    show who took part and a new ciphertext, never what it holds; and each vote costs the
    same whatever the number cast before it."""
    took_part = Participation.objects.filter(proposal=proposal, voter=voter).exists()
    if receipt.strip():
        digest = receipt_digest(receipt)
        ballot = Ballot.objects.filter(
            proposal=proposal, receipt_index=sealing.receipt_index(digest)
        ).first()
        if ballot is None or not took_part:
            raise ValidationError({"receipt": _("That receipt is not one of this vote's.")})
        ballot.sealed = sealing.seal(proposal, choice=stored, reason=reason, receipt_digest=digest)
        ballot.save(update_fields=["sealed"])
        return Cast(ballot=sealing.opened(ballot), receipt=receipt.strip(), changed=True)
    if took_part:
        raise ValidationError(
            _("You have voted. To change your vote, give the receipt you were shown."),
            code="duplicate",
        )
    try:
        with transaction.atomic():
            Participation.objects.create(proposal=proposal, voter=voter)
    except IntegrityError:
        raise ValidationError(_("Your vote is already recorded."), code="duplicate") from None
    new_receipt = secrets.token_urlsafe(16)
    digest = receipt_digest(new_receipt)
    ballot = Ballot.objects.create(
        proposal=proposal,
        sealed=sealing.seal(proposal, choice=stored, reason=reason, receipt_digest=digest),
        receipt_index=sealing.receipt_index(digest),
    )
    # No audit row: who voted when, beside the ballots, is what a secret ballot must not keep.
    return Cast(ballot=sealing.opened(ballot), receipt=new_receipt)


@transaction.atomic
def enter_offline_ballot(
    *, proposal: Proposal, voter: Member, choice: Any, reason: str = "", by: Member
) -> Ballot:
    """The facilitator enters a vote given by phone or in person. It is marked as such and
    audit-logged; a secret ballot cannot be given through someone else."""
    proposal = _locked(proposal)
    if not access.can_facilitate(by, proposal):
        raise PermissionDenied
    if proposal.secret:
        raise ValidationError(_("A secret ballot is cast by the voter alone."), code="secret")
    _open_for_votes(proposal)
    if not access.may_vote(voter, proposal):
        raise ValidationError({"voter": _("This person has no vote here.")})
    stored = clean_choice(proposal, choice)
    reason = _check_reason(proposal, stored, reason)
    ballot, _created = Ballot.objects.update_or_create(
        proposal=proposal,
        voter=voter,
        defaults={
            "choice": stored,
            "reason": reason,
            "offline": True,
            "entered_by": by,
            "cast_at": timezone.now(),
        },
    )
    audit.record("democracy.offline_vote", actor=by, target=proposal, voter=voter.pk)
    return ballot


def find_receipt(*, proposal: Proposal, receipt: str) -> Ballot | None:
    """The secret ballot a receipt stands for, so its voter can check it was counted (and,
    before the close, read it again): sealed, found by its keyed index and opened in memory;
    counted, by the SHA-256 it shows."""
    if not proposal.secret or not receipt.strip():
        return None
    digest = receipt_digest(receipt)
    ballot = Ballot.objects.filter(proposal=proposal, receipt_digest=digest).first()
    if ballot is None:
        ballot = Ballot.objects.filter(
            proposal=proposal, receipt_index=sealing.receipt_index(digest)
        ).first()
    return None if ballot is None else sealing.opened(ballot)
