"""Pages of actions: the list, planning one, its shifts and roles, asks and answers, the live
turnout, check-in and attendance. Each view: access helper → form → service → response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.core.forms import add_errors
from solnet.councils import access as council_access
from solnet.fights import access as fight_access
from solnet.members.access import is_organizer
from solnet.members.models import Member
from solnet.mobilize import access, callouts, extensions, forms, services
from solnet.mobilize.models import Action, Ask, RoleSlot, Shift
from solnet.people import access as people_access
from solnet.people.models import Answer
from solnet.people.services import own_record

PAGE_SIZE = 30
CHECK_IN_PAGE = 50


def status_of(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@member_view(access.can_see_actions)
def index(request: HttpRequest) -> HttpResponse:
    show = "past" if request.GET.get("show") == "past" else "upcoming"
    actions = access.visible_actions(request.user).select_related("fight", "council")
    now = timezone.now()
    if show == "past":
        actions = actions.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        actions = actions.filter(ends_at__gt=now)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilize/index.html",
        {
            "page": page,
            "show": show,
            "can_plan": is_organizer(request.user),
            "can_alert": access.can_dispatch(request.user) or access.can_verify(request.user),
        },
    )


# --- planning ----------------------------------------------------------------------------------


def _fight_for_new(request: HttpRequest):
    """?fight=<public_id>: a fight the member works on, whose action this is."""
    public_id = request.GET.get("fight") or request.POST.get("fight_id")
    if not public_id:
        return None
    return fight_access.get_team_fight_or_404(request.user, public_id)


def _action_fields(form: forms.ActionForm) -> dict[str, Any]:
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "description": data["description"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data["place"],
        "tier": data["tier"],
        "turnout_target": data["turnout_target"],
        "reminder_hours": data["reminders"],
    }
    if "council" in form.fields:
        fields["council"] = data["council"]
    return fields


@require_http_methods(["GET", "POST"])
@member_view(access.can_plan_actions)
def action_new(request: HttpRequest) -> HttpResponse:
    fight = _fight_for_new(request)
    if fight is None and not is_organizer(request.user):
        raise Http404
    councils = council_access.visible_councils(request.user)
    form = forms.ActionForm(request.POST or None, councils=councils, fight=fight)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.plan_action(by=request.user, fight=fight, **_action_fields(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The action is planned. Add shifts and roles next."))
            return redirect("mobilize:action", action.public_id)
    return render(
        request,
        "mobilize/action_form.html",
        {"form": form, "fight": fight, "action": None},
        status=status_of(request),
    )


@require_http_methods(["GET", "POST"])
@member_view()
def action_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    initial = {
        "title": action.title,
        "description": action.description,
        "starts_at": timezone.localtime(action.starts_at),
        "ends_at": timezone.localtime(action.ends_at),
        "place": action.place,
        "tier": action.tier,
        "turnout_target": action.turnout_target,
        "reminders": ", ".join(str(h) for h in action.reminder_hours),
        "council": action.council,
    }
    councils = council_access.visible_councils(request.user)
    form = forms.ActionForm(
        request.POST or None, initial=initial, councils=councils, fight=action.fight
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(action=action, by=request.user, **_action_fields(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("mobilize:action", action.public_id)
    return render(
        request,
        "mobilize/action_form.html",
        {"form": form, "fight": action.fight, "action": action},
        status=status_of(request),
    )


def _runnable(request: HttpRequest, public_id: str) -> Action:
    action = access.get_action_or_404(request.user, public_id)
    if not access.can_run(request.user, action):
        raise Http404
    return action


# --- one action -----------------------------------------------------------------------------


@require_GET
@member_view(access.can_see_actions)
def action_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    runs = access.can_run(request.user, action)
    shifts = list(action.shifts.all())
    roles = sorted({slot.role for slot in action.roles.all()})
    context = {
        "action": action,
        "runs": runs,
        "checks_in": access.can_check_in(request.user, action),
        "turnout": services.turnout(action),
        "shifts": services.shift_counts(action),
        "slots": services.role_counts(action),
        "own_asks": services.own_asks(request.user, action),
        "answer_form": forms.AnswerForm(shifts=shifts, roles=roles),
        "call_lists": access.visible_call_lists(request.user, action),
        "panels": extensions.panels_for(request.user, action),
    }
    if runs:
        context["shift_form"] = forms.ShiftForm(
            initial={
                "starts_at": timezone.localtime(action.starts_at),
                "ends_at": timezone.localtime(action.ends_at),
            }
        )
        context["role_form"] = forms.RoleForm(shifts=shifts)
        context["sends"] = access.visible_sends(request.user, action)[:5]
        if action.public_token:
            context["public_url"] = request.build_absolute_uri(_public_path(action.public_token))
    return render(request, "mobilize/action.html", context)


def _public_path(token: str) -> str:
    return reverse("mobilize:public", args=[token])


@require_GET
@member_view(access.can_see_actions)
def turnout(request: HttpRequest, public_id: str) -> HttpResponse:
    """The live confirmed-vs-needed count: a fragment htmx refreshes, and a page without it."""
    action = access.get_action_or_404(request.user, public_id)
    context = {
        "action": action,
        "turnout": services.turnout(action),
        "shifts": services.shift_counts(action),
    }
    template = "mobilize/_turnout.html" if request.htmx else "mobilize/turnout.html"
    return render(request, template, context)


@require_POST
@member_view(access.can_see_actions)
def answer(request: HttpRequest, public_id: str) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    shifts = list(action.shifts.all())
    roles = sorted({slot.role for slot in action.roles.all()})
    form = forms.AnswerForm(request.POST, shifts=shifts, roles=roles)
    if form.is_valid():
        shift = None
        if form.cleaned_data.get("shift"):
            shift = next((s for s in shifts if s.pk == form.cleaned_data["shift"]), None)
            if shift is None:
                raise Http404
        try:
            services.sign_up(
                action=action,
                member=request.user,
                answer=form.cleaned_data["answer"],
                shift=shift,
                role=form.cleaned_data.get("role") or "",
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Thank you: your answer is noted."))
    else:
        messages.error(request, _("Choose yes, maybe or no."))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def action_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    services.cancel_action(action=action, by=request.user)
    messages.success(request, _("The action is called off."))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def action_public(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    public = request.POST.get("public") == "1"
    services.set_public(action=action, public=public, by=request.user)
    if public:
        messages.success(request, _("The public page is open at a new address."))
    else:
        messages.success(request, _("The public page is closed; its address no longer works."))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def revoke_links(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    count = services.revoke_links(action=action, by=request.user)
    messages.success(request, _("%(count)d answer links no longer work.") % {"count": count})
    return redirect("mobilize:action", action.public_id)


# --- shifts and roles --------------------------------------------------------------------------


@require_POST
@member_view()
def shift_add(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    form = forms.ShiftForm(request.POST)
    if form.is_valid():
        try:
            services.add_shift(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Shift added."))
    else:
        messages.error(request, _("Check the shift's times and the number of people."))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def shift_remove(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    action = _runnable(request, public_id)
    shift = get_or_404(Shift.objects.filter(action=action), pk=pk)
    try:
        services.remove_shift(shift=shift, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def role_add(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    shifts = list(action.shifts.all())
    form = forms.RoleForm(request.POST, shifts=shifts)
    if form.is_valid():
        shift = form.shift_objects.get(form.cleaned_data.get("shift"))
        try:
            services.add_role(
                action=action,
                role=form.cleaned_data["role"],
                needed=form.cleaned_data["needed"],
                shift=shift,
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Role added."))
    else:
        messages.error(request, _("Choose a role and how many people it needs."))
    return redirect("mobilize:action", action.public_id)


@require_POST
@member_view()
def role_remove(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    action = _runnable(request, public_id)
    slot = get_or_404(RoleSlot.objects.filter(action=action), pk=pk)
    services.remove_role(slot=slot, by=request.user)
    return redirect("mobilize:action", action.public_id)


# --- asking people -------------------------------------------------------------------------------


def _matching(request: HttpRequest, form) -> Any:
    data = form.cleaned_data
    filters = {
        key: data[key]
        for key in (
            "q",
            "contact",
            "tier",
            "language",
            "tag",
            "council",
            "skill",
            "weekday",
            "last_contact",
        )
    }
    return people_access.visible_people(request.user).matching(**filters)


@require_http_methods(["GET", "POST"])
@member_view()
def ask_people(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = forms.AskPeopleForm(data, viewer=request.user)
    count = None
    if form.is_bound and form.is_valid():
        people = _matching(request, form).filter(tier__gte=action.tier)
        count = people.count()
        if request.method == "POST":
            made = services.ask_people(action=action, people=people, by=request.user)
            messages.success(
                request,
                _("%(count)d people asked; the rest had been asked already.") % {"count": made},
            )
            return redirect("mobilize:asks", action.public_id)
    return render(
        request,
        "mobilize/ask_people.html",
        {"action": action, "form": form, "count": count},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_GET
@member_view()
def asks(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    show = request.GET.get("answer", "")
    rows = Ask.objects.filter(action=action).select_related("person", "commitment", "shift")
    if show in Answer.values:
        rows = rows.filter(commitment__answer=show)
    page = Paginator(rows.order_by("person__display_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobilize/asks.html",
        {"action": action, "page": page, "show": show, "answers": Answer.choices},
    )


# --- at the action -------------------------------------------------------------------------------


def _checkable(request: HttpRequest, public_id: str) -> Action:
    action = access.get_action_or_404(request.user, public_id)
    if not access.can_check_in(request.user, action):
        raise Http404
    return action


@require_GET
@member_view()
def check_in_list(request: HttpRequest, public_id: str) -> HttpResponse:
    """The check-in volunteer's page on a phone: those expected first, a name search."""
    action = _checkable(request, public_id)
    search = forms.CheckInSearchForm(request.GET or None)
    rows = Ask.objects.filter(action=action).select_related("person", "commitment", "shift")
    if search.is_valid() and search.cleaned_data["q"]:
        rows = rows.filter(person__display_name__icontains=search.cleaned_data["q"])
    else:
        rows = rows.filter(commitment__answer__in=[Answer.YES, Answer.MAYBE])
    page = Paginator(rows.order_by("person__display_name", "pk"), CHECK_IN_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobilize/check_in.html",
        {
            "action": action,
            "page": page,
            "search": search,
            "turnout": services.turnout(action),
            "runs": access.can_run(request.user, action),
        },
    )


