"""Calendar feeds: the member's page of their feeds (make one, revoke one) and the feed itself,
which a calendar app fetches without a session, by the secret in its address."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from solnet.core.access import get_or_404, member_view
from solnet.mobilize import access, calendar
from solnet.mobilize.models import CalendarFeed

PAGE_SIZE = 30


class FeedForm(forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("What it shows"),
        choices=CalendarFeed.Scope.choices,
        initial=CalendarFeed.Scope.MINE,
        widget=forms.RadioSelect,
    )


def _page(request: HttpRequest, form: FeedForm, created: dict | None, status: int = 200):
    feeds = calendar.own_feeds(request.user)
    page = Paginator(feeds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilize/calendar.html",
        {"form": form, "page": page, "created": created},
        status=status,
    )


@require_GET
@member_view(access.can_see_actions)
def calendar_page(request: HttpRequest) -> HttpResponse:
    return _page(request, FeedForm(), None)


@require_POST
@member_view(access.can_see_actions)
def calendar_new(request: HttpRequest) -> HttpResponse:
    # The answer is the page itself rather than a redirect: the address holds a secret that
    # is kept nowhere, so this response is the one time it can be shown.
    form = FeedForm(request.POST)
    if not form.is_valid():
        return _page(request, form, None, status=422)
    try:
        feed, secret = calendar.new_feed(request.user, form.cleaned_data["scope"])
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, form, None, status=422)
    url = calendar.feed_url(secret)
    created = {"feed": feed, "url": url, "webcal": "webcal://" + url.split("://", 1)[1]}
    return _page(request, FeedForm(), created)


@require_POST
@member_view(access.can_see_actions)
def calendar_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    feed = get_or_404(calendar.own_feeds(request.user), public_id=public_id)
    calendar.revoke_feed(feed, request.user)
    messages.success(request, _("The calendar address was revoked."))
    return redirect("mobilize:calendar")


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed: no session, the secret is the key. Unknown, revoked and expired addresses,
    and a member who may no longer see actions, all get the same 404 — byte for byte, which
    the HTML error page (with its CSRF token and the address echoed back) would not be."""
    feed = calendar.find_feed(secret)
    if feed is None:
        missing = HttpResponseNotFound(
            _("There is no calendar at this address."), content_type="text/plain; charset=utf-8"
        )
        missing["Cache-Control"] = "private, no-store"
        return missing
    body = calendar.render_feed(feed)
    calendar.mark_read(feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="solnet.ics"'
    # Personal: no shared cache may keep it, and the browser need not either.
    response["Cache-Control"] = "private, no-store"
    return response
