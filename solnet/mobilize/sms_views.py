"""The SMS gateway's webhooks: texts people send to the network's numbers, and the gateway's
reports of what became of ours.

They are public addresses the gateway posts to, so nobody signs in: a request is taken only
when its X-Twilio-Signature is the one the gateway computes with our auth token over the
address it was given (SOLNET_BASE_URL and the path) and the posted fields, and it names our
account. Anything else is refused with 403 and changes nothing.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from solnet.mobilize import inbound
from solnet.mobilize.sending import sms

SID_FIELD = {
    "max_length": 64,
    "validators": [RegexValidator(sms.SID.pattern, "not a message id")],
}


class InboundForm(forms.Form):
    """The fields of Twilio's incoming-message webhook that SolNet reads (it posts more)."""

    MessageSid = forms.CharField(**SID_FIELD)  # type: ignore[arg-type]
    From = forms.CharField(
        max_length=32,
        validators=[RegexValidator(r"^\+?[0-9 ().-]{3,31}$", "not a phone number")],
    )
    To = forms.CharField(max_length=32, required=False)
    Body = forms.CharField(max_length=sms.MAX_BODY, required=False, strip=False)


class StatusForm(forms.Form):
    """The fields of Twilio's status callback that SolNet reads."""

    MessageSid = forms.CharField(**SID_FIELD)  # type: ignore[arg-type]
    MessageStatus = forms.ChoiceField(choices=[(s, s) for s in inbound.KNOWN_STATUSES])
    ErrorCode = forms.CharField(max_length=12, required=False)


def refused(why: str) -> HttpResponse:
    return HttpResponse(f"Refused: {why}.\n", status=403, content_type="text/plain")


def bad_input(form: forms.Form) -> HttpResponse:
    problems = "; ".join(
        f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
    )
    return HttpResponse(f"Bad request: {problems}\n", status=400, content_type="text/plain")


def webhook_refusal(request: HttpRequest) -> str:
    """Why the request is refused, or "" when it is the gateway's."""
    if not sms.configured():
        return "SMS is not configured"
    url = settings.BASE_URL + request.get_full_path()
    params = {name: request.POST.getlist(name) for name in request.POST}
    if not sms.valid_signature(url, params, request.headers.get("X-Twilio-Signature", "")):
        return "the signature is missing or wrong"
    if not sms.account_sid_matches(request.POST.get("AccountSid", "")):
        return "not our account"
    return ""


def twiml_message(reply: str, language: str) -> HttpResponse:
    message = f"<Message>{escape(reply)}</Message>" if reply else ""
    response = HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>',
        content_type="text/xml; charset=utf-8",
    )
    response.headers["Content-Language"] = language
    return response


@csrf_exempt  # the gateway cannot hold a CSRF token: its signature stands in for one
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    why = webhook_refusal(request)
    if why:
        return refused(why)
    form = InboundForm(request.POST)
    if not form.is_valid():
        return bad_input(form)
    received = inbound.receive_text(
        message_sid=form.cleaned_data["MessageSid"],
        from_number=form.cleaned_data["From"],
        body=form.cleaned_data["Body"],
    )
    return twiml_message(received.reply, received.language)


@csrf_exempt  # the gateway cannot hold a CSRF token: its signature stands in for one
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    why = webhook_refusal(request)
    if why:
        return refused(why)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return bad_input(form)
    inbound.note_delivery_report(
        message_sid=form.cleaned_data["MessageSid"],
        status=form.cleaned_data["MessageStatus"],
        error_code=form.cleaned_data["ErrorCode"],
    )
    return HttpResponse(status=204)
