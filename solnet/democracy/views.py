"""Pages of a proposal: reading it, voting (open, secret, offline, by proxy), opening and
closing the vote, checking a receipt. Each view: access helper → form → service → response."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.democracy import access, effects, forms, services
from solnet.democracy.models import (
    Ballot,
    Position,
    Status,
)
from solnet.members.models import Member

PAGE_SIZE = 30
RECEIPTS_PAGE = 100


def status_of(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


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
                "waiting": e.waiting,
            }
            for e in proposal.effects.all()
        ],
        "may_vote": may_vote,
        "can_facilitate": access.can_facilitate(member, proposal),
        "closes_in_session": access.closes_in_session(member, proposal),
        "voting": proposal.status == Status.VOTING,
        "own": own,
        "took_part": took_part,
        "voters": access.electorate(proposal).count(),
        "votes_so_far": proposal.ballots.count(),
        "open_form": forms.OpenVotingForm(),
        "offline_form": forms.OfflineBallotForm(proposal=proposal),
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
            page = Paginator(
                receipts.values_list("receipt_digest", "choice"), RECEIPTS_PAGE
            ).get_page(request.GET.get("page"))
            labels = {str(o.number): o.label for o in context["options"]}
            context["receipts"] = page
            context["receipt_rows"] = [
                (digest, describe_choice(proposal, choice, labels)) for digest, choice in page
            ]
    found = extra.get("found")
    if found is not None:
        extra["found_choice"] = describe_choice(proposal, found.choice)
    context.update(extra)
    return context


def describe_choice(proposal, choice: str, labels: dict[str, str] | None = None) -> str:
    """A stored choice in words: “Yes”, or the options in the ballot's order."""
    if choice in Position.values:
        return str(Position(choice).label)
    if labels is None:
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
    """The facilitator of a quorate meeting in session closes the vote now."""
    proposal = access.get_proposal_or_404(request.user, public_id)
    if not (
        access.can_facilitate(request.user, proposal)
        or access.closes_in_session(request.user, proposal)
    ):
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
    form = forms.OfflineBallotForm(request.POST, proposal=proposal)
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
