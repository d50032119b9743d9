"""Pages of a fight's escalation plan, its actions and the target's responses, and the
network's tactics catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.fights import access, catalogue, escalation, services
from solnet.fights.forms import ActionForm, ResponseForm, StepForm, TacticForm
from solnet.fights.models import COUNTER_MOVES, Fight, Tactic


def _page(request: HttpRequest, fight: Fight, **forms) -> dict:
    today = timezone.localdate()
    steps = list(fight.plan.select_related("tactic"))
    capacity = escalation.mobilizable()
    return {
        "fight": fight,
        "steps": steps,
        "capacity": capacity,
        "short": [s for s in steps if not s.done_on and s.turnout_needed > capacity],
        "gaps": escalation.pressure_gaps(fight, steps, today=today),
        "timeline": escalation.timeline(steps, today=today),
        "responses": fight.responses.all()[:50],
        "counter_moves": COUNTER_MOVES,
        "step_form": forms.get("step_form") or StepForm(initial={"planned_on": today}),
        "response_form": forms.get("response_form") or ResponseForm(initial={"happened_on": today}),
    }


@member_view()
@require_GET
def plan(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    return render(request, "fights/plan.html", _page(request, fight))


@member_view()
@require_POST
def step_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = StepForm(request.POST)
    if form.is_valid():
        services.add_plan_step(fight=fight, by=request.user, **form.cleaned_data)
        messages.success(request, _("The step is in the plan."))
        return redirect("fights:plan", public_id=fight.public_id)
    return render(request, "fights/plan.html", _page(request, fight, step_form=form), status=422)


def _step(request: HttpRequest, public_id: str, step_id: str):
    fight = access.get_team_fight_or_404(request.user, public_id)
    return get_or_404(fight.plan.select_related("tactic", "fight"), public_id=step_id)


@member_view()
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, public_id: str, step_id: str) -> HttpResponse:
    """Record what happened at a step: the action, its turnout, the target's reaction."""
    planned = _step(request, public_id, step_id)
    form = ActionForm(
        request.POST or None,
        initial={
            "done_on": planned.done_on or min(planned.planned_on, timezone.localdate()),
            "turnout": planned.turnout,
            "tier_done": planned.tier_done or planned.tier,
            "reaction": planned.reaction,
            "police_contact": planned.police_contact,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_action(step=planned, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is recorded."))
            return redirect("fights:plan", public_id=public_id)
    return render(
        request,
        "fights/step.html",
        {"fight": planned.fight, "step": planned, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@member_view()
@require_POST
def step_remove(request: HttpRequest, public_id: str, step_id: str) -> HttpResponse:
    planned = _step(request, public_id, step_id)
    try:
        services.remove_plan_step(step=planned, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("fights:plan", public_id=public_id)


@member_view()
@require_POST
def response_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.log_response(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The target's response is recorded."))
            return redirect("fights:plan", public_id=fight.public_id)
    context = _page(request, fight, response_form=form)
    return render(request, "fights/plan.html", context, status=422)


# --- the tactics catalogue -----------------------------------------------------------------


@member_view(access.can_research)
@require_GET
def tactics(request: HttpRequest) -> HttpResponse:
    catalogue.ensure_builtins()
    return render(
        request,
        "fights/tactics.html",
        {
            "tactics": Tactic.objects.all(),
            "can_edit": access.can_edit_sheet(request.user),
            "form": TacticForm(initial={"tier": "T1", "min_turnout": 2, "ideal_turnout": 10}),
        },
    )


@member_view(access.can_edit_sheet)
@require_http_methods(["GET", "POST"])
def tactic_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    tactic = get_or_404(Tactic.objects.all(), public_id=public_id)
    form = TacticForm(
        request.POST or None,
        initial={name: getattr(tactic, name) for name in TacticForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_tactic(tactic=tactic, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("fights:tactics")
    return render(
        request,
        "fights/tactic.html",
        {"tactic": tactic, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_edit_sheet)
@require_POST
def tactic_new(request: HttpRequest) -> HttpResponse:
    form = TacticForm(request.POST)
    if form.is_valid():
        try:
            services.save_tactic(tactic=None, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The tactic is in the catalogue."))
            return redirect("fights:tactics")
    return render(
        request,
        "fights/tactics.html",
        {"tactics": Tactic.objects.all(), "can_edit": True, "form": form},
        status=422,
    )
