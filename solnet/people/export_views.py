"""Pages of exports of people: ask, follow, download. Each view: access → form → service →
response. Every page works without JavaScript; htmx only refreshes the progress on its own."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core import sealed
from solnet.core.access import member_view
from solnet.people import export_requests, exports

PAGE_SIZE = 50


@member_view(exports.can_export_people)
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(exports.exports_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(export, export_requests.state_of(request.user, export)) for export in page]
    return render(request, "people/export_list.html", {"page": page, "rows": rows})


@member_view(exports.can_export_people)
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def export_new(request: HttpRequest) -> HttpResponse:
    """GET shows what the list's filter would export; POST asks for it."""
    source = request.POST.get("query", "") if request.method == "POST" else request.GET.urlencode()
    query = QueryDict(source, mutable=True)
    query.pop("page", None)
    error = None
    if request.method == "POST":
        try:
            export = export_requests.request_export(query=query, by=request.user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request,
                _("Asked. The file is made once a second organizer approves the export."),
            )
            return redirect("people:export_detail", public_id=export.public_id)
    preview = None
    try:
        preview = exports.preview_export(member=request.user, query=query)
    except ValidationError as problem:
        error = error or " ".join(problem.messages)
    return render(
        request,
        "people/export_new.html",
        {
            "preview": preview,
            "error": error,
            "query": urlencode(preview.form.as_query()) if preview else "",
        },
        status=422 if request.method == "POST" else 200,
    )


@member_view(exports.can_export_people)
@require_GET
def export_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    export = exports.get_export_or_404(request.user, public_id)
    context = {"export": export, "state": export_requests.state_of(request.user, export)}
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx's middleware sets it
        return render(request, "people/export_progress.html", context)
    context["description"] = export_requests.describe_export(request.user, export)
    return render(request, "people/export_detail.html", context)


@member_view(exports.can_export_people)
@require_GET
@reauthentication_required
def export_download(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """Only the organizer who asked, signed in afresh, within the hour; never cached."""
    export = exports.get_export_or_404(request.user, public_id)
    state = export_requests.state_of(request.user, export)
    if state.code not in ("ready", "expired"):
        raise Http404
    try:
        file = export_requests.download_export(export=export, by=request.user)
        chunks = sealed.read_chunks(file)
    except PermissionDenied:
        raise Http404 from None
    except (ValidationError, FileNotFoundError):
        gone = render(request, "people/export_gone.html", {"export": export}, status=410)
        gone["Cache-Control"] = "no-store"
        return gone
    response = StreamingHttpResponse(chunks, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response
