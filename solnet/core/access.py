"""The access-layer pattern every app follows.

Each app has an `access.py` whose helpers are the only way views and API operations reach
protected objects: `visible_<things>(member)` returns a QuerySet of what a member may see, and
`get_<thing>_or_404(member, public_id)` fetches one. A missing object and a forbidden one raise
the same `Http404`, so nobody learns that something exists by being refused it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from solnet.core import audit

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """One object of an access-filtered QuerySet, or 404 for missing and forbidden alike."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def deny() -> Http404:
    """What every refusal looks like from outside."""
    return Http404()


def member_view(check: Callable[[Any], bool] | None = None):
    """Decorates a view for signed-in, active members.

    Anonymous visitors go to the sign-in page; a signed-in member who fails `check` gets the
    same 404 as for a page that does not exist.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or (check is not None and not check(user)):
                match = request.resolver_match
                audit.record("access.denied", actor=user, target=match.view_name if match else "")
                raise deny()
            return view(request, *args, **kwargs)

        wrapper.access_check = check  # type: ignore[attr-defined]  # read by the matrix test
        return wrapper

    return decorator
