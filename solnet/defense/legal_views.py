"""The legal hand-off's pages: asking for it (and sending a fresh link) from an incident's
notes, and the legal contact's page at the link's secret, where the bundle is downloaded and
the hand-off closed. The second person approves on the Approvals page, as for every
two-person action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from solnet.core.access import member_view
from solnet.core.middleware import UPLOADED_FILE_POLICY
from solnet.defense import access, legal


@member_view(access.reads_all_field_notes)
@require_POST
def handoff_request(request: HttpRequest, public_id: str) -> HttpResponse:
    report = access.get_incident_or_404(request.user, public_id)
    try:
        legal.request_handoff(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Asked. A second dispatcher or the LO coordinator approves it on Approvals."),
        )
    return redirect("defense:incident", public_id=report.public_id)


@member_view(access.reads_all_field_notes)
@require_POST
def handoff_link(request: HttpRequest, public_id: str) -> HttpResponse:
    report = access.get_incident_or_404(request.user, public_id)
    handoff = legal.pending(report)
    try:
        if handoff is None:
            raise ValidationError(_("This hand-off has no bundle to send."))
        legal.send_new_link(handoff=handoff, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new link is sent to the legal contact; the old one stops."))
    return redirect("defense:incident", public_id=report.public_id)


def _handoff_or_404(token: str):
    handoff = legal.handoff_of_link(token)
    if handoff is None:
        raise Http404
    return handoff


@never_cache
@require_http_methods(["GET", "POST"])
def legal_bundle(request: HttpRequest, token: str) -> HttpResponse:
    """The legal contact's page: what the bundle is, its download, and closing the hand-off
    (a form, so that a link scanner opening the page closes nothing)."""
    handoff = _handoff_or_404(token)
    if request.method == "POST":
        if request.POST.get("confirm") != "close":
            messages.error(request, _("Tick the box to close the hand-off."))
            return redirect("defense:legal_bundle", token=token)
        legal.close_handoff(handoff)
        return render(request, "defense/legal_closed.html")
    return render(request, "defense/legal_bundle.html", {"handoff": handoff, "token": token})


@never_cache
@require_http_methods(["GET"])
def legal_download(request: HttpRequest, token: str) -> HttpResponse:
    handoff = _handoff_or_404(token)
    response = StreamingHttpResponse(legal.read_bundle(handoff), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, handoff.file.filename)
    response["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    return response
