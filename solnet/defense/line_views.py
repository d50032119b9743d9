"""The phone line's pages: what one number said (a conversation), answered by text from the
hotline's number and closed by the dispatcher on shift; and the gateway's webhooks for calls
and texts to the hotline's number, taken only with the gateway's signature."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from solnet.core import audit, phones
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.defense import (
    access,
    line,
)
from solnet.defense.forms import (
    ReplyForm,
)
from solnet.defense.models import (
    Conversation,
    Hotline,
    ReportForm,
)
from solnet.mobilize import sms_views

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
