"""Pages of direct democracy. Each view: access helper → form → service → response."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import member_view
from solnet.democracy import access, effects, forms, notices, services
from solnet.democracy.models import (
    MOTION_METHODS,
    Ballot,
    Body,
    BodyKind,
    EffectKind,
    Method,
    Position,
    Proxy,
    Status,
)
from solnet.members.models import Member

PAGE_SIZE = 30
RECEIPTS_PAGE = 100


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        form.add_error(None, error)


# --- bodies and lists ---------------------------------------------------------------------


@member_view(access.can_see_democracy)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    Body.objects.general()
    show = "decided" if request.GET.get("show") == "decided" else "open"
    proposals = access.visible_proposals(request.user)
    if show == "decided":
        proposals = proposals.filter(status__in=[Status.PASSED, Status.FAILED])
        proposals = proposals.order_by("-closed_at", "-pk")
    else:
        proposals = proposals.open()
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    bodies = access.visible_bodies(request.user).select_related("council", "fight", "committee")
    return render(
        request,
        "democracy/index.html",
        {
            "page": page,
            "show": show,
            "query": f"show={show}",
            "bodies": Paginator(bodies, PAGE_SIZE).get_page(request.GET.get("bodies")),
            "unread": notices.unread(request.user).count(),
            "meetings": access.visible_meetings(request.user).upcoming().order_by("starts_at")[:5],
        },
    )


@member_view()
@require_GET
def body_of(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    """The body of a council, committee or fight the member may see (made when first
    needed), then its page."""
    from solnet.councils import access as council_access
    from solnet.fights import access as fight_access

    member = request.user
    if kind == BodyKind.COUNCIL:
        council = council_access.get_council_or_404(member, public_id)
        body = services.body_of_council(council)
    elif kind == BodyKind.FIGHT:
        fight, _role = fight_access.get_fight_or_404(member, public_id)
        body = services.body_of_fight(fight)
    else:
        raise Http404
    return redirect("democracy:body", public_id=body.public_id)


@member_view()
@require_GET
def put_move(request: HttpRequest, public_id: str, target: str) -> HttpResponse:
    """From a fight's page: put one of its moves to the general meeting's vote, or to the
    fight's own people (`?to=fight`)."""
    from urllib.parse import urlencode

    from solnet.fights import access as fight_access

    fight, _role = fight_access.get_fight_or_404(request.user, public_id)
    if request.GET.get("to") == "fight":
        body = services.body_of_fight(fight)
    else:
        body = Body.objects.general()
    query = urlencode({"fight": fight.public_id, "to": target})
    return redirect(f"{reverse('democracy:propose', args=[body.public_id])}?{query}")


@member_view()
@require_GET
def body_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    proposals = body.proposals.all()
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "democracy/body.html",
        {
            "body": body,
            "page": page,
            "can_propose": access.can_propose(request.user, body),
            "voters": access.electorate_of(body).count(),
            "meetings": body.meetings.upcoming().order_by("starts_at")[:10],
            "delegates": body.delegates.serving().select_related("member")[:PAGE_SIZE],
            "proxy": Proxy.objects.filter(body=body, giver=request.user, revoked_at__isnull=True)
            .select_related("holder")
            .first(),
            "proxy_form": forms.ProxyForm(),
        },
    )


# --- proposing ----------------------------------------------------------------------------


