"""Health of the installation and the two-person approval pages."""

from __future__ import annotations

import time

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from huey.contrib.djhuey import HUEY

from solnet.core import twoperson
from solnet.core.access import get_or_404, member_view
from solnet.core.tasks import HEARTBEAT_CACHE_KEY

WORKER_STALE_SECONDS = 150


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Database, worker and queue depth, for monitoring. Names nobody."""
    report: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except Exception:  # any failure to reach the database is "down", whatever its cause
        report["database"] = "down"
        healthy = False
    beat = cache.get(HEARTBEAT_CACHE_KEY)
    if beat is None:
        report["worker"] = "unknown"
    else:
        age = max(0.0, time.time() - float(beat))
        report["worker"] = "ok" if age < WORKER_STALE_SECONDS else "stale"
        report["worker_heartbeat_age_seconds"] = round(age, 1)
    try:
        report["queue_depth"] = HUEY.pending_count()
        report["queue"] = "ok"
    except Exception:  # a queue store that does not answer
        report["queue"] = "down"
        healthy = False
    report["status"] = "ok" if healthy else "down"
    return JsonResponse(report, status=200 if healthy else 503)


@member_view()
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    requests = twoperson.visible_requests(request.user).select_related("requested_by")
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "approval": approval,
            "description": twoperson.describe(approval),
            "can_approve": twoperson.may_approve(request.user, approval),
            "own": approval.requested_by_id == request.user.pk,
        }
        for approval in page
    ]
    return render(request, "core/approval_list.html", {"page": page, "rows": rows})


@member_view()
@require_POST
@reauthentication_required
def approval_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    approval = get_or_404(twoperson.pending_for(request.user), public_id=public_id)
    try:
        twoperson.approve_request(approval=approval, approver=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved and carried out."))
    return redirect("core:approvals")


@member_view()
@require_POST
def approval_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    approval = get_or_404(twoperson.visible_requests(request.user), public_id=public_id)
    try:
        twoperson.reject_request(approval=approval, member=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is closed and nothing was done."))
    return redirect("core:approvals")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Refusals look like absence.
    return render(request, "404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
