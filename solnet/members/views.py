"""Pages of the members app. Each view: access helper → form → service → response."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.core.forms import add_errors
from solnet.members import access, limits, resets, services, trust
from solnet.members.forms import (
    ApiTokenForm,
    InvitationForm,
    JoinForm,
    NewPasswordForm,
    ProfileForm,
    RoleForm,
    TierForm,
)

PAGE_SIZE = 50


# --- joining -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Opening an invitation link: choose a sign-in name and a password."""
    invitation = services.find_usable_invitation(token)
    if invitation is None:
        # Expired, used, revoked and made-up links all look the same.
        return render(request, "members/join_invalid.html", status=404)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
            else:
                form.add_error("password1", error)
        else:
            login(request, member, backend="allauth.account.auth_backends.AuthenticationBackend")
            # The password was just set: count it as a fresh sign-in, so that enrolling the
            # second factor does not ask for the password again a second later.
            record_authentication(
                request, member, method="password", username=member.username, reauthenticated=True
            )
            request.session.set_expiry(0)  # like any sign-in: ends when the browser closes
            messages.success(request, _("Welcome! Now set up your second factor."))
            return redirect("home")
    return render(request, "members/join.html", {"form": form, "invitation": invitation})


@member_view()
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    if request.user.is_approved:
        return redirect("home")
    return render(request, "members/waiting.html")


# --- the membership ------------------------------------------------------------------------