def _wanted_effect(form) -> services.EffectRequest | None:
    data = form.cleaned_data
    if data.get("effect_fight"):
        return services.EffectRequest(
            EffectKind.MOVE_FIGHT, {"fight": data["effect_fight"], "to": data["effect_to"]}
        )
    if data.get("effect_delegate"):
        return services.EffectRequest(
            EffectKind.RECALL_DELEGATE, {"delegate": data["effect_delegate"]}
        )
    kind = data.get("effect")
    if not kind:
        return None
    if kind == EffectKind.ELECT_DELEGATES:
        term = data.get("effect_term_ends")
        return services.EffectRequest(
            kind,
            {
                "assembly": data.get("effect_assembly", ""),
                "term_ends": term.isoformat() if term else "",
            },
        )
    if kind == EffectKind.BODY_RULES:
        rules = {
            "voter_tier": data.get("rule_voter_tier"),
            "quorum_percent": data.get("rule_quorum_percent"),
            "default_method": data.get("rule_default_method"),
            "threshold": data.get("rule_threshold"),
            "notice_hours": data.get("rule_notice_hours"),
        }
        return services.EffectRequest(kind, {"rules": rules})
    member = Member.objects.filter(username=data.get("effect_member", "").strip()).first()
    params: dict[str, Any] = {"member": member.public_id if member else ""}
    if kind == EffectKind.SET_TIER:
        params["tier"] = data.get("effect_tier")
    if kind in (EffectKind.GRANT_ROLE, EffectKind.REVOKE_ROLE):
        params["role"] = data.get("effect_role")
    return services.EffectRequest(kind, params)


def _initial(request: HttpRequest, body: Body) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "method": body.default_method,
        "seats": 1,
        "max_score": 5,
        "threshold": f"{body.threshold_num}/{body.threshold_den}",
        "rule_voter_tier": body.voter_tier,
        "rule_quorum_percent": body.quorum_percent,
        "rule_default_method": body.default_method,
        "rule_threshold": f"{body.threshold_num}/{body.threshold_den}",
        "rule_notice_hours": body.notice_hours,
    }
    if request.GET.get("recall"):
        initial["effect_delegate"] = request.GET["recall"][:24]
    if request.GET.get("fight"):
        initial["effect_fight"] = request.GET["fight"][:24]
        initial["effect_to"] = request.GET.get("to", "")[:20]
        if initial["method"] not in (Method.MAJORITY, Method.SUPERMAJORITY):
            initial["method"] = Method.MAJORITY
    return initial


