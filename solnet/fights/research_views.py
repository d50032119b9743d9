"""Pages of research: targets, their links, portfolios and pressure points; and the
winnability sheet, filled in per fight and kept by the network."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import member_view
from solnet.fights import (
    access,
    catalogue,
    graph,
    portfolios,
    services,
    winnability,
)
from solnet.fights.forms import (
    CriterionForm,
    FightTargetForm,
    LinkForm,
    PressureForm,
    TargetForm,
    WinnabilityForm,
)
from solnet.fights.models import Target, WinnabilityCriterion
from solnet.fights.views import PAGE_SIZE, _status

# --- targets and research ------------------------------------------------------------------


@member_view()
@require_POST
def fight_target_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = FightTargetForm(request.POST)
    if form.is_valid():
        try:
            target = services.add_target_to_fight(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is a target of this fight.") % {"name": target})
    else:
        messages.error(request, _("Give the target's name."))
    return redirect("fights:detail", public_id=fight.public_id)


@member_view(access.can_research)
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:80]
    targets = access.visible_targets(request.user)
    if query:
        targets = targets.filter(name_key__contains=portfolios.name_key(query))
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fights/target_list.html",
        {"page": page, "q": query, "query": f"q={query}" if query else ""},
    )


@member_view(access.can_research)
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.record_target(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("fights:target", public_id=target.public_id)
    return render(request, "fights/target_form.html", {"form": form}, status=_status(request))


@member_view(access.can_research)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    target = access.get_target_or_404(request.user, public_id)
    form = TargetForm(
        request.POST or None,
        initial={
            "name": target.name,
            "kind": target.kind,
            "address": target.address,
            "notes": target.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_target(target=target, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("fights:target", public_id=target.public_id)
    return render(
        request,
        "fights/target_form.html",
        {"form": form, "target": target},
        status=_status(request),
    )


def _target_page(request: HttpRequest, target: Target, **forms) -> dict:
    portfolio = (
        access.visible_targets(request.user).filter(portfolio=target.portfolio)
        if target.portfolio
        else access.visible_targets(request.user).filter(pk=target.pk)
    )
    page = Paginator(portfolio, PAGE_SIZE).get_page(request.GET.get("page"))
    fights = (
        access.visible_fights(request.user)
        .filter(targets__in=portfolio)
        .distinct()
        .order_by("-opened_at", "pk")[:PAGE_SIZE]
    )
    mine = set(access.team_fights(request.user).values_list("pk", flat=True)) | set(
        access.subject_fights(request.user).values_list("pk", flat=True)
    )
    return {
        "target": target,
        "links_out": target.links_out.select_related("other"),
        "links_in": target.links_in.select_related("source"),
        "points": target.pressure_points.all(),
        "page": page,
        "fights": fights,
        "mine": mine,
        "picture": graph.portfolio_picture(target),
        "link_form": forms.get("link_form") or LinkForm(),
        "pressure_form": forms.get("pressure_form") or PressureForm(),
    }


@member_view(access.can_research)
@require_GET
def target_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    target = access.get_target_or_404(request.user, public_id)
    return render(request, "fights/target_detail.html", _target_page(request, target))


@member_view(access.can_research)
@require_POST
def target_link(request: HttpRequest, public_id: str) -> HttpResponse:
    target = access.get_target_or_404(request.user, public_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_targets(source=target, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The link is recorded."))
            return redirect("fights:target", public_id=target.public_id)
    context = _target_page(request, target, link_form=form)
    return render(request, "fights/target_detail.html", context, status=422)


@member_view(access.can_research)
@require_POST
def pressure_add(request: HttpRequest, public_id: str) -> HttpResponse:
    target = access.get_target_or_404(request.user, public_id)
    form = PressureForm(request.POST)
    if form.is_valid():
        try:
            services.add_pressure_point(target=target, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pressure point is recorded."))
            return redirect("fights:target", public_id=target.public_id)
    context = _target_page(request, target, pressure_form=form)
    return render(request, "fights/target_detail.html", context, status=422)


# --- the winnability sheet -----------------------------------------------------------------


@member_view()
@require_http_methods(["GET", "POST"])
def fight_winnability(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = WinnabilityForm(request.POST or None, criteria=winnability.criteria())
    if request.method == "POST" and form.is_valid():
        try:
            services.assess_winnability(
                fight=fight,
                scores=form.scores(),
                summary=form.cleaned_data["summary"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The winnability sheet is saved."))
            return redirect("fights:detail", public_id=fight.public_id)
    return render(
        request,
        "fights/winnability.html",
        {"fight": fight, "form": form, "history": fight.assessments.all()[:10]},
        status=_status(request),
    )


@member_view(access.can_edit_sheet)
@require_GET
def sheet(request: HttpRequest) -> HttpResponse:
    catalogue.ensure_builtins()
    return render(
        request,
        "fights/sheet.html",
        {"criteria": WinnabilityCriterion.objects.all(), "form": CriterionForm()},
    )


@member_view(access.can_edit_sheet)
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    criterion = access.get_criterion_or_404(request.user, public_id)
    form = CriterionForm(
        request.POST or None,
        initial={
            "name": criterion.name,
            "question": criterion.question,
            "must_have": criterion.must_have,
            "active": criterion.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(criterion=criterion, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("fights:sheet")
    return render(
        request,
        "fights/criterion.html",
        {"criterion": criterion, "form": form},
        status=_status(request),
    )


@member_view(access.can_edit_sheet)
@require_POST
def criterion_new(request: HttpRequest) -> HttpResponse:
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.save_criterion(criterion=None, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The question is on the sheet."))
            return redirect("fights:sheet")
    return render(
        request,
        "fights/sheet.html",
        {"criteria": WinnabilityCriterion.objects.all(), "form": form},
        status=422,
    )
