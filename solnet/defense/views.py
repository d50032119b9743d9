"""The hotline's desk and its reports: the dispatchers' desk and handover notes, writing a
report (a dispatcher, a member from the app), a report's page with verification, the alert
to responders, closing and the after-action, a verifier's own page, and the figures every
member sees. Every page a report is on is a dispatcher's; a member who sends one is thanked
and reads no report afterwards. The rota, settings and public form are in `hotline_views`;
the phone line in `line_views`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.defense import (
    access,
    figures,
    line,
    reports,
    rota,
    verify,
)
from solnet.defense.forms import (
    AfterActionForm,
    CloseForm,
    FindingForm,
    HandoverForm,
    ReplyForm,
    ReportAlertForm,
    ReportWriteForm,
    VerifiersForm,
)
from solnet.defense.models import (
    ReportForm,
    ReportStatus,
    Source,
)
from solnet.mobilize import alerts

PAGE_SIZE = 25


# --- the desk ---------------------------------------------------------------------------------


@member_view(access.can_file_report)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A dispatcher's desk; for other members, where to send a report."""
    member = request.user
    if not access.is_dispatcher(member):
        return render(request, "defense/member_home.html", {"forms": ReportForm.choices})
    status = request.GET.get("status")
    listed = access.visible_reports(member).select_related("zone")
    if status in ReportStatus.values:
        listed = listed.filter(status=status)
    else:
        status = ""
        listed = reports.open_reports(member).select_related("zone")
    context = {
        "now": rota.on_shift(),
        "next": rota.next_shift(),
        "unfilled": rota.unfilled(),
        "handovers": access.visible_handovers(member).select_related("written_by")[:3],
        "handover_form": HandoverForm(),
        "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "waiting": Paginator(line.waiting(), PAGE_SIZE).get_page(request.GET.get("line")),
        "status": status,
        "query": f"status={status}" if status else "",
        "statuses": ReportStatus.choices,
        "forms": ReportForm.choices,
    }
    return render(request, "defense/desk.html", context)


@member_view(access.is_dispatcher)
@require_POST
def handover(request: HttpRequest) -> HttpResponse:
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            rota.hand_over(by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your note is left for the next shifts."))
            return redirect("defense:home")
    return render(request, "defense/handover.html", {"form": form}, status=422)


# --- reports ----------------------------------------------------------------------------------


@member_view(access.can_file_report)
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    member = request.user
    dispatcher = access.is_dispatcher(member)
    kind = request.GET.get("form", ReportForm.SALUTE)
    kind = kind if kind in ReportForm.values else ReportForm.SALUTE
    # A dispatcher writes the report of a conversation on the line, which then goes with it.
    heard = None
    if dispatcher and request.GET.get("conversation"):
        heard = access.get_conversation_or_404(member, request.GET["conversation"])
        if not heard.is_open or heard.report_id:
            messages.info(request, _("A report was written from this conversation already."))
            return redirect("defense:conversation", heard.public_id)
    initial = {"source": Source.CALL if heard.calls.exists() else Source.TEXT} if heard else {}
    form = ReportWriteForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        dispatcher=dispatcher,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                report = reports.file_report(
                    form=kind,
                    source=data["source"] if dispatcher else Source.MEMBER,
                    seen_at=data["seen_at"],
                    zone=data["zone"],
                    words=form.words,
                    by=member,
                )
                if heard is not None:
                    line.attach(heard, report)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if dispatcher:
                messages.success(request, _("The report is in. It is not verified yet."))
                return redirect("defense:report", report.public_id)
            return render(request, "defense/report_sent.html", {})
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "kind": kind,
        "forms": ReportForm.choices,
        "dispatcher": dispatcher,
        "heard": heard,
        "heard_texts": heard.texts.all() if heard else [],
    }
    return render(request, "defense/report_form.html", context, status=status)


