"""The hotline's pages: the dispatchers' desk, the rota, reports, and the public report form
at its secret address. Every page a report is on is a dispatcher's; a member who sends one
is thanked and reads no report afterwards."""

from __future__ import annotations

import hmac

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit, phones, public_forms
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.defense import (
    access,
    card,
    figures,
    line,
    period,
    reports,
    rights,
    rota,
    verify,
)
from solnet.defense.forms import (
    AfterActionForm,
    CloseForm,
    CoverForm,
    FindingForm,
    HandoverForm,
    HotlineForm,
    PublicReportForm,
    ReplyForm,
    ReportAlertForm,
    ReportWriteForm,
    SlotForm,
    VerifiersForm,
)
from solnet.defense.models import (
    Conversation,
    Hotline,
    ReportForm,
    ReportStatus,
    Source,
    new_address,
)
from solnet.mobilize import alerts, sms_views

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


# --- the phone line: conversations ------------------------------------------------------------


def _conversation_page(
    request: HttpRequest, found: Conversation, status: int = 200, reply_form=None
) -> HttpResponse:
    context = {
        "conversation": found,
        "texts": found.texts.select_related("sent_by"),
        "calls": found.calls.select_related("answered_by"),
        "reply_form": reply_form or ReplyForm(),
        "phone_line": bool(line.line_number()),
        "forms": ReportForm.choices,
    }
    return render(request, "defense/conversation.html", context, status=status)


@member_view(access.is_dispatcher)
@require_GET
def conversation(request: HttpRequest, public_id: str) -> HttpResponse:
    """What one number sent the hotline, texts and calls, with a dispatcher's answers; never
    the number."""
    found = access.get_conversation_or_404(request.user, public_id)
    audit.record("defense.conversation_read", actor=request.user, target=found)
    return _conversation_page(request, found)


