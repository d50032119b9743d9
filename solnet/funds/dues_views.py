"""Dues: a member's own page, and the treasurers' list. Who is behind is seen by the
treasurers and the member alone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core.access import get_or_404, member_view
from solnet.funds import access, dues, ledger
from solnet.funds.forms import DuesPaymentForm, PledgeForm
from solnet.funds.models import DuesPayment, DuesPeriod
from solnet.funds.views import PAGE_SIZE, _refused
from solnet.members.access import is_member
from solnet.members.models import Member


@member_view(is_member)
@require_http_methods(["GET", "POST"])
def my_dues(request: HttpRequest) -> HttpResponse:
    member = request.user
    account = dues.standing(member)
    pledge = account.pledge
    form = PledgeForm(
        request.POST or None,
        initial={
            "period": pledge.period if pledge else DuesPeriod.NONE,
            "amount": pledge.amount if pledge and pledge.amount else None,
        },
    )
    payments = Paginator(DuesPayment.objects.filter(member=member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "account": account, "payments": payments}
    if request.method == "POST" and form.is_valid():
        try:
            dues.set_pledge(
                member=member,
                amount=form.cleaned_data["amount"] or 0,
                period=form.cleaned_data["period"],
                by=member,
            )
        except ValidationError as error:
            return _refused(request, "funds/my_dues.html", context, error)
        messages.success(request, _("Your dues are set. Thank you."))
        return redirect("funds:my_dues")
    return render(
        request, "funds/my_dues.html", context, status=422 if request.method == "POST" else 200
    )


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
