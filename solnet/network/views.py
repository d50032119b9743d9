"""The home page and the network's settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core import navigation
from solnet.core.access import member_view
from solnet.network import access, sections, services, start
from solnet.network.forms import NetworkForm


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "network/welcome.html")
    member = request.user
    return render(
        request,
        "network/home.html",
        {
            "needs": start.needs_of(member),
            "can_invite": navigation.shows(member, "invitations"),
            "today": timezone.localdate(),
        },
    )


def _settings_form(request: HttpRequest) -> NetworkForm:
    network = request.network
    return NetworkForm(
        request.POST or None,
        initial={
            "name": network.name,
            "city_region": network.city_region,
            "organizes": network.organizes,
            "country": network.country,
            "public_forms_per_hour": network.public_forms_per_hour,
            "currency": network.currency,
            "languages": network.languages or [request.LANGUAGE_CODE],
            "default_language": request.LANGUAGE_CODE
            if network.founded_at is None
            else network.default_language,
            "approvals_to_join": network.approvals_to_join,
            "second_factor_for_all": network.second_factor_for_all,
            **{f"scale_{i}": step for i, step in enumerate(network.support_scale or [], 1)},
            "lead_retention_days": network.lead_retention_days,
            "backup_days": network.backup_days,
            "subject_decisions": network.subject_decisions,
            "team_decisions": network.team_decisions,
            "minimal_notices": network.minimal_notices,
            "waiting_days": network.waiting_days,
            "founding_size": network.founding_size,
        },
        founding=network.founded_at is None,
    )


@member_view(access.can_configure_current)
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """The founder names the network; afterwards organizers change its settings here."""
    form = _settings_form(request)
    founding = request.network.founded_at is None
    if request.method == "POST" and form.is_valid():
        services.configure_network(by=request.user, **form.cleaned_data)
        if founding:
            messages.success(
                request,
                _("Your network is set up. Now invite the others from “Invite” in the menu."),
            )
            return redirect("home")
        messages.success(request, _("The network's settings are saved."))
        return redirect("network:setup")
    return render(
        request,
        "network/setup.html",
        {
            "form": form,
            "founding": founding,
            "panels": sections.panels(request.network),
        },
        status=422 if request.method == "POST" else 200,
    )