@member_view(access.is_dispatcher)
@require_POST
def conversation_reply(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_conversation_or_404(request.user, public_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            line.reply(conversation=found, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your text is sent, from the hotline's number."))
            if found.report_id:
                return redirect("defense:report", found.report.public_id)
            return redirect("defense:conversation", found.public_id)
    return _conversation_page(request, found, 422, reply_form=form)


@member_view(access.is_dispatcher)
@require_POST
def conversation_close(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_conversation_or_404(request.user, public_id)
    try:
        line.close_conversation(conversation=found, by=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("defense:conversation", found.public_id)
    messages.success(request, _("The conversation is off the desk."))
    return redirect("defense:home")


# --- the rota ---------------------------------------------------------------------------------


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def rota_page(request: HttpRequest) -> HttpResponse:
    """The week ahead and the weekly slots; a new slot is added here."""
    form = SlotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rota.save_slot(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The shift is on the rota."))
            return redirect("defense:rota")
    context = {
        "form": form,
        "week": rota.week(),
        "slots": access.visible_slots(request.user).select_related("primary", "backup"),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/rota.html", context, status=status)


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def slot(request: HttpRequest, public_id: str) -> HttpResponse:
    """One weekly slot: change it, remove it, or arrange a swap for a day."""
    found = access.get_slot_or_404(request.user, public_id)
    initial = {
        "weekday": found.weekday,
        "starts": found.starts,
        "hours": found.hours,
        "primary": found.primary,
        "backup": found.backup,
    }
    form = SlotForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rota.save_slot(by=request.user, slot=found, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The shift is changed."))
            return redirect("defense:rota")
    context = {"slot": found, "form": form, "cover_form": CoverForm()}
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/slot.html", context, status=status)


@member_view(access.is_dispatcher)
@require_POST
def slot_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_slot_or_404(request.user, public_id)
    rota.remove_slot(slot=found, by=request.user)
    messages.success(request, _("The shift is off the rota."))
    return redirect("defense:rota")


@member_view(access.is_dispatcher)
@require_POST
def slot_cover(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_slot_or_404(request.user, public_id)
    cover_form = CoverForm(request.POST)
    if cover_form.is_valid():
        try:
            rota.cover(slot=found, by=request.user, **cover_form.cleaned_data)
        except ValidationError as error:
            add_errors(cover_form, error)
        else:
            messages.success(request, _("The swap is on the rota."))
            return redirect("defense:rota")
    context = {"slot": found, "form": SlotForm(initial={}), "cover_form": cover_form}
    return render(request, "defense/slot.html", context, status=422)


# --- the hotline's settings and its public form -----------------------------------------------


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """The phone line (its number and ring time), whether the public form is open, and its
    secret address."""
    current = Hotline.current()
    form = HotlineForm(
        request.POST if request.method == "POST" else None,
        initial={
            "public_form": current.public_form,
            "number": current.number,
            "ring_seconds": current.ring_seconds,
            "legal_contact": current.legal_contact,
            "report_days": current.report_days,
        },
    )
    asked = False
    if (
        request.method == "POST"
        and form.is_valid()
        and form.cleaned_data["report_days"] not in (None, current.report_days)
    ):
        try:
            period.request_change(days=form.cleaned_data["report_days"], by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            asked = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            current = Hotline.objects.select_for_update().get(pk=current.pk)
            current.public_form = data["public_form"]
            current.number = data["number"] or ""
            current.ring_seconds = data["ring_seconds"]
            legal_contact_changed = (data["legal_contact"] or None) != current.legal_contact
            current.legal_contact = data["legal_contact"] or None
            if data["new_address"]:
                current.address = new_address()
            current.save()
            audit.record(
                "defense.hotline_changed",
                actor=request.user,
                public_form=current.public_form,
                new_address=data["new_address"],
                phone_line=bool(current.number),
                ring_seconds=current.ring_seconds,
                legal_contact_changed=legal_contact_changed,
            )
        messages.success(request, _("The hotline's settings are saved."))
        if asked:
            messages.info(
                request,
                _("The new period waits for a second dispatcher's approval on Approvals."),
            )
        return redirect("defense:hotline")
    context = {
        "form": form,
        "hotline": current,
        "address": settings.BASE_URL + reverse("defense:public_report", args=[current.address]),
        "voice_url": settings.BASE_URL + reverse("defense:voice"),
        "text_url": settings.BASE_URL + reverse("defense:text"),
        "languages": rights.LANGUAGES,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/hotline.html", context, status=status)


@member_view(access.is_dispatcher)
@require_GET
def hotline_card(request: HttpRequest) -> HttpResponse:
    """The printed card, as a page of cards to cut out (PDF), in the language asked."""
    current = Hotline.current()
    if not card.printable(current):
        raise Http404
    language = rights.language_of(request.GET.get("language"))
    audit.record(
        "defense.card_printed", actor=request.user, language=language, form=current.public_form
    )
    response = HttpResponse(card.card_pdf(current, language), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"hotline-cards-{language}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _public_hotline_or_404(address: str) -> Hotline:
    current = Hotline.current()
    if not current.public_form or not hmac.compare_digest(
        current.address.encode(), (address or "").encode()
    ):
        raise Http404
    return current


@never_cache
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, address: str) -> HttpResponse:
    """Anyone with the secret address sends a report; nobody signs in and nothing is shown
    back but thanks. The bot guard and the per-address limit are `core.public_forms`'."""
    _public_hotline_or_404(address)
    form = PublicReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        verdict = public_forms.screen(
            request, form, scope="defense_report", per_hour=request.network.public_forms_per_hour
        )
        if verdict is public_forms.Verdict.BOT:
            return render(request, "defense/public_thanks.html", {})
        status = verdict.value
        if verdict is public_forms.Verdict.ACCEPT:
            data = form.cleaned_data
            try:
                reports.file_report(
                    form=ReportForm.ALERTA,
                    source=Source.PUBLIC,
                    seen_at=data["seen_at"],
                    zone=data["zone"],
                    words=form.words,
                )
            except ValidationError as error:
                add_errors(form, error)
                status = 422
            else:
                return render(request, "defense/public_thanks.html", {})
    response = render(request, "defense/public_report.html", {"form": form}, status=status)
    # The secret address never leaves in a Referer header to another site ("no-referrer"
    # would also blank the form's own Origin, which the CSRF check needs).
    response.headers["Referrer-Policy"] = "same-origin"
    return response


# --- the phone line: the gateway's webhooks ---------------------------------------------------


class CallForm(forms.Form):
    """The fields of Twilio's incoming-call webhook that SolNet reads (it posts more)."""

    CallSid = forms.CharField(**sms_views.SID_FIELD)  # type: ignore[arg-type]
    From = sms_views.InboundForm.base_fields["From"]
    To = forms.CharField(max_length=32)


class AfterDialForm(forms.Form):
    CallSid = forms.CharField(**sms_views.SID_FIELD)  # type: ignore[arg-type]
    DialCallStatus = forms.ChoiceField(choices=[(s, s) for s in line.DIAL_STATUSES])


def _line_refusal(request: HttpRequest, hotline: Hotline) -> str:
    why = sms_views.webhook_refusal(request)
    if why:
        return why
    number = line.line_number(hotline)
    if not number:
        return "the hotline has no number"
    if "To" in request.POST and phones.index_form(request.POST["To"]) != number:
        return "not the hotline's number"
    return ""


def _twiml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt  # the gateway cannot hold a CSRF token: its signature stands in for one
@require_POST
def voice(request: HttpRequest) -> HttpResponse:
    """A call to the hotline's number: answered with the TwiML that rings the dispatcher on
    shift, through the gateway."""
    hotline = Hotline.current()
    why = _line_refusal(request, hotline)
    if why:
        return sms_views.refused(why)
    form = CallForm(request.POST)
    if not form.is_valid():
        return sms_views.bad_input(form)
    data = form.cleaned_data
    return _twiml(
        line.receive_call(call_sid=data["CallSid"], from_number=data["From"], hotline=hotline)
    )


@csrf_exempt  # the gateway cannot hold a CSRF token: its signature stands in for one
@require_POST
def voice_after(request: HttpRequest) -> HttpResponse:
    """How one step's ringing ended (the Dial's action, whose address names the step, and is
    signed with it): answered, or ring the next."""
    why = _line_refusal(request, Hotline.current())
    if why:
        return sms_views.refused(why)
    form = AfterDialForm(request.POST)
    step = request.GET.get("step", "")
    if not form.is_valid():
        return sms_views.bad_input(form)
    if step not in {str(n) for n in range(line.STEPS)}:
        form.add_error(None, "not a step of the call")
        return sms_views.bad_input(form)
    data = form.cleaned_data
    return _twiml(
        line.after_dial(
            call_sid=data["CallSid"], step=int(step), dial_status=data["DialCallStatus"]
        )
    )


@csrf_exempt  # the gateway cannot hold a CSRF token: its signature stands in for one
@require_POST
def text(request: HttpRequest) -> HttpResponse:
    """A text to the hotline's number (the number's messaging webhook at the gateway)."""
    why = _line_refusal(request, Hotline.current())
    if why:
        return sms_views.refused(why)
    form = sms_views.InboundForm(request.POST)
    if not form.is_valid():
        return sms_views.bad_input(form)
    data = form.cleaned_data
    received = line.receive_text(
        message_sid=data["MessageSid"], from_number=data["From"], body=data["Body"]
    )
    return sms_views.twiml_message(received.reply, received.language)
