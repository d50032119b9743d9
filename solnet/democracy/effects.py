"""Effects: what a passed decision does (DOMAIN.md glossary).

Each kind says how its parameters are checked when the proposal is made (`prepare`, which
also refuses what the proposer could not ask for), how it reads on the proposal
(`describe`), and what it does when the proposal passes (`run`, inside the transaction that
records the result). Parameters hold public ids and values, never personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import twoperson
from solnet.core.models import ApprovalRequest
from solnet.democracy import conflicts
from solnet.democracy.models import Body, BodyKind, EffectKind, Method, Proposal
from solnet.fights import services as fight_services
from solnet.fights import stages
from solnet.fights.models import Fight
from solnet.members import services as member_services
from solnet.members.models import Member, Role, Tier


@dataclass(frozen=True)
class Prepared:
    params: dict[str, Any]
    # A proposal about a fight: everyone involved in it votes too.
    fight: Fight | None = None
    # Only the fight's campaign subjects vote: a decision the network gives them.
    subject_decides: bool = False


@dataclass(frozen=True)
class Kind:
    prepare: Callable[[dict[str, Any], Body, Member], Prepared]
    describe: Callable[[dict[str, Any]], str]
    run: Callable[[dict[str, Any], Proposal], None]
    # Who has a conflict of interest and no vote on it (internal ids): an aid request's
    # applicant and the relations they declared.
    conflicted: Callable[[dict[str, Any]], set[int]] | None = None


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_effect")


def _general_only(body: Body) -> None:
    if body.kind != BodyKind.GENERAL:
        raise _invalid(_("Only the general meeting decides this."))


def _member(public_id: Any, **filters: Any) -> Member:
    member = Member.objects.filter(public_id=str(public_id), **filters).first()
    if member is None:
        raise _invalid(_("Choose a member from the list."))
    return member


# --- a fight moves on -----------------------------------------------------------------------


def _fight_of(params: dict[str, Any]) -> Fight:
    fight = Fight.objects.filter(public_id=str(params.get("fight", ""))).first()
    if fight is None:
        raise _invalid(_("Choose a fight from the list."))
    return fight


def _fight_decided_here(params: dict[str, Any], body: Body, by: Member) -> Fight:
    """The fight a proposal is about, if the proposer may see it and this body may decide
    it: the general meeting, or the fight's own people."""
    from solnet.fights import access as fight_access

    fight = _fight_of(params)
    if not fight_access.visible_fights(by).filter(pk=fight.pk).exists():
        raise _invalid(_("Choose a fight from the list."))
    if body.kind not in (BodyKind.GENERAL, BodyKind.FIGHT) or (
        body.kind == BodyKind.FIGHT and body.fight_id != fight.pk
    ):
        raise _invalid(_("The general meeting or the fight's own people decide its moves."))
    return fight


