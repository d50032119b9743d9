"""Forms of the members app."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solnet.core.phones import PhoneField
from solnet.members import limits
from solnet.members.models import ApiScope, Member, Role, Tier

THROTTLED = _("Too many sign-in attempts. Wait a few minutes and try again.")


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with SolNet's throttle.

    A wrong password and an unknown name get the same error, and once a limit is reached the
    same refusal comes whatever the name, known or not, and even with the right password. The
    limits (per name from one place, per place, per name) are in `solnet.members.limits`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The words the rest of SolNet uses (allauth says "Username").
        self.fields["login"].label = _("Sign-in name")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean(self):
        login = (self.data.get("login") or "").strip().casefold()
        if not limits.reserve_password_try(self.request, login):
            raise ValidationError(THROTTLED, code="throttled")
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            # allauth would show a separate "inactive" page, telling whoever typed the
            # password that it was right and the account exists. Refuse it like any other.
            raise get_adapter(self.request).validation_error("username_password_mismatch")
        # A form with a missing field returns without raising and without a user: only a
        # password that was checked and right gives the try back.
        if user is not None and not self._errors:
            limits.password_try_succeeded(self.request, login)
        return cleaned


class PasswordReauthenticateForm(AllauthReauthenticateForm):
    """Confirming one's password before a sensitive step counts against the same limits as
    signing in, so that someone at a member's unlocked screen cannot guess the password (and
    then change it) without end."""

    def clean_password(self) -> str:
        login = self.user.username.casefold()
        if not limits.reserve_password_try(context.request, login):
            raise ValidationError(THROTTLED, code="throttled")
        password = super().clean_password()
        limits.password_try_succeeded(context.request, login)
        return password


class _LimitedCodes:
    """Second-factor codes counted like passwords (see `solnet.members.limits`): each code is
    counted before it is checked, and once a limit is reached even the right code is refused
    and the pending sign-in starts over from the password."""

    user: Member

    def clean_code(self) -> str:
        request = context.request
        refusal = limits.reserve_code_try(request, self.user)
        if refusal:
            raise ValidationError(refusal, code="throttled")
        try:
            code = super().clean_code()  # type: ignore[misc]  # allauth's form, mixed in below
        except ValidationError:
            refusal = limits.code_try_failed(request, self.user)
            if refusal:
                raise ValidationError(refusal, code="throttled") from None
            raise
        limits.code_try_succeeded(request, self.user)
        return code


class SecondFactorForm(_LimitedCodes, AuthenticateForm):
    """The code asked after the password."""


class SecondFactorReauthenticateForm(_LimitedCodes, ReauthenticateForm):
    """The code a signed-in member gives again before a sensitive change."""


class PasswordPairForm(forms.Form):
    """A password typed twice, checked against the validators' rules by the service."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class JoinForm(PasswordPairForm):
    field_order = ["username", "display_name", "password1", "password2"]

    username = forms.CharField(
        label=_("Sign-in name"),
        max_length=40,
        help_text=_("What you will type to sign in. It need not be your real name."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How other members see you: a first name or a nickname is enough."),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        Member._meta.get_field("username").run_validators(username)
        return username


class InvitationForm(forms.Form):
    label = forms.CharField(
        label=_("Note for yourselves"),
        max_length=80,
        required=False,
        help_text=_("So you remember who it is for, e.g. “Ana from the Tuesday meeting”."),
    )
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, choices=())
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=30,
        initial=settings.INVITATION_DAYS,
    )
    email = forms.EmailField(
        label=_("Send it by email (optional)"),
        required=False,
        help_text=_("Leave empty to copy the link and send it yourself, e.g. through Signal."),
    )

    def __init__(self, *args, tiers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = tiers
        self.fields["tier"].initial = Tier.MEMBER


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80)
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The network's default")), *settings.LANGUAGES],
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Only if you want messages by email. Stored encrypted."),
    )
    phone = PhoneField(
        label=_("Phone"),
        required=False,
        help_text=_("Only if you want calls or texts. Stored encrypted."),
    )


class TierForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, choices=Tier.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("What it is for, e.g. “spreadsheet sync”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=365,
        initial=90,
        required=False,
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )


class NewPasswordForm(PasswordPairForm):
    """Setting a new password through an organizer's one-time link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
