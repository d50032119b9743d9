"""The treasurer's pages, and the funds every member sees. Each view: access helper → form
→ service → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.funds import access, ledger, matching, services
from solnet.funds.forms import (
    AccountForm,
    CorrectForm,
    DonationForm,
    FundForm,
    MoveForm,
    OpeningForm,
    RulesForm,
    SettingsForm,
    choice_of_body,
)
from solnet.funds.models import AccountKind, Books, Entry, FundKind

PAGE_SIZE = 50


def _refused(request: HttpRequest, template: str, context: dict, error: ValidationError):
    add_errors(context["form"], error)
    return render(request, template, context, status=422)


@member_view(access.can_see_funds)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    funds = list(access.visible_funds(request.user).open())
    for fund in funds:
        fund.balance = ledger.fund_balance(fund)
    return render(
        request,
        "funds/home.html",
        {"funds": funds, "keeps_books": access.can_keep_books(request.user)},
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def fund_new(request: HttpRequest) -> HttpResponse:
    form = FundForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.create_fund(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, "funds/fund_form.html", context, error)
        messages.success(request, _("The fund is set up."))
        return redirect("funds:fund", public_id=fund.public_id)
    return render(
        request, "funds/fund_form.html", context, status=422 if request.method == "POST" else 200
    )


@member_view(access.can_see_funds)
@require_GET
def fund_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_fund_or_404(request.user, public_id)
    keeps_books = access.can_keep_books(request.user)
    donations = None
    if keeps_books:
        donations = Paginator(
            access.books_donations(request.user).filter(fund=fund), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/fund_detail.html",
        {
            "fund": fund,
            "balance": ledger.fund_balance(fund),
            "keeps_books": keeps_books,
            "donations": donations,
            "totals": matching.totals(fund) if fund.kind == FundKind.STRIKE else None,
        },
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def fund_rules(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_fund_or_404(request.user, public_id)
    initial = {
        "cap": fund.cap,
        "cooldown_months": fund.cooldown_months,
        "pay_within_days": fund.pay_within_days,
        "decider": fund.decider,
        "body": choice_of_body(fund.body),
        "members_only": fund.members_only,
        "good_standing": fund.good_standing,
    }
    form = RulesForm(request.POST or None, initial=initial)
    context = {"form": form, "fund": fund}
    if request.method == "POST" and form.is_valid():
        wanted = dict(form.cleaned_data)
        wanted["body"] = wanted["body"].public_id
        current = {**initial, "body": fund.body.public_id if fund.body else None}
        changes = {k: v for k, v in wanted.items() if current.get(k) != v}
        try:
            services.ask_to_change_rules(by=request.user, fund=fund, changes=changes)
        except ValidationError as error:
            return _refused(request, "funds/fund_rules.html", context, error)
        messages.success(request, _("Asked. The rules change when a second treasurer approves."))
        return redirect("funds:fund", public_id=fund.public_id)
    return render(
        request,
        "funds/fund_rules.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    books = Books.current()
    form = SettingsForm.of(books, request.POST or None)
    context = {"form": form, "books": books}
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if getattr(books, k) != v}
        try:
            services.ask_to_change_settings(by=request.user, changes=changes)
        except ValidationError as error:
            return _refused(request, "funds/settings.html", context, error)
        messages.success(request, _("Asked. The settings change when a second treasurer approves."))
        return redirect("funds:home")
    return render(
        request, "funds/settings.html", context, status=422 if request.method == "POST" else 200
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    ledger.open_standard_accounts()
    form = AccountForm(request.POST or None)
    listed = list(access.books_accounts(request.user))
    totals = ledger.balances()
    for account in listed:
        raw = totals.get(account.pk, 0)
        account.balance = -raw if account.credit_normal else raw
    context = {"form": form, "accounts": listed, "kinds": AccountKind}
    if request.method == "POST" and form.is_valid():
        try:
            services.open_account(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, "funds/accounts.html", context, error)
        messages.success(request, _("The account is open."))
        return redirect("funds:accounts")
    return render(
        request, "funds/accounts.html", context, status=422 if request.method == "POST" else 200
    )


@member_view(access.can_keep_books)
@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    entries = access.books_entries(request.user).prefetch_related("legs__account", "legs__fund")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/journal.html",
        {"page": page, "trial_balance": ledger.trial_balance()},
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def entry_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = access.get_entry_or_404(request.user, public_id)
    form = CorrectForm(request.POST or None)
    context = {
        "entry": entry,
        "legs": entry.legs.select_related("account", "fund"),
        "reversed_by": Entry.objects.filter(reverses=entry).first(),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.correct_entry(
                by=request.user,
                entry=entry,
                on=form.cleaned_data["on"],
                why=form.cleaned_data["why"],
            )
        except ValidationError as error:
            return _refused(request, "funds/entry.html", context, error)
        messages.success(request, _("The entry is reversed."))
        return redirect("funds:entry", public_id=correction.public_id)
    return render(
        request, "funds/entry.html", context, status=422 if request.method == "POST" else 200
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def donation_new(request: HttpRequest) -> HttpResponse:
    from solnet.funds import donations

    ledger.open_standard_accounts()
    form = DonationForm(request.POST or None, initial={"fund": request.GET.get("fund")})
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donations.record_donation(
                fund=data["fund"],
                amount_minor=data["amount"],
                method=data["method"],
                received_on=data["received_on"],
                account=data["where"],
                donor_name=data["donor_name"],
                named=data["named"],
                by=request.user,
            )
        except ValidationError as error:
            return _refused(request, "funds/donation_form.html", context, error)
        messages.success(request, _("The donation is in the books."))
        if data["fund"] is not None:
            return redirect("funds:fund", public_id=data["fund"].public_id)
        return redirect("funds:journal")
    return render(
        request,
        "funds/donation_form.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


def _money_form(request: HttpRequest, form_class, template: str, post) -> HttpResponse:
    ledger.open_standard_accounts()
    form = form_class(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            entry = post(form.cleaned_data)
        except ValidationError as error:
            return _refused(request, template, context, error)
        except PermissionDenied:
            raise
        messages.success(request, _("Done: the entry is in the books."))
        return redirect("funds:entry", public_id=entry.public_id)
    return render(request, template, context, status=422 if request.method == "POST" else 200)


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest) -> HttpResponse:
    return _money_form(
        request,
        MoveForm,
        "funds/move_form.html",
        lambda data: services.move_money(
            by=request.user,
            amount=data["amount"],
            where=data["where"],
            source=data["source"],
            target=data["target"],
            on=data["on"],
            memo=data["memo"],
        ),
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def opening(request: HttpRequest) -> HttpResponse:
    return _money_form(
        request,
        OpeningForm,
        "funds/opening_form.html",
        lambda data: services.record_opening_balance(
            by=request.user,
            amount=data["amount"],
            where=data["where"],
            fund=data["fund"],
            on=data["on"],
        ),
    )