@member_view()
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    members = access.visible_members(request.user).order_by("display_name", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/member_list.html", {"page": page})


@member_view()
@require_GET
def member_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    subject = access.get_member_or_404(request.user, public_id)
    return render(
        request,
        "members/member_detail.html",
        {
            "subject": subject,
            "contacts": access.shown_contacts(request.user, subject),
            "can_manage": access.can_manage_roles(request.user) and subject.pk != request.user.pk,
            "can_reset": access.can_issue_password_resets(request.user)
            and subject.pk != request.user.pk
            and subject.is_active,
            "tier_form": TierForm(initial={"tier": subject.tier}),
            "role_form": RoleForm(),
            "roles": subject.role_grants.order_by("role"),
        },
    )


@member_view(access.can_manage_roles)
@require_POST
def member_tier(request: HttpRequest, public_id: str) -> HttpResponse:
    subject = access.get_member_or_404(request.user, public_id)
    form = TierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a tier from the list."))
        return redirect("members:detail", public_id=public_id)
    try:
        pending = services.change_tier(
            member=subject, tier=form.cleaned_data["tier"], by=request.user
        )
    except (PermissionDenied, ValidationError):
        raise Http404 from None
    if pending:
        messages.info(request, _("A second member must approve this change. It is waiting."))
    else:
        messages.success(request, _("Tier changed."))
    return redirect("members:detail", public_id=public_id)


@member_view(access.can_manage_roles)
@require_POST
def member_role_grant(request: HttpRequest, public_id: str) -> HttpResponse:
    subject = access.get_member_or_404(request.user, public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("members:detail", public_id=public_id)
    pending = services.grant_role(member=subject, role=form.cleaned_data["role"], by=request.user)
    if pending:
        messages.info(request, _("A second member must approve this role. It is waiting."))
    else:
        messages.success(request, _("Role given."))
    return redirect("members:detail", public_id=public_id)


@member_view(access.can_manage_roles)
@require_POST
def member_role_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    subject = access.get_member_or_404(request.user, public_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.revoke_role(member=subject, role=form.cleaned_data["role"], by=request.user)
        messages.success(request, _("Role removed."))
    return redirect("members:detail", public_id=public_id)


@member_view(access.can_deactivate)
@require_POST
@reauthentication_required
def member_deactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    subject = access.get_member_or_404(request.user, public_id)
    try:
        services.deactivate_member(member=subject, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("%(name)s was deactivated and signed out.") % {"name": subject})
    return redirect("members:list")


# --- a lost password ------------------------------------------------------------------------


@member_view(access.can_issue_password_resets)
@require_POST
def member_password_reset(request: HttpRequest, public_id: str) -> HttpResponse:
    """An organizer makes a one-time link for a member who lost their password: shown once."""
    subject = access.get_member_or_404(request.user, public_id)
    try:
        _reset, token = resets.issue_password_reset(member=subject, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:detail", public_id=public_id)
    return render(
        request,
        "members/password_reset_issued.html",
        {
            "subject": subject,
            "url": resets.password_reset_url(token),
            "hours": int(resets.RESET_LIFETIME.total_seconds() // 3600),
        },
    )


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    """Opening a reset link: choose a new password, then sign in with it and the second
    factor. The link signs nobody in."""
    reset = resets.find_usable_reset(token)
    if reset is None:
        return render(request, "members/password_reset_invalid.html", status=404)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = resets.reset_password(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            limits.forget_password_failures(request, member.username.casefold(), member.pk)
            if request.user.is_authenticated:
                logout(request)
            messages.success(
                request,
                _("Your new password is set. Sign in with it and your second factor."),
            )
            return redirect("account_login")
    return render(
        request,
        "members/password_reset.html",
        {"form": form, "subject": reset.member},
        status=422 if form.errors else 200,
    )


# --- approving joiners ---------------------------------------------------------------------

BARRED_FROM_APPROVING = gettext_lazy(
    "Someone else must approve this person: you invited them, or were brought in by who did."
)


@member_view(access.can_approve_joins)
@require_GET
def pending_list(request: HttpRequest) -> HttpResponse:
    joiners = access.pending_joiners(request.user).order_by("joined_at", "pk")
    page = Paginator(joiners, PAGE_SIZE).get_page(request.GET.get("page"))
    approved = access.approved_by(request.user, page.object_list)
    barred = {j.pk for j in page.object_list if not trust.may_approve_joiner(request.user, j)}
    return render(
        request,
        "members/pending_list.html",
        {"page": page, "approved": approved, "barred": barred},
    )


def _pending_row(request: HttpRequest, joiner, outcome: str) -> HttpResponse:
    """The joiner's row alone, for htmx; the plain form post gets the whole page instead."""
    return render(request, "members/_pending_row.html", {"joiner": joiner, "outcome": outcome})


@member_view(access.can_approve_joins)
@require_POST
def pending_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    joiner = access.get_pending_joiner_or_404(request.user, public_id)
    try:
        joiner = services.approve_joiner(joiner=joiner, approver=request.user)
    except ValidationError as error:
        outcome, level = " ".join(error.messages), messages.ERROR
    except PermissionDenied:
        outcome, level = BARRED_FROM_APPROVING, messages.ERROR
    else:
        if joiner.is_approved:
            outcome = _("%(name)s is now a member.") % {"name": joiner}
        else:
            outcome = _("Your approval is counted.")
        level = messages.SUCCESS
    if request.htmx:
        return _pending_row(request, joiner, outcome)
    messages.add_message(request, level, outcome)
    return redirect("members:pending")


@member_view(access.can_approve_joins)
@require_POST
def pending_decline(request: HttpRequest, public_id: str) -> HttpResponse:
    joiner = access.get_pending_joiner_or_404(request.user, public_id)
    services.decline_joiner(joiner=joiner, by=request.user)
    outcome = _("The request to join was declined and the account deleted.")
    if request.htmx:
        return _pending_row(request, joiner, outcome)
    messages.success(request, outcome)
    return redirect("members:pending")


# --- invitations ---------------------------------------------------------------------------


@member_view(access.can_invite)
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, tiers=access.invitable_tiers(request.user))
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = services.create_invitation(
                created_by=request.user,
                tier=form.cleaned_data["tier"],
                label=form.cleaned_data["label"],
                email=form.cleaned_data["email"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            # Shown in this response only: the link is never stored.
            created = {"invitation": invitation, "url": services.invitation_url(token)}
            form = InvitationForm(tiers=access.invitable_tiers(request.user))
    invitations = access.visible_invitations(request.user).select_related("created_by", "used_by")
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/invitation_list.html",
        {"form": form, "page": page, "created": created},
        status=422 if request.method == "POST" and created is None else 200,
    )


@member_view(access.can_invite)
@require_POST
def invitation_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    invitation = access.get_invitation_or_404(request.user, public_id)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation was revoked. Its link no longer works."))
    return redirect("members:invitations")


# --- my account ----------------------------------------------------------------------------


@member_view()
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    member = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": member.display_name,
            "preferred_language": member.preferred_language,
            "email": member.email or "",
            "phone": member.phone or "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(member=member, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("members:me")
            if form.cleaned_data["preferred_language"]:
                response.set_cookie(
                    "django_language",
                    form.cleaned_data["preferred_language"],
                    samesite="Lax",
                    httponly=True,
                    secure=request.is_secure(),
                )
            return response
    return render(
        request,
        "members/me.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@member_view()
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "members/security.html")


@member_view()
@require_POST
def panic(request: HttpRequest) -> HttpResponse:
    """The panic button: ends every session of the member, here and on every other device."""
    services.panic(member=request.user)
    logout(request)
    messages.warning(
        request,
        _(
            "You are signed out everywhere and your contact details are hidden. Sign in again "
            "and restore them when you are safe."
        ),
    )
    return redirect("account_login")


@member_view()
@require_POST
@reauthentication_required
def restore_contacts(request: HttpRequest) -> HttpResponse:
    services.restore_contacts(member=request.user)
    messages.success(request, _("Your contact details are visible again to those who need them."))
    return redirect("members:security")


@member_view()
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_api_token(
                member=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            created = {"token": token, "secret": secret}
            form = ApiTokenForm()
    tokens = access.own_api_tokens(request.user)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/api_tokens.html",
        {"form": form, "page": page, "created": created},
        status=422 if request.method == "POST" and created is None else 200,
    )


@member_view()
@require_POST
def api_token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    token = get_or_404(access.own_api_tokens(request.user), public_id=public_id)
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("members:api_tokens")
