"""The network's message templates, one text per language: what call-outs, reminders and
alerts say unless the sender writes something else."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solnet.core import audit
from solnet.core.access import get_or_404, member_view
from solnet.members.access import is_organizer
from solnet.mobilize import forms
from solnet.mobilize.models import DEFAULT_RATES, MessageTemplate, SmsSender

PAGE_SIZE = 30


@require_http_methods(["GET", "POST"])
@member_view(is_organizer)
def template_list(request: HttpRequest) -> HttpResponse:
    """Writing a name and language that exist already replaces that text."""
    form = forms.MessageTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template, created = MessageTemplate.objects.update_or_create(
            name=data["name"].strip(),
            language=data["language"],
            defaults={"subject": data["subject"], "body": data["body"]},
        )
        audit.record("template.saved", actor=request.user, target=template.name, new=created)
        messages.success(request, _("Saved."))
        return redirect("mobilize:templates")
    page = Paginator(MessageTemplate.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilize/templates.html",
        {"form": form, "page": page},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@member_view(is_organizer)
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_or_404(MessageTemplate.objects.all(), pk=pk)
    audit.record("template.deleted", actor=request.user, target=template.name)
    template.delete()
    messages.success(request, _("Deleted."))
    return redirect("mobilize:templates")


@require_http_methods(["GET", "POST"])
@member_view(is_organizer)
def senders(request: HttpRequest) -> HttpResponse:
    """The numbers the network texts from, and the caps its gateway sets for each."""
    form = forms.SmsSenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sender = SmsSender.objects.create(
            number=data["number"],
            kind=data["kind"],
            per_second=data["per_second"] or DEFAULT_RATES[data["kind"]],
            per_day=data["per_day"],
        )
        audit.record("sms_sender.added", actor=request.user, target=sender.number)
        messages.success(request, _("The number is in use."))
        return redirect("mobilize:senders")
    page = Paginator(SmsSender.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilize/senders.html",
        {"form": form, "page": page},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@member_view(is_organizer)
def sender_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    sender = get_or_404(SmsSender.objects.all(), pk=pk)
    sender.active = not sender.active
    sender.save(update_fields=["active"])
    audit.record(
        "sms_sender.resumed" if sender.active else "sms_sender.paused",
        actor=request.user,
        target=sender.number,
    )
    return redirect("mobilize:senders")
