"""Pages after a fight and across fights: the outcome, follow-up tasks, and the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.fights import access, outcomes, services, stages
from solnet.fights.forms import FollowUpForm, OutcomeForm
from solnet.members.access import is_member


@member_view()
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    watch = (fight.watch_until - fight.closed_at.date()).days if fight.watch_until else None
    form = OutcomeForm(
        request.POST or None,
        initial={
            "amount_recovered": fight.amount_recovered,
            "lessons": fight.lessons,
            "watch_days": watch if watch is not None else 90,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_outcome(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("fights:detail", public_id=fight.public_id)
    return render(
        request,
        "fights/outcome.html",
        {"fight": fight, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@member_view()
@require_POST
def follow_up_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = FollowUpForm(request.POST, fight=fight)
    if form.is_valid():
        try:
            services.add_follow_up(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The follow-up task is added."))
    else:
        messages.error(request, _("Say what needs doing."))
    return redirect("fights:detail", public_id=fight.public_id)


@member_view()
@require_POST
def follow_up_done(request: HttpRequest, public_id: str, task_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    task = get_or_404(fight.follow_ups.all(), public_id=task_id)
    services.finish_follow_up(follow_up=task, by=request.user)
    return redirect("fights:detail", public_id=fight.public_id)


@member_view(is_member)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open fights (those the viewer may see) with their next deadlines, and the network's
    figures, which describe no one."""
    today = timezone.localdate()
    open_fights = (
        access.visible_fights(request.user)
        .exclude(stage__in=stages.CLOSED)
        .order_by("deadline", "-updated_at", "pk")[:100]
    )
    mine = set(access.team_fights(request.user).values_list("pk", flat=True))
    return render(
        request,
        "fights/dashboard.html",
        {
            "open_fights": open_fights,
            "mine": mine,
            "today": today,
            "figures": outcomes.network_figures(),
            # By fight, newest first as the board lists them, then by due date.
            "follow_ups": access.open_follow_ups(request.user).order_by(
                "-fight__opened_at", "-fight__pk", "due_on", "pk"
            )[:50],
        },
    )
