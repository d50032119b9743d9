"""Pages of one bulk send: how far it got (a fragment htmx refreshes every two seconds, and a
page without it), who it failed for and why, whose message may or may not have gone out
(uncertain: sent again or called instead, as the organizer chooses), and stopping it or
trying the failed again. Recipients are shown by display name only, never by address."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from solnet.core.access import member_view
from solnet.mobilize import access, forms
from solnet.mobilize.models import Send, SendStatus
from solnet.mobilize.sending import sends

FAILED_PAGE_SIZE = 30
UNCERTAIN_PAGE_SIZE = 30


def _progress_context(send: Send) -> dict:
    return {
        "send": send,
        "progress": sends.progress(send),
        "running": send.status in (SendStatus.QUEUED, SendStatus.SENDING),
    }


def _detail_context(request: HttpRequest, send: Send) -> dict:
    failed = Paginator(sends.failed_deliveries(send), FAILED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    uncertain = Paginator(sends.uncertain_deliveries(send), UNCERTAIN_PAGE_SIZE).get_page(
        request.GET.get("uncertain")
    )
    to_call = Paginator(sends.to_call_deliveries(send), UNCERTAIN_PAGE_SIZE).get_page(
        request.GET.get("to_call")
    )
    return {
        **_progress_context(send),
        "failed": failed,
        "uncertain": uncertain,
        "to_call": to_call,
    }


@require_GET
@member_view(access.can_see_actions)
def send_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    send = access.get_send_or_404(request.user, public_id)
    return render(request, "mobilize/send.html", _detail_context(request, send))


@require_GET
@member_view(access.can_see_actions)
def send_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The live counts: only the fragment for htmx, the page around it otherwise."""
    send = access.get_send_or_404(request.user, public_id)
    template = (
        "mobilize/send_progress_fragment.html" if request.htmx else "mobilize/send_progress.html"
    )
    return render(request, template, _progress_context(send))


@require_POST
@member_view(access.can_see_actions)
def send_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    send = access.get_send_or_404(request.user, public_id)
    try:
        count = sends.cancel_send(send, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Stopped: %(count)d message will not go out.",
                "Stopped: %(count)d messages will not go out.",
                count,
            )
            % {"count": count},
        )
    return redirect("mobilize:send", send.public_id)


@require_POST
@member_view(access.can_see_actions)
def send_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    send = access.get_send_or_404(request.user, public_id)
    try:
        count = sends.retry_failed(send, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "Trying %(count)d message again.", "Trying %(count)d messages again.", count
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("Nothing had failed."))
    return redirect("mobilize:send", send.public_id)


@require_POST
@member_view(access.can_see_actions)
def send_uncertain(request: HttpRequest, public_id: str) -> HttpResponse:
    """Messages whose hand-over the server never confirmed: sent again, or called instead;
    one person's (`delivery`) or all of them."""
    send = access.get_send_or_404(request.user, public_id)
    form = forms.UncertainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to send them again or to call them."))
        return render(request, "mobilize/send.html", _detail_context(request, send), status=422)
    one = form.cleaned_data["delivery"]
    choice = form.cleaned_data["choice"]
    try:
        count = sends.settle_uncertain(
            send=send, by=request.user, choice=choice, delivery_ids=None if one is None else [one]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mobilize:send", send.public_id)
    if not count:
        messages.info(request, _("Nothing was uncertain any more."))
    elif choice == sends.RESEND:
        messages.success(
            request,
            ngettext("Sending %(count)d message again.", "Sending %(count)d messages again.", count)
            % {"count": count},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d person is marked to be called.",
                "%(count)d people are marked to be called.",
                count,
            )
            % {"count": count},
        )
    return redirect("mobilize:send", send.public_id)