@require_POST
@member_view()
def check_in(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    action = _checkable(request, public_id)
    ask = get_or_404(Ask.objects.filter(action=action).select_related("action"), pk=pk)
    if request.POST.get("undo") == "1":
        services.undo_check_in(ask=ask, by=request.user)
    else:
        services.check_in(ask=ask, by=request.user)
    if request.htmx:
        ask.refresh_from_db()
        return render(request, "mobilize/_check_in_row.html", {"action": action, "ask": ask})
    page = request.POST.get("page", "")
    return redirect(_check_in_path(action) + (f"?page={int(page)}" if page.isdigit() else ""))


def _check_in_path(action: Action) -> str:
    return reverse("mobilize:check_in_list", args=[action.public_id])


@require_POST
@member_view()
def check_in_me(request: HttpRequest, public_id: str) -> HttpResponse:
    """A walk-up who is a member: the volunteer checks in someone never asked, by sign-in
    name."""
    action = _checkable(request, public_id)
    username = (request.POST.get("username") or "").strip()
    member = Member.objects.active().filter(username=username).first()
    if member is None:
        messages.error(request, _("No active member signs in as “%(name)s”.") % {"name": username})
    else:
        services.check_in_walk_up(action=action, person=own_record(member=member), by=request.user)
        messages.success(request, _("%(name)s is checked in.") % {"name": member.display_name})
    return redirect("mobilize:check_in_list", action.public_id)


@require_POST
@member_view()
def attendance(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    try:
        count = services.close_attendance(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Attendance taken: %(count)d who said yes or maybe did not come.") % {"count": count},
        )
    return redirect("mobilize:action", action.public_id)


# --- call-outs -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view()
def call_out(request: HttpRequest, public_id: str) -> HttpResponse:
    """Write the call-out in each language, see what it will take, then send it."""
    action = _runnable(request, public_id)
    codes = callouts.languages()
    initial = {"audience": "waiting", "channels": "text,email"}
    for code, text in callouts.default_texts().items():
        initial[f"subject_{code}"] = text["subject"]
        initial[f"body_{code}"] = text["body"]
    form = forms.CallOutForm(request.POST or None, initial=initial, languages=codes)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channels = data["channels"].split(",")
        within = data["within_minutes"] * 60 if data["within_minutes"] else None
        if request.POST.get("send") == "1":
            try:
                send = callouts.send_call_out(
                    action=action,
                    which=data["audience"],
                    channels=channels,
                    texts=form.texts(),
                    within_seconds=within,
                    by=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The call-out is going out."))
                return redirect("mobilize:send", send.public_id)
        else:
            preview = callouts.preview(
                people=callouts.audience(action, data["audience"]),
                channels=channels,
                within_seconds=within,
            )
    return render(
        request,
        "mobilize/call_out.html",
        {"action": action, "form": form, "preview": preview},
        status=422 if request.method == "POST" and form.errors else 200,
    )