def _prepare_move(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    fight = _fight_decided_here(params, body, by)
    edge = stages.move(fight.stage, str(params.get("to", "")))
    if edge is None or edge.topic is None:
        raise _invalid(
            _("A fight cannot go from “%(source)s” to “%(target)s”.")
            % {"source": fight.get_stage_display(), "target": params.get("to", "")}
        )
    subjects = stages.is_subjects(edge.topic, fight_services.subject_topics())
    return Prepared(
        params={"fight": fight.public_id, "to": edge.target.value},
        fight=fight,
        subject_decides=subjects,
    )


def _describe_move(params: dict[str, Any]) -> str:
    fight = Fight.objects.filter(public_id=params["fight"]).first()
    return _("Move the fight “%(fight)s” to “%(stage)s”") % {
        "fight": fight or "?",
        "stage": stages.Stage(params["to"]).label,
    }


def _run_move(params: dict[str, Any], proposal: Proposal) -> None:
    fight = _fight_of(params)
    counts = proposal.result.get("counts", {})
    if proposal.method == Method.CONSENT:
        votes_for = counts.get("consent", 0) + counts.get("concern", 0)
        against, abstentions = counts.get("object", 0), 0
    elif proposal.method == Method.CONSENSUS:
        votes_for, against = counts.get("agree", 0), counts.get("block", 0)
        abstentions = counts.get("stand_aside", 0)
    else:
        votes_for, against = counts.get("yes", 0), counts.get("no", 0)
        abstentions = counts.get("abstain", 0)
    fight_services.move_fight_by_decision(
        fight=fight,
        target=params["to"],
        vote=fight_services.Vote(
            decided_on=timezone.localdate(),
            motion=proposal.title,
            present=proposal.present,
            votes_for=votes_for,
            votes_against=against,
            abstentions=abstentions,
            proposal_ref=proposal.public_id,
        ),
        by_subject=proposal.subject_decides,
        by=proposal.proposed_by,
    )


# --- the two-person rule: a decision is the second person -----------------------------------


def _approval_of(params: dict[str, Any]) -> ApprovalRequest:
    approval = ApprovalRequest.objects.filter(
        public_id=str(params.get("approval", "")), status=ApprovalRequest.Status.PENDING
    ).first()
    if approval is None:
        raise _invalid(_("That request is no longer waiting for a decision."))
    return approval


def _prepare_approve(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    _general_only(body)
    return Prepared(params={"approval": _approval_of(params).public_id})


def _describe_approve(params: dict[str, Any]) -> str:
    approval = ApprovalRequest.objects.filter(public_id=params["approval"]).first()
    what = twoperson.describe(approval) if approval else "?"
    return _("Approve: %(what)s") % {"what": what}


def _run_approve(params: dict[str, Any], proposal: Proposal) -> None:
    twoperson.approve_by_decision(approval=_approval_of(params), decision_ref=proposal.public_id)


# --- membership, tiers and roles ------------------------------------------------------------


def _prepare_admit(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    _general_only(body)
    joiner = _member(params.get("member"), status=Member.Status.PENDING)
    return Prepared(params={"member": joiner.public_id})


def _describe_admit(params: dict[str, Any]) -> str:
    member = Member.objects.filter(public_id=params["member"]).first()
    return _("Admit %(member)s as a member") % {"member": member or "?"}


def _run_admit(params: dict[str, Any], proposal: Proposal) -> None:
    joiner = _member(params["member"], status=Member.Status.PENDING)
    member_services.admit_by_decision(joiner=joiner, decision_ref=proposal.public_id)


def _prepare_tier(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    _general_only(body)
    member = _member(params.get("member"), status=Member.Status.ACTIVE)
    try:
        tier = int(params.get("tier", ""))
    except (TypeError, ValueError):
        tier = 0
    if tier not in Tier.values:
        raise _invalid(_("Choose a tier from the list."))
    return Prepared(params={"member": member.public_id, "tier": tier})


def _describe_tier(params: dict[str, Any]) -> str:
    member = Member.objects.filter(public_id=params["member"]).first()
    return _("Move %(member)s to the tier “%(tier)s”") % {
        "member": member or "?",
        "tier": Tier(params["tier"]).label,
    }


def _run_tier(params: dict[str, Any], proposal: Proposal) -> None:
    member_services.set_tier_by_decision(
        member=_member(params["member"]), tier=params["tier"], decision_ref=proposal.public_id
    )


def _prepare_role(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    _general_only(body)
    member = _member(params.get("member"), status=Member.Status.ACTIVE)
    role = str(params.get("role", ""))
    if role not in Role.values:
        raise _invalid(_("Choose a role from the list."))
    return Prepared(params={"member": member.public_id, "role": role})


def _describe_grant(params: dict[str, Any]) -> str:
    member = Member.objects.filter(public_id=params["member"]).first()
    return _("Give %(member)s the role “%(role)s”") % {
        "member": member or "?",
        "role": Role(params["role"]).label,
    }


def _describe_revoke(params: dict[str, Any]) -> str:
    member = Member.objects.filter(public_id=params["member"]).first()
    return _("Take the role “%(role)s” from %(member)s") % {
        "member": member or "?",
        "role": Role(params["role"]).label,
    }


def _run_grant(params: dict[str, Any], proposal: Proposal) -> None:
    member_services.grant_role_by_decision(
        member=_member(params["member"]), role=params["role"], decision_ref=proposal.public_id
    )


def _run_revoke(params: dict[str, Any], proposal: Proposal) -> None:
    member_services.revoke_role_by_decision(
        member=_member(params["member"]), role=params["role"], decision_ref=proposal.public_id
    )


# --- a body's own rules ---------------------------------------------------------------------

RULES = (
    "voter_tier",
    "quorum_percent",
    "quorum_minimum",
    "newcomers_wait",
    "default_method",
    "threshold",
    "notice_hours",
)


def clean_rules(raw: dict[str, Any]) -> dict[str, Any]:
    """The rules a proposal would set, checked: refuses what a body cannot have."""
    errors: dict[str, str] = {}
    rules: dict[str, Any] = {}

    def number(name: str, low: int, high: int, message: str) -> None:
        try:
            value = int(raw.get(name, ""))
        except (TypeError, ValueError):
            value = low - 1
        if not low <= value <= high:
            errors[name] = message
        else:
            rules[name] = value

    number("quorum_percent", 0, 100, _("A quorum is a percentage from 0 to 100."))
    if raw.get("quorum_minimum") not in (None, ""):
        number("quorum_minimum", 1, 1000, _("The least number present is from 1 to 1000."))
    if "newcomers_wait" in raw:
        rules["newcomers_wait"] = str(raw["newcomers_wait"]).lower() in ("1", "true", "on")
    number("notice_hours", 0, 24 * 60, _("Notice is from 0 to 1440 hours (60 days)."))
    try:
        tier = int(str(raw.get("voter_tier")))
    except (TypeError, ValueError):
        tier = 0
    if tier not in Tier.values:
        errors["voter_tier"] = _("Choose a tier from the list.")
    else:
        rules["voter_tier"] = tier
    if raw.get("default_method") not in Method.values:
        errors["default_method"] = _("Choose a method from the list.")
    else:
        rules["default_method"] = raw["default_method"]
    try:
        num, den = (int(part) for part in str(raw.get("threshold", "")).split("/"))
    except ValueError:
        num, den = 0, 0
    if not (0 < den <= 100 and den / 2 < num <= den):
        errors["threshold"] = _("A supermajority is more than half, such as 2/3 or 3/4.")
    else:
        rules["threshold"] = f"{num}/{den}"
    if errors:
        raise ValidationError(errors)
    return rules


def _prepare_rules(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    return Prepared(params={"rules": clean_rules(params.get("rules", {}))})


def _describe_rules(params: dict[str, Any]) -> str:
    rules = params["rules"]
    return _(
        "Set the rules: votes from “%(tier)s”, quorum %(quorum)s %% and at least %(minimum)s, "
        "usual method “%(method)s”, supermajority %(threshold)s, notice %(notice)s hours"
    ) % {
        "tier": Tier(rules["voter_tier"]).label,
        "quorum": rules["quorum_percent"],
        "minimum": rules.get("quorum_minimum", "—"),
        "method": Method(rules["default_method"]).label,
        "threshold": rules["threshold"],
        "notice": rules["notice_hours"],
    }


def _run_rules(params: dict[str, Any], proposal: Proposal) -> None:
    from solnet.core import audit

    rules = params["rules"]
    body = Body.objects.select_for_update().get(pk=proposal.body_id)
    num, den = (int(part) for part in rules["threshold"].split("/"))
    body.voter_tier = rules["voter_tier"]
    body.quorum_percent = rules["quorum_percent"]
    # Proposals made before these rules existed do not carry them: they keep the body's.
    body.quorum_minimum = rules.get("quorum_minimum", body.quorum_minimum)
    body.newcomers_wait = rules.get("newcomers_wait", body.newcomers_wait)
    body.default_method = rules["default_method"]
    body.threshold_num, body.threshold_den = num, den
    body.notice_hours = rules["notice_hours"]
    body.save()
    audit.record("democracy.rules_changed", target=body, decision=proposal.public_id)


# --- delegates ------------------------------------------------------------------------------


def _prepare_elect(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    import datetime

    assembly = str(params.get("assembly", "")).strip()[:200]
    if not assembly:
        raise ValidationError({"assembly": _("Say where the delegates are sent.")})
    term = str(params.get("term_ends", "") or "")
    if term:
        try:
            ends = datetime.date.fromisoformat(term)
        except ValueError:
            raise ValidationError({"term_ends": _("Give the end of the term as a date.")}) from None
        if ends <= timezone.localdate():
            raise ValidationError({"term_ends": _("A term ends in the future.")})
    from solnet.democracy import access

    to_body = str(params.get("to_body", "") or "")
    if to_body and not access.visible_bodies(by).filter(public_id=to_body).exists():
        raise _invalid(_("Choose a body from the list."))
    return Prepared(params={"assembly": assembly, "term_ends": term, "to_body": to_body})


def _describe_elect(params: dict[str, Any]) -> str:
    text = _("Send those chosen as delegates to %(assembly)s") % {"assembly": params["assembly"]}
    if params.get("term_ends"):
        text += " " + _("until %(date)s") % {"date": params["term_ends"]}
    return text


def _run_elect(params: dict[str, Any], proposal: Proposal) -> None:
    import datetime

    from solnet.democracy.services import delegates

    winners = proposal.result.get("winners", [])
    by_number = {o.number: o.member for o in proposal.options.select_related("member")}
    chosen = [member for n in winners if (member := by_number.get(n)) is not None]
    delegates.send_delegates(
        proposal=proposal,
        members=chosen,
        assembly=params["assembly"],
        to_body=Body.objects.filter(public_id=params.get("to_body") or "-").first(),
        term_ends=datetime.date.fromisoformat(params["term_ends"])
        if params.get("term_ends")
        else None,
    )


def _delegate_of(params: dict[str, Any]):
    from solnet.democracy.models import Delegate

    delegate = Delegate.objects.serving().filter(public_id=str(params.get("delegate", ""))).first()
    if delegate is None:
        raise _invalid(_("That delegate no longer serves."))
    return delegate


def _prepare_recall(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    delegate = _delegate_of(params)
    if delegate.body_id != body.pk:
        raise _invalid(_("Only the body that sent a delegate recalls them."))
    return Prepared(params={"delegate": delegate.public_id})


def _describe_recall(params: dict[str, Any]) -> str:
    from solnet.democracy.models import Delegate

    delegate = Delegate.objects.filter(public_id=params["delegate"]).select_related("member")
    found = delegate.first()
    return _("Recall %(member)s, delegate to %(assembly)s") % {
        "member": found.member if found else "?",
        "assembly": found.assembly if found else "?",
    }


def _run_recall(params: dict[str, Any], proposal: Proposal) -> None:
    from solnet.democracy.services import delegates

    delegates.recall_delegate(delegate=_delegate_of(params), proposal=proposal)


# --- a step of a fight's escalation plan ----------------------------------------------------


def _prepare_step(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    import datetime

    from solnet.fights.models import Tactic

    fight = _fight_decided_here(params, body, by)
    tactic = Tactic.objects.filter(public_id=str(params.get("tactic", ""))).first()
    if tactic is None:
        raise _invalid(_("Choose a tactic from the catalogue."))
    try:
        planned_on = datetime.date.fromisoformat(str(params.get("planned_on", "")))
    except ValueError:
        raise ValidationError({"planned_on": _("Give the step's date.")}) from None
    turnout = params.get("turnout_needed")
    if turnout not in (None, ""):
        try:
            turnout = int(turnout)
        except (TypeError, ValueError):
            turnout = -1
        if not 1 <= turnout <= 10_000:
            raise ValidationError({"turnout_needed": _("Say how many people it needs.")})
    else:
        turnout = None
    return Prepared(
        params={
            "fight": fight.public_id,
            "tactic": tactic.public_id,
            "planned_on": planned_on.isoformat(),
            "turnout_needed": turnout,
        },
        fight=fight,
    )


def _describe_step(params: dict[str, Any]) -> str:
    from solnet.fights.models import Tactic

    fight = Fight.objects.filter(public_id=params["fight"]).first()
    tactic = Tactic.objects.filter(public_id=params["tactic"]).first()
    return _("Add “%(tactic)s” on %(date)s to the plan of “%(fight)s”") % {
        "tactic": tactic or "?",
        "date": params["planned_on"],
        "fight": fight or "?",
    }


def _run_step(params: dict[str, Any], proposal: Proposal) -> None:
    import datetime

    from solnet.fights.models import Tactic

    fight_services.adopt_plan_step(
        fight=_fight_of(params),
        tactic=Tactic.objects.get(public_id=params["tactic"]),
        planned_on=datetime.date.fromisoformat(params["planned_on"]),
        turnout_needed=params["turnout_needed"],
        decision_ref=proposal.public_id,
    )


def _prepare_network_rules(params: dict[str, Any], body: Body, by: Member) -> Prepared:
    from solnet.democracy import network_rules

    _general_only(body)
    return Prepared(params=network_rules.clean(params))


def _describe_network_rules(params: dict[str, Any]) -> str:
    from solnet.democracy import network_rules

    return network_rules.describe(params)


def _run_network_rules(params: dict[str, Any], proposal: Proposal) -> None:
    from solnet.democracy import network_rules

    network_rules.run(params, proposal.public_id)


KINDS: dict[str, Kind] = {
    EffectKind.NETWORK_RULES: Kind(
        _prepare_network_rules, _describe_network_rules, _run_network_rules
    ),
    EffectKind.MOVE_FIGHT: Kind(_prepare_move, _describe_move, _run_move),
    EffectKind.APPROVE_REQUEST: Kind(_prepare_approve, _describe_approve, _run_approve),
    EffectKind.ADMIT_MEMBER: Kind(_prepare_admit, _describe_admit, _run_admit),
    EffectKind.SET_TIER: Kind(_prepare_tier, _describe_tier, _run_tier),
    EffectKind.GRANT_ROLE: Kind(_prepare_role, _describe_grant, _run_grant),
    EffectKind.REVOKE_ROLE: Kind(_prepare_role, _describe_revoke, _run_revoke),
    EffectKind.BODY_RULES: Kind(_prepare_rules, _describe_rules, _run_rules),
    EffectKind.ELECT_DELEGATES: Kind(_prepare_elect, _describe_elect, _run_elect),
    EffectKind.RECALL_DELEGATE: Kind(_prepare_recall, _describe_recall, _run_recall),
    EffectKind.ADOPT_STEP: Kind(_prepare_step, _describe_step, _run_step),
}
# The one effect an election (a choice among options) carries; every other is a yes or no.
ELECTION_EFFECTS = (EffectKind.ELECT_DELEGATES,)


def register(kind: str, handlers: Kind) -> None:
    """An app above this one adds an effect of its own (the funds app: a grant from a fund).
    Its value must be one of `EffectKind`'s."""
    if kind not in EffectKind.values:
        raise ValueError(f"{kind} is not an EffectKind")
    KINDS[kind] = handlers
    if handlers.conflicted is not None:
        conflicts.register(kind, handlers.conflicted)


def prepare(kind: str, params: dict[str, Any], *, body: Body, by: Member) -> Prepared:
    if kind not in KINDS:
        raise _invalid(_("Choose what the decision does from the list."))
    return KINDS[kind].prepare(params, body, by)


def describe(kind: str, params: dict[str, Any]) -> str:
    try:
        return KINDS[kind].describe(params)
    except (KeyError, ValueError):
        return kind


def run(kind: str, params: dict[str, Any], proposal: Proposal) -> None:
    KINDS[kind].run(params, proposal)