def _report_page(request: HttpRequest, found, status: int = 200, **forms) -> HttpResponse:
    """A report with what can be done with it next: send verifiers while it is unverified,
    alert responders once it is confirmed, close it while it is open."""
    # A form sent back with its errors is shown whatever the report's state now.
    if found.is_open and "close_form" not in forms:
        forms["close_form"] = CloseForm(alerted=found.alert_id is not None)
    if found.status == ReportStatus.UNVERIFIED and "verifiers_form" not in forms:
        forms["verifiers_form"] = VerifiersForm(candidates=verify.candidates(found))
    confirmed = found.status == ReportStatus.CONFIRMED and found.alert_id is None
    if confirmed and "alert_form" not in forms:
        forms["alert_form"] = ReportAlertForm(report=found)
    if found.status == ReportStatus.CLOSED and "after_form" not in forms:
        forms["after_form"] = AfterActionForm(
            initial={
                "outcome": found.outcome,
                "debrief": found.debrief,
                "follow_up": found.follow_up,
            },
            auto_id="after-%s",
        )
    context = {
        "report": found,
        "verifications": found.verifications.select_related("verifier"),
        "close_form": forms.get("close_form"),
        "verifiers_form": forms.get("verifiers_form"),
        "alert_form": forms.get("alert_form"),
        "after_form": forms.get("after_form"),
        "alert_counts": alerts.counts(found.alert) if found.alert_id else None,
        "conversations": found.conversations.prefetch_related("texts", "calls"),
        "reply_form": ReplyForm() if found.is_open else None,
        "phone_line": bool(line.line_number()),
    }
    return render(request, "defense/report.html", context, status=status)


@member_view(access.is_dispatcher)
@require_GET
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_report_or_404(request.user, public_id)
    audit.record("defense.report_read", actor=request.user, target=found)
    return _report_page(request, found)


@member_view(access.is_dispatcher)
@require_POST
def report_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_report_or_404(request.user, public_id)
    form = VerifiersForm(request.POST, candidates=verify.candidates(found))
    if form.is_valid():
        try:
            verify.ask(
                report=found, verifiers=list(form.cleaned_data["verifiers"]), by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The verifiers are asked to go and look."))
            return redirect("defense:report", found.public_id)
    return _report_page(request, found, 422, verifiers_form=form)


@member_view(access.is_dispatcher)
@require_POST
def report_alert(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_report_or_404(request.user, public_id)
    form = ReportAlertForm(request.POST, report=found)
    if form.is_valid():
        data = form.cleaned_data
        try:
            verify.alert_responders(
                report=found,
                message=data["message"],
                skills=data["skills"],
                zones=list(data["zones"]),
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Responders are being alerted."))
            return redirect("defense:report", found.public_id)
    return _report_page(request, found, 422, alert_form=form)


@member_view()
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest, public_id: str) -> HttpResponse:
    """A verifier's own page: where to look, and their answer."""
    asked = verify.visible_verification(request.user, public_id)
    form = FindingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            verify.answer(
                verification=asked,
                finding=form.cleaned_data["finding"],
                details=form.cleaned_data["details"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Thank you: the dispatcher has your answer."))
            return redirect("defense:verify", asked.public_id)
    answerable = asked.answered_at is None and asked.report.is_open
    context = {"asked": asked, "report": asked.report, "form": form if answerable else None}
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/verify.html", context, status=status)


@member_view(access.is_dispatcher)
@require_POST
def report_close(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_report_or_404(request.user, public_id)
    form = CloseForm(request.POST, alerted=found.alert_id is not None)
    if form.is_valid():
        try:
            reports.close_report(
                report=found,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
                stand_down=form.cleaned_data.get("stand_down", False),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The report is closed."))
            return redirect("defense:report", found.public_id)
    return _report_page(request, found, 422, close_form=form)


@member_view(access.is_dispatcher)
@require_POST
def report_after(request: HttpRequest, public_id: str) -> HttpResponse:
    """The after-action of an incident that is over: how it ended, the debrief, the
    follow-up for the family."""
    found = access.get_report_or_404(request.user, public_id)
    form = AfterActionForm(request.POST)
    if form.is_valid():
        try:
            reports.after_action(report=found, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The after-action is saved."))
            return redirect("defense:report", found.public_id)
    return _report_page(request, found, 422, after_form=form)


@member_view(access.can_file_report)
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """What every member can see of the rapid response, describing no one."""
    context = {"periods": figures.all_figures(), "least": figures.LEAST}
    return render(request, "defense/figures.html", context)
