"""Dues: a member's own page, and the treasurers' list. Who is behind is seen by the
treasurers and the member alone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.funds import access, dues, dues_online, ledger
from solnet.funds.forms import DuesOnlineForm, DuesPaymentForm, PledgeForm
from solnet.funds.models import DuesPayment, DuesPeriod
from solnet.funds.online_views import lets_form_reach_processor
from solnet.funds.views import PAGE_SIZE, _refused
from solnet.members.access import is_member
from solnet.members.models import Member

MOST_SHOWN_WAITING = 5


def _my_dues(request: HttpRequest, *, form=None, pay_form=None, status: int = 200):
    """The member's own dues page: standing, pledge, paying online, payments."""
    member = request.user
    account = dues.standing(member)
    pledge = account.pledge
    if form is None:
        form = PledgeForm(
            initial={
                "period": pledge.period if pledge else DuesPeriod.NONE,
                "amount": pledge.amount if pledge and pledge.amount else None,
            }
        )
    offered = dues_online.offered()
    if pay_form is None and offered:
        suggested = account.behind_by or (pledge.amount if pledge else 0)
        pay_form = DuesOnlineForm(initial={"amount": suggested or None})
    payments = Paginator(
        DuesPayment.objects.filter(member=member).select_related("checkout"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "pay_form": pay_form,
        "account": account,
        "payments": payments,
        "waiting": dues_online.waiting(member)[:MOST_SHOWN_WAITING],
        "returned": request.GET.get("paid") == "1",
        "cancelled": request.GET.get("cancelled") == "1",
    }
    response = render(request, "funds/my_dues.html", context, status=status)
    return lets_form_reach_processor(response) if offered else response


@member_view(is_member)
@require_http_methods(["GET", "POST"])
def my_dues(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _my_dues(request)
    form = PledgeForm(request.POST)
    if form.is_valid():
        try:
            dues.set_pledge(
                member=request.user,
                amount=form.cleaned_data["amount"] or 0,
                period=form.cleaned_data["period"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your dues are set. Thank you."))
            return redirect("funds:my_dues")
    return _my_dues(request, form=form, status=422)


@member_view(is_member)
@require_POST
def pay_dues(request: HttpRequest) -> HttpResponse:
    """Sends the member on to the processor's page to pay the amount they chose."""
    pay_form = DuesOnlineForm(request.POST)
    if pay_form.is_valid():
        try:
            started = dues_online.start(
                member=request.user,
                amount_minor=pay_form.cleaned_data["amount"],
                language=translation.get_language(),
            )
        except ValidationError as error:
            pay_form.add_error(None, error)
        else:
            return redirect(started.checkout_url)
    return _my_dues(request, pay_form=pay_form, status=422)


@member_view(access.can_keep_books)
@require_GET
def dues_list(request: HttpRequest) -> HttpResponse:
    behind_only = request.GET.get("behind") == "1"
    pledges = dues.pledges_for_treasurer(request.user)
    rows = [(pledge, dues.standing(pledge.member)) for pledge in pledges]
    if behind_only:
        rows = [row for row in rows if not row[1].good]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/dues_list.html", {"page": page, "behind_only": behind_only})


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def dues_payment(request: HttpRequest, member_id: str) -> HttpResponse:
    member = get_or_404(Member.objects.filter(is_active=True), public_id=member_id)
    ledger.open_standard_accounts()
    form = DuesPaymentForm(request.POST or None)
    context = {"form": form, "member": member, "account": dues.standing(member)}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dues.record_dues_payment(
                member=member,
                amount=data["amount"],
                paid_on=data["paid_on"],
                where=data["where"],
                reference=data["reference"],
                by=request.user,
            )
        except ValidationError as error:
            return _refused(request, "funds/dues_payment.html", context, error)
        messages.success(request, _("The payment is in the books."))
        return redirect("funds:dues")
    return render(
        request, "funds/dues_payment.html", context, status=422 if request.method == "POST" else 200
    )
