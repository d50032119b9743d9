"""Pages of actions: the list, planning one, its shifts and roles, asks and answers, check-in
and attendance. Each view: access helper → form → service → response."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from solnet.core.access import member_view
from solnet.mobilize import access

PAGE_SIZE = 30


@require_GET
@member_view(access.can_see_actions)
def index(request: HttpRequest) -> HttpResponse:
    actions = access.visible_actions(request.user).upcoming().select_related("fight", "council")
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mobilize/index.html", {"page": page})
