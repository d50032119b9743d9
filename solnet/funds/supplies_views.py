"""The supplies pages: an action's needs with what is pledged and still short, pledging (signed
in, or on the action's public page without an account), and the network's inventory. Each
view: access helper → form → service → redirect; 422 on a refused post."""

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
from solnet.funds import supplies
from solnet.funds import supplies_access as access
from solnet.funds.models import SupplyNeed
from solnet.funds.supplies_forms import InventoryForm, NeedForm, PledgeForm, PublicPledgeForm
from solnet.mobilize.models import Action

PAGE_SIZE = 50


def _page_context(request: HttpRequest, action: Action, **forms) -> dict:
    viewer = request.user
    manages = access.can_manage_needs(viewer, action)
    rows = supplies.need_rows(action)
    own = {
        p.need_id: p
        for p in access.pledges_shown(viewer, action).filter(
            member=viewer, withdrawn_at__isnull=True
        )
    }
    pledges = Paginator(
        access.pledges_shown(viewer, action).filter(withdrawn_at__isnull=True),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    open_ = action.cancelled_at is None and not action.over
    kept = supplies.in_inventory() if manages else {}
    return {
        "action": action,
        "rows": [
            {"row": row, "own": own.get(row.need.pk), "kept": kept.get(row.need.kind, 0)}
            for row in rows
        ],
        "manages": manages,
        "open": open_,
        "pledges": pledges,
        "contacts": access.can_read_pledge_contacts(viewer, action),
        "need_form": forms.get("need_form")
        or (NeedForm(shifts=list(action.shifts.all())) if manages and open_ else None),
        "pledge_form": forms.get("pledge_form") or PledgeForm(),
        "failed_need": forms.get("failed_need"),
    }


@member_view(access.can_see_supplies)
@require_GET
def action_supplies(request: HttpRequest, public_id: str) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    return render(request, "funds/supplies_action.html", _page_context(request, action))


@member_view(access.can_see_supplies)
@require_POST
def need_add(request: HttpRequest, public_id: str) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    if not access.can_manage_needs(request.user, action):
        raise deny()
    form = NeedForm(request.POST, shifts=list(action.shifts.all()))
    if form.is_valid():
        try:
            supplies.add_need(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The need is listed."))
            return redirect("funds:supplies", public_id=action.public_id)
    return render(
        request,
        "funds/supplies_action.html",
        _page_context(request, action, need_form=form),
        status=422,
    )


@member_view(access.can_see_supplies)
@require_POST
def need_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    need = access.get_need_or_404(request.user, public_id)
    if not access.can_manage_needs(request.user, need.action):
        raise deny()
    supplies.remove_need(need=need, by=request.user)
    messages.success(request, _("The need is taken off."))
    return redirect("funds:supplies", public_id=need.action.public_id)


@member_view(access.can_see_supplies)
@require_POST
def pledge(request: HttpRequest, public_id: str) -> HttpResponse:
    need = access.get_need_or_404(request.user, public_id)
    form = PledgeForm(request.POST)
    if form.is_valid():
        try:
            supplies.pledge(need=need, by=request.user, quantity=form.cleaned_data["quantity"])
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise deny() from None
        else:
            messages.success(request, _("Thank you: your pledge is noted."))
            return redirect("funds:supplies", public_id=need.action.public_id)
    return render(
        request,
        "funds/supplies_action.html",
        _page_context(request, need.action, pledge_form=form, failed_need=need.pk),
        status=422,
    )


@member_view(access.can_see_supplies)
@require_POST
def pledge_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_pledge_or_404(request.user, public_id)
    action = found.need.action
    try:
        supplies.withdraw_pledge(pledge=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request, "funds/supplies_action.html", _page_context(request, action), status=422
        )
    messages.success(request, _("The pledge is withdrawn."))
    return redirect("funds:supplies", public_id=action.public_id)


# --- the public page (no account) -----------------------------------------------------------


def _public_action(token: str) -> Action:
    action = access.public_action_or_none(token)
    if action is None:
        raise Http404
    return action


def _public_needs(action: Action) -> list[SupplyNeed]:
    return [row.need for row in supplies.need_rows(action)]


@require_http_methods(["GET", "POST"])
def public_pledge(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the action's public address pledges: no account, a name and a way to reach
    them only if they like; spam held back by `solnet.core.public_forms`."""
    action = _public_action(token)
    needs = _public_needs(action)
    if not needs:
        raise Http404
    form = PublicPledgeForm(request.POST or None, needs=needs)
    context = {"action": action, "form": form, "summary": supplies.shortfall_summary(action)}
    if request.method != "POST":
        return render(request, "funds/supplies_public.html", context)
    verdict = public_forms.screen(request, form, scope="supplies-pledge", per_hour=20)
    if verdict is public_forms.Verdict.ACCEPT:
        data = form.cleaned_data
        try:
            supplies.pledge_publicly(
                need=data["need"],
                quantity=data["quantity"],
                key=data["key"],
                name=data["name"],
                contact=data["contact"],
            )
        except ValidationError as error:
            add_errors(form, error)
            verdict = public_forms.Verdict.INVALID
        except PermissionDenied:
            raise deny() from None
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return redirect("funds:supplies_public_thanks", token=token)
    return render(request, "funds/supplies_public.html", context, status=verdict.value)


@require_GET
def public_pledge_thanks(request: HttpRequest, token: str) -> HttpResponse:
    action = _public_action(token)
    return render(
        request,
        "funds/supplies_public_thanks.html",
        {"action": action, "summary": supplies.shortfall_summary(action), "token": token},
    )


# --- the inventory ----------------------------------------------------------------------------


@member_view(access.can_see_inventory)
@require_http_methods(["GET", "POST"])
def inventory(request: HttpRequest) -> HttpResponse:
    keeps = access.can_keep_inventory(request.user)
    if request.method == "POST" and not keeps:
        raise deny()
    form = InventoryForm(request.POST or None) if keeps else None
    page = Paginator(access.visible_inventory(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "form": form, "keeps": keeps}
    if request.method == "POST":
        if form.is_valid():
            try:
                supplies.add_item(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The item is in the inventory."))
                return redirect("funds:inventory")
        return render(request, "funds/supplies_inventory.html", context, status=422)
    return render(request, "funds/supplies_inventory.html", context)


@member_view(access.can_keep_inventory)
@require_http_methods(["GET", "POST"])
def inventory_item(request: HttpRequest, public_id: str) -> HttpResponse:
    item = access.get_item_or_404(request.user, public_id)
    initial = {
        "kind": item.kind,
        "label": item.label,
        "quantity": item.quantity,
        "unit": item.unit,
        "keeper": item.keeper.public_id if item.keeper else None,
        "where": item.where,
        "condition": item.condition,
    }
    form = InventoryForm(request.POST or None, initial=initial)
    context = {"item": item, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                supplies.update_item(item=item, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The item is updated."))
                return redirect("funds:inventory")
        return render(request, "funds/supplies_item.html", context, status=422)
    return render(request, "funds/supplies_item.html", context)


@member_view(access.can_keep_inventory)
@require_POST
def inventory_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    item = access.get_item_or_404(request.user, public_id)
    supplies.remove_item(item=item, by=request.user)
    messages.success(request, _("The item is off the inventory."))
    return redirect("funds:inventory")