@member_view()
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    form = forms.ProposalForm(request.POST or None, initial=_initial(request, body))
    fight_move = ""
    fight_params = request.POST if request.method == "POST" else request.GET
    if fight_params.get("effect_fight") or fight_params.get("fight"):
        try:
            prepared = effects.prepare(
                EffectKind.MOVE_FIGHT,
                {
                    "fight": fight_params.get("effect_fight") or fight_params.get("fight"),
                    "to": fight_params.get("effect_to") or fight_params.get("to"),
                },
                body=body,
                by=request.user,
            )
        except ValidationError:
            raise Http404 from None
        fight_move = effects.describe(EffectKind.MOVE_FIGHT, prepared.params)
    elif not access.can_propose(request.user, body):
        raise Http404
    recall = ""
    recalled = fight_params.get("effect_delegate") or fight_params.get("recall")
    if recalled:
        try:
            prepared = effects.prepare(
                EffectKind.RECALL_DELEGATE, {"delegate": recalled}, body=body, by=request.user
            )
        except ValidationError:
            raise Http404 from None
        recall = effects.describe(EffectKind.RECALL_DELEGATE, prepared.params)
    if fight_move or recall:
        # A decision that does something is a yes-or-no question.
        form.fields["method"].choices = [
            (m.value, m.label) for m in Method if m.value in MOTION_METHODS
        ]
        form.initial.setdefault("title", fight_move or recall)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wanted = _wanted_effect(form)
        try:
            proposal = services.propose(
                body=body,
                by=request.user,
                title=data["title"],
                text=data["text"],
                method=data["method"],
                threshold=data["threshold"],
                seats=data["seats"],
                max_score=data["max_score"] or 5,
                secret=data["secret"],
                options=form.option_labels(),
                effects_wanted=[wanted] if wanted else [],
                closes_at=data["closes_at"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The proposal is up."))
            return redirect("democracy:proposal", public_id=proposal.public_id)
    return render(
        request,
        "democracy/propose.html",
        {
            "body": body,
            "form": form,
            "fight_move": fight_move,
            "recall": recall,
            "general": body.kind == BodyKind.GENERAL,
        },
        status=_status(request),
    )


# --- a proposal -----------------------------------------------------------------------------


def _proposal_context(request: HttpRequest, proposal, **extra: Any) -> dict[str, Any]:
    member = request.user
    may_vote = access.may_vote(member, proposal)
    own = None
    took_part = False
    if proposal.secret:
        took_part = proposal.participants.filter(voter=member).exists()
    else:
        own = Ballot.objects.filter(proposal=proposal, voter=member).first()
    context: dict[str, Any] = {
        "proposal": proposal,
        "options": list(proposal.options.all()),
        "effects": [
            {
                "text": effects.describe(e.kind, e.params),
                "ran_at": e.ran_at,
                "failure": e.failure,
            }
            for e in proposal.effects.all()
        ],
        "may_vote": may_vote,
        "can_facilitate": access.can_facilitate(member, proposal),
        "voting": proposal.status == Status.VOTING,
        "own": own,
        "took_part": took_part,
        "voters": access.electorate(proposal).count(),
        "votes_so_far": proposal.ballots.count(),
        "open_form": forms.OpenVotingForm(),
        "offline_form": forms.OfflineBallotForm(),
        "receipt_form": forms.ReceiptForm(),
    }
    if proposal.status == Status.VOTING:
        context["proxy_ballots"] = [
            {"giver": giver, "form": forms.ballot_form(proposal)}
            for giver in services.proxies_held(member, proposal)
        ]
    if proposal.status == Status.VOTING and may_vote:
        initial_data = None
        context["ballot_form"] = extra.pop("ballot_form", None) or forms.ballot_form(
            proposal,
            initial_data,
            with_receipt=proposal.secret and took_part,
            initial=forms.initial_of(proposal, own.choice, own.reason) if own else None,
        )
    if own is not None:
        context["own_choice"] = describe_choice(proposal, own.choice)
    if proposal.is_closed:
        context["rounds"] = _rounds(proposal)
        labels = {o.number: o.label for o in context["options"]}
        context["counts"] = [
            (Position(key).label if key in Position.values else key, value)
            for key, value in proposal.result.get("counts", {}).items()
        ]
        context["winners"] = [labels.get(n, n) for n in proposal.result.get("winners", [])]
        if proposal.secret:
            receipts = Ballot.objects.filter(proposal=proposal).order_by("receipt_digest")
            context["receipts"] = Paginator(
                receipts.values_list("receipt_digest", "choice"), RECEIPTS_PAGE
            ).get_page(request.GET.get("receipts"))
    found = extra.get("found")
    if found is not None:
        extra["found_choice"] = describe_choice(proposal, found.choice)
    context.update(extra)
    return context


def describe_choice(proposal, choice: str) -> str:
    """A stored choice in words: “Yes”, or the options in the ballot's order."""
    if choice in Position.values:
        return str(Position(choice).label)
    labels = {str(o.number): o.label for o in proposal.options.all()}
    parts = []
    for part in choice.split(","):
        number, _sep, score = part.partition(":")
        label = labels.get(number, number)
        parts.append(f"{label}: {score}" if score else label)
    return " · ".join(parts) if parts else "—"


def _rounds(proposal) -> list[dict[str, Any]]:
    """The rounds of a ranked count, with option names, for the results table."""
    labels = {o.number: o.label for o in proposal.options.all()}
    rounds = []
    for entry in proposal.result.get("rounds", []):
        eliminated = entry.get("eliminated")
        rounds.append(
            {
                "number": entry.get("number"),
                "votes": [(labels.get(c, c), _votes(v)) for c, v in entry.get("votes", [])],
                "elected": [labels.get(c, c) for c in entry.get("elected", [])],
                "eliminated": [labels.get(eliminated, eliminated)] if eliminated else [],
                "exhausted": _votes(entry.get("exhausted", 0)),
            }
        )
    return rounds


def _votes(value: Any) -> str:
    """An exact count (an integer, or a fraction "a/b" kept as text) as people read it."""
    exact = Fraction(str(value))
    if exact.denominator == 1:
        return str(exact.numerator)
    return f"{float(exact):.2f}"


@member_view()
@require_GET
def proposal_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = access.get_proposal_or_404(request.user, public_id)
    return render(request, "democracy/proposal.html", _proposal_context(request, proposal))


@member_view()
@require_POST
def vote(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = access.get_proposal_or_404(request.user, public_id)
    for_member = None
    if request.POST.get("for_member"):
        for_member = Member.objects.filter(public_id=request.POST["for_member"]).first()
        if for_member is None:
            raise Http404
    elif not access.may_vote(request.user, proposal):
        raise Http404
    took_part = proposal.secret and proposal.participants.filter(voter=request.user).exists()
    form = forms.ballot_form(proposal, request.POST, with_receipt=took_part)
    if form.is_valid():
        try:
            cast = services.cast_ballot(
                proposal=proposal,
                voter=request.user,
                choice=forms.choice_of(form),
                reason=form.cleaned_data.get("reason", ""),
                receipt=form.cleaned_data.get("receipt", ""),
                for_member=for_member,
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if cast.receipt and not cast.changed:
                # Shown once, on this page; the server keeps only its digest.
                return render(
                    request,
                    "democracy/receipt.html",
                    {"proposal": proposal, "receipt": cast.receipt},
                )
            messages.success(
                request, _("Your vote is changed.") if cast.changed else _("Your vote is in.")
            )
            return redirect("democracy:proposal", public_id=proposal.public_id)
    return render(
        request,
        "democracy/proposal.html",
        _proposal_context(request, proposal, ballot_form=form),
        status=422,
    )


@member_view()
@require_POST
def open_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = access.get_proposal_or_404(request.user, public_id)
    if not access.can_facilitate(request.user, proposal):
        raise Http404
    form = forms.OpenVotingForm(request.POST)
    if form.is_valid():
        try:
            services.open_voting(
                proposal=proposal, by=request.user, closes_at=form.cleaned_data["closes_at"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Voting is open."))
            return redirect("democracy:proposal", public_id=proposal.public_id)
    return render(
        request,
        "democracy/proposal.html",
        _proposal_context(request, proposal, open_form=form),
        status=422,
    )


@member_view()
@require_POST
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    """The meeting closes the vote now."""
    proposal = access.get_proposal_or_404(request.user, public_id)
    if not access.can_facilitate(request.user, proposal):
        raise Http404
    try:
        proposal = services.close_proposal(proposal=proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Passed.") if proposal.status == Status.PASSED else _("Not passed."),
        )
    return redirect("democracy:proposal", public_id=proposal.public_id)


@member_view()
@require_POST
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = access.get_proposal_or_404(request.user, public_id)
    try:
        services.withdraw_proposal(proposal=proposal, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("democracy:proposal", public_id=proposal.public_id)


@member_view()
@require_POST
def offline(request: HttpRequest, public_id: str) -> HttpResponse:
    """A facilitator enters a vote given by phone or in person."""
    proposal = access.get_proposal_or_404(request.user, public_id)
    if not access.can_facilitate(request.user, proposal):
        raise Http404
    form = forms.OfflineBallotForm(request.POST)
    if form.is_valid():
        voter = Member.objects.filter(username=form.cleaned_data["username"].strip()).first()
        try:
            if voter is None:
                raise ValidationError({"username": _("Nobody has that sign-in name.")})
            services.enter_offline_ballot(
                proposal=proposal,
                voter=voter,
                choice=form.choice_for(proposal),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("The vote of %(name)s is entered.") % {"name": voter.display_name}
            )
            return redirect("democracy:proposal", public_id=proposal.public_id)
    return render(
        request,
        "democracy/proposal.html",
        _proposal_context(request, proposal, offline_form=form),
        status=422,
    )


@member_view()
@require_POST
def receipt(request: HttpRequest, public_id: str) -> HttpResponse:
    """A voter checks their secret ballot with its receipt."""
    proposal = access.get_proposal_or_404(request.user, public_id)
    if not proposal.secret:
        raise Http404
    form = forms.ReceiptForm(request.POST)
    found = None
    if form.is_valid():
        found = services.find_receipt(proposal=proposal, receipt=form.cleaned_data["receipt"])
        if found is None:
            form.add_error("receipt", _("No ballot of this vote has that receipt."))
    return render(
        request,
        "democracy/proposal.html",
        _proposal_context(request, proposal, receipt_form=form, found=found, checked=True),
        status=200 if found else 422,
    )
