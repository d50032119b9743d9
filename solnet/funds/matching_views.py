"""The matching pages of a strike fund: its totals, asking to receive, pledging (a member or
the public), verifying strikers, running rounds, and each side confirming. Each view: access
helper → form → service → redirect; 422 on a refused post."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import public_forms
from solnet.core.access import deny, member_view
from solnet.core.forms import add_errors
from solnet.funds import matching
from solnet.funds import matching_access as access
from solnet.funds.access import can_see_funds
from solnet.funds.matching_forms import (
    MatchPledgeForm,
    PublicMatchPledgeForm,
    ReceiveForm,
    RoundForm,
    VerifyForm,
)
from solnet.funds.models import Fund, RecipientStatus

PAGE_SIZE = 25


def _context(request: HttpRequest, fund: Fund, **forms) -> dict:
    viewer = request.user
    recipient = access.own_recipient(viewer, fund)
    as_donor = Paginator(
        access.matches_as_donor(viewer, fund).order_by("-round__number", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    as_recipient = [
        matching.for_recipient(m)
        for m in access.matches_as_recipient(viewer, fund).order_by("-round__number", "pk")[:50]
    ]
    open_recipient = recipient is not None and recipient.status in (
        RecipientStatus.ASKED,
        RecipientStatus.VERIFIED,
    )
    return {
        "fund": fund,
        "totals": matching.totals(fund),
        "recipient": recipient,
        "receive_form": forms.get("receive_form")
        or (ReceiveForm() if not open_recipient and fund.closed_at is None else None),
        "pledge_form": forms.get("pledge_form")
        or (MatchPledgeForm() if fund.closed_at is None else None),
        "pledges": access.own_pledges(viewer, fund),
        "as_donor": as_donor,
        "as_donor_rows": [matching.for_donor(m) for m in as_donor],
        "as_recipient": as_recipient,
        "verifies": access.can_verify(viewer),
        "runs_rounds": access.can_run_rounds(viewer),
    }


def _render(request: HttpRequest, fund: Fund, status: int = 200, **forms) -> HttpResponse:
    return render(
        request, "funds/matching_fund.html", _context(request, fund, **forms), status=status
    )


@member_view(can_see_funds)
@require_GET
def fund_matching(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_strike_fund_or_404(request.user, public_id)
    return _render(request, fund)


@member_view(can_see_funds)
@require_POST
def ask_to_receive(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_strike_fund_or_404(request.user, public_id)
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            matching.ask_to_receive(fund=fund, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise deny() from None
        else:
            messages.success(request, _("Asked. A delegate or a treasurer will verify you."))
            return redirect("funds:matching", public_id=fund.public_id)
    return _render(request, fund, 422, receive_form=form)


@member_view(can_see_funds)
@require_POST
def pledge(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_strike_fund_or_404(request.user, public_id)
    form = MatchPledgeForm(request.POST)
    if form.is_valid():
        try:
            matching.pledge(fund=fund, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise deny() from None
        else:
            messages.success(request, _("Thank you: the next round will match your pledge."))
            return redirect("funds:matching", public_id=fund.public_id)
    return _render(request, fund, 422, pledge_form=form)


@member_view(can_see_funds)
@require_POST
def pledge_withdraw(request: HttpRequest, pledge_id: str) -> HttpResponse:
    found = access.get_own_pledge_or_404(request.user, pledge_id)
    try:
        matching.withdraw_pledge(pledge=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render(request, found.fund, 422)
    messages.success(request, _("Withdrawn: what is not matched yet will not be."))
    return redirect("funds:matching", public_id=found.fund.public_id)


@member_view(can_see_funds)
@require_POST
def recipient_withdraw(request: HttpRequest, recipient_id: str) -> HttpResponse:
    found = access.get_own_recipient_or_404(request.user, recipient_id)
    try:
        matching.withdraw_recipient(recipient=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render(request, found.fund, 422)
    messages.success(request, _("You will not be matched any more."))
    return redirect("funds:matching", public_id=found.fund.public_id)


# --- verifying and rounds -------------------------------------------------------------------


def _recipients_context(request: HttpRequest, fund: Fund, **forms) -> dict:
    viewer = request.user
    show = request.GET.get("show", "asked")
    rows = access.reviewable_recipients(viewer, fund).select_related("verified_by")
    if show == "asked":
        rows = rows.filter(status=RecipientStatus.ASKED)
    else:
        show = "all"
    page = Paginator(rows.order_by("created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for recipient in page:
        recipient.may_verify = matching.may_verify(viewer, recipient)
    return {
        "fund": fund,
        "page": page,
        "show": show,
        "query": f"show={show}",
        "verify_form": VerifyForm(),
        "round_form": forms.get("round_form") or RoundForm(),
        "runs_rounds": access.can_run_rounds(viewer),
        "rounds": fund.match_rounds.all()[:10],
        "totals": matching.totals(fund),
    }


@member_view(access.can_verify)
@require_GET
def recipients(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_strike_fund_or_404(request.user, public_id)
    return render(request, "funds/matching_recipients.html", _recipients_context(request, fund))


@member_view(access.can_verify)
@require_POST
def verify(request: HttpRequest, recipient_id: str) -> HttpResponse:
    recipient = access.get_recipient_or_404(request.user, recipient_id)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            matching.verify_recipient(
                recipient=recipient, by=request.user, verified=form.cleaned_data["decision"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done."))
            return redirect("funds:match_recipients", public_id=recipient.fund.public_id)
    else:
        messages.error(request, _("Choose verify or refuse."))
    return render(
        request,
        "funds/matching_recipients.html",
        _recipients_context(request, recipient.fund),
        status=422,
    )


@member_view(access.can_run_rounds)
@require_POST
def run_round(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_strike_fund_or_404(request.user, public_id)
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            done = matching.run_round(
                fund=fund, by=request.user, confirm_days=form.cleaned_data["confirm_days"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Round %(number)s: %(count)s matches made.")
                % {"number": done.number, "count": done.matches.count()},
            )
            return redirect("funds:match_recipients", public_id=fund.public_id)
    return render(
        request,
        "funds/matching_recipients.html",
        _recipients_context(request, fund, round_form=form),
        status=422,
    )


# --- confirming -----------------------------------------------------------------------------


@member_view(can_see_funds)
@require_POST
def sent(request: HttpRequest, match_id: str) -> HttpResponse:
    match = access.get_donor_match_or_404(request.user, match_id)
    matching.confirm_sent(match=match, by=request.user)
    messages.success(request, _("Thank you: marked as sent."))
    return redirect("funds:matching", public_id=match.round.fund.public_id)


@member_view(can_see_funds)
@require_POST
def received(request: HttpRequest, match_id: str) -> HttpResponse:
    match = access.get_recipient_match_or_404(request.user, match_id)
    matching.confirm_received(match=match, by=request.user)
    messages.success(request, _("Marked as received."))
    return redirect("funds:matching", public_id=match.round.fund.public_id)


# --- the public pages (no account) ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_pledge(request: HttpRequest, public_id: str) -> HttpResponse:
    """Anyone with the fund's public link pledges, with an email for the match notice."""
    fund = access.get_public_strike_fund_or_404(public_id)
    form = PublicMatchPledgeForm(request.POST or None)
    context = {"fund": fund, "form": form, "totals": matching.totals(fund)}
    if request.method != "POST":
        return render(request, "funds/matching_public.html", context)
    verdict = public_forms.screen(request, form, scope="matching-pledge", per_hour=10)
    if verdict is public_forms.Verdict.ACCEPT:
        data = form.cleaned_data
        try:
            matching.pledge_publicly(
                fund=fund,
                amount=data["amount"],
                email=data["email"],
                key=data["key"],
                named=data["named"],
                donor_name=data["donor_name"],
            )
        except ValidationError as error:
            add_errors(form, error)
            verdict = public_forms.Verdict.INVALID
        except PermissionDenied:
            raise deny() from None
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return redirect("funds:match_public_thanks", public_id=fund.public_id)
    return render(request, "funds/matching_public.html", context, status=verdict.value)


@require_GET
def public_thanks(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_public_strike_fund_or_404(public_id)
    return render(request, "funds/matching_public_thanks.html", {"fund": fund})


@require_http_methods(["GET", "POST"])
def donor_link(request: HttpRequest, token: str) -> HttpResponse:
    """A public donor's match, reached by the secret link in their notice: whom to send to
    (what the striker chose to share), and a button to say it is sent."""
    match = matching.match_by_token(token)
    if match is None:
        raise Http404
    if request.method == "POST":
        matching.confirm_sent(match=match, token=token)
        messages.success(request, _("Thank you: marked as sent."))
        return redirect("funds:match_donor", token=token)
    return render(request, "funds/matching_donor.html", {"row": matching.for_donor(match)})
