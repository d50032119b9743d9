"""Session epochs and the first steps every new member walks through."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from solnet.members.access import has_second_factor, needs_second_factor
from solnet.members.signals import SESSION_EPOCH_KEY
from solnet.network.models import Network

# Paths a member may reach before finishing their first steps.
ONBOARDING_EXEMPT = (
    "/static/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/health",
    "/api/",
    "/join/",
    # Someone who has not finished joining can still change their password or hit panic.
    "/accounts/password/change/",
    "/members/me/security/",
    "/members/me/panic/",
    "/members/me/restore-contacts/",
    # Seeing, taking and deleting one's own data is never held back.
    "/people/me/",
)


class SessionEpochMiddleware:
    """Ends a session as soon as the member's epoch moved on (panic, deactivation, a change of
    tier or role) or the account was deactivated."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (
            not user.is_active or request.session.get(SESSION_EPOCH_KEY) != user.session_epoch
        ):
            logout(request)
        return self.get_response(request)


class OnboardingMiddleware:
    """Sends a signed-in member to the step they still owe: a second factor, naming the
    network (the founder), or waiting for approval."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(ONBOARDING_EXEMPT):
            step = self.next_step(user)
            if step and request.path != step:
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = step
                    return response
                return redirect(step)
        return self.get_response(request)

    @staticmethod
    def next_step(user) -> str | None:
        from django.urls import reverse

        network = Network.objects.current()
        if needs_second_factor(
            user, network_requires_all=network.second_factor_for_all
        ) and not has_second_factor(user):
            return reverse("mfa_activate_totp")
        if user.is_founder and not network.is_named:
            return reverse("network:setup")
        if user.status == user.Status.PENDING:
            return reverse("members:waiting")
        return None


def note_second_factor_needed(request: HttpRequest) -> None:
    messages.info(request, _("Set up a second factor to finish joining."))
