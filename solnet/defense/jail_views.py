"""Jail support's pages: the cases a dispatcher, the LO coordinator or a supporter follows,
recording an arrest at an incident, and one case — its details, status, court dates, family
tasks and the request to the bail fund."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.defense import access, jail
from solnet.defense.forms import (
    ArresteeForm,
    ArresteeStatusForm,
    BailForm,
    CourtDateForm,
    FamilyTaskForm,
)
from solnet.defense.models import ArresteeStatus

PAGE_SIZE = 25


def _details(form) -> dict:
    return {name: form.cleaned_data[name] for name in jail.DETAILS}


@member_view(access.can_file_report)
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    listed = (
        access.visible_arrestees(request.user)
        .select_related("report__zone")
        .order_by("closed_at", "-created_at", "-pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "defense/cases.html", {"page": page})


@member_view(access.reads_all_field_notes)
@require_http_methods(["GET", "POST"])
def arrest_new(request: HttpRequest, public_id: str) -> HttpResponse:
    report = access.get_incident_or_404(request.user, public_id)
    if request.method == "POST":
        form = ArresteeForm(request.POST)
        if form.is_valid():
            try:
                arrestee = jail.record_arrest(report=report, by=request.user, **_details(form))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The arrest is recorded."))
                return redirect("defense:arrestee", public_id=arrestee.public_id)
        status = 422
    else:
        form, status = ArresteeForm(), 200
    context = {"form": form, "report": report}
    return render(request, "defense/arrest_new.html", context, status=status)


def _case_page(request: HttpRequest, arrestee, status: int = 200, **forms) -> HttpResponse:
    is_open = arrestee.is_open and arrestee.name is not None
    funds = jail.bail_funds()
    if is_open:
        forms.setdefault("court_form", CourtDateForm(auto_id="court-%s"))
        forms.setdefault("task_form", FamilyTaskForm(auto_id="task-%s"))
        if arrestee.bail_amount and funds.exists():
            forms.setdefault("bail_form", BailForm(funds=funds, auto_id="bail-%s"))
    if arrestee.name is not None:
        forms.setdefault(
            "status_form",
            ArresteeStatusForm(initial={"status": arrestee.status}, auto_id="status-%s"),
        )
    context = {
        "arrestee": arrestee,
        "is_open": is_open,
        "court_dates": arrestee.court_dates.all(),
        "tasks": arrestee.tasks.select_related("assigned_to"),
        "bail_request": arrestee.bail_request,
        "no_bail_fund": not funds.exists(),
        **forms,
    }
    return render(request, "defense/arrestee.html", context, status=status)


@member_view(access.can_file_report)
@require_GET
def arrestee(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)
    audit.record("defense.arrestee_read", actor=request.user, target=found)
    return _case_page(request, found)


@member_view(access.can_file_report)
@require_http_methods(["GET", "POST"])
def arrestee_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)
    if found.name is None:
        raise Http404
    if request.method == "POST":
        form = ArresteeForm(request.POST)
        if form.is_valid():
            try:
                jail.update_arrestee(arrestee=found, by=request.user, **_details(form))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The case is updated."))
                return redirect("defense:arrestee", public_id=found.public_id)
        status = 422
    else:
        form = ArresteeForm(
            initial={
                **{name: getattr(found, name) for name in found.DETAILS},
                "birth_consent": found.birth_consent,
                "bail_amount": found.bail_amount,
                "supporter": found.supporter.public_id if found.supporter else None,
            }
        )
        status = 200
    context = {"form": form, "arrestee": found, "report": found.report}
    return render(request, "defense/arrest_new.html", context, status=status)


def _act(request: HttpRequest, found, form, key: str, action, done: str) -> HttpResponse:
    """Runs a case's action from its form; the page again with the form's errors if refused."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("defense:arrestee", public_id=found.public_id)
    return _case_page(request, found, status=422, **{key: form})


@member_view(access.can_file_report)
@require_POST
def arrestee_status(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)
    form = ArresteeStatusForm(request.POST, auto_id="status-%s")

    def action(data):
        jail.set_status(arrestee=found, by=request.user, status=data["status"])

    done = (
        _("Support for this case is over: its details go after the hotline's period.")
        if request.POST.get("status") == ArresteeStatus.CLOSED
        else _("The case's status is saved.")
    )
    return _act(request, found, form, "status_form", action, done)


@member_view(access.can_file_report)
@require_POST
def court_date_add(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)

    def action(data):
        jail.add_court_date(arrestee=found, by=request.user, **data)

    form = CourtDateForm(request.POST, auto_id="court-%s")
    done = _("The court date is added: its supporter is reminded the day before.")
    return _act(request, found, form, "court_form", action, done)


@member_view(access.can_file_report)
@require_POST
def task_add(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)

    def action(data):
        jail.add_task(arrestee=found, by=request.user, **data)

    form = FamilyTaskForm(request.POST, auto_id="task-%s")
    return _act(request, found, form, "task_form", action, _("The task is added."))


@member_view(access.can_file_report)
@require_POST
def task_done(request: HttpRequest, public_id: str, task_id: str) -> HttpResponse:
    task = access.get_task_or_404(request.user, public_id, task_id)
    try:
        jail.finish_task(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked done."))
    return redirect("defense:arrestee", public_id=public_id)


@member_view(access.can_file_report)
@require_POST
def bail_ask(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_arrestee_or_404(request.user, public_id)

    def action(data):
        jail.ask_bail(arrestee=found, by=request.user, **data)

    form = BailForm(request.POST, funds=jail.bail_funds(), auto_id="bail-%s")
    done = _("The bail fund is asked: it decides and pays by its own rules.")
    return _act(request, found, form, "bail_form", action, done)
