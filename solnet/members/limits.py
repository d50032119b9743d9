"""How many tries signing in gets, and from where.

Passwords are limited three ways in one window: per sign-in name *from one place* (strict), per
place across names, and per name across all places (much higher). An attacker typing wrong
passwords from one place therefore locks only that place out of the name; the member signing in
from elsewhere still gets in, until so many places have tried the name that it is refused
everywhere for the rest of the window. A place is the client's address (an IPv6 address stands
for its /64), used only inside the throttle's keyed, daily-rotating hash.

Second-factor codes are limited per sign-in (then the sign-in starts over from the password)
and per account across sign-ins, so that starting over does not buy fresh guesses.

Each try is counted *before* it is checked (see `solnet.core.throttle`), so a burst of tries
fired together gets no more checks than the limit.
"""

from __future__ import annotations

from allauth.account.internal.stagekit import clear_login, unstash_login
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from solnet.core import audit, throttle

NAME_FROM_PLACE = "sign-in-name-place"
NAME = "sign-in-name"
PLACE = "sign-in-place"
CODES_PER_SIGN_IN = "second-factor-sign-in"
CODES_PER_ACCOUNT = "second-factor-account"

TOO_MANY_CODES_THIS_SIGN_IN = _(
    "Too many wrong codes. Sign in again with your password to try again."
)


def _place(request: HttpRequest | None) -> str:
    return throttle.client_source(request) if request is not None else ""


def _name_from_place(login: str, request: HttpRequest | None) -> str:
    return f"{login}\x00{_place(request)}"


def reserve_password_try(request: HttpRequest | None, login: str) -> bool:
    """Counts a password try before it is checked; False when one of the limits is reached.

    The narrower counters are tried first and a refusal stops there, so a place already
    refused for a name does not go on using up the name's tries across all places."""
    window = settings.LOGIN_THROTTLE_WINDOW
    place = _place(request)
    refused = (
        throttle.hit(NAME_FROM_PLACE, _name_from_place(login, request), window=window)
        > settings.LOGIN_THROTTLE_ATTEMPTS
        or throttle.hit(PLACE, place, window=window) > settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS
        or throttle.hit(NAME, login, window=window) > settings.LOGIN_THROTTLE_NAME_ATTEMPTS
    )
    return not refused


def password_try_succeeded(request: HttpRequest | None, login: str) -> None:
    """The right password: this place's failures for the name are forgotten, and the try it
    reserved is given back to the place and the name. The name's failures from other places
    stay: a member signing in must not clear the way for someone guessing from elsewhere."""
    throttle.reset(NAME_FROM_PLACE, _name_from_place(login, request))
    throttle.release(PLACE, _place(request))
    throttle.release(NAME, login)


def forget_password_failures(request: HttpRequest, login: str, member_pk: int) -> None:
    """After an organizer's reset link set a new password: the name's failures, those from the
    place the link was opened, and the account's wrong codes no longer count. The old
    password is gone, so nothing guessed against it is worth keeping."""
    throttle.reset(NAME, login)
    throttle.reset(NAME_FROM_PLACE, _name_from_place(login, request))
    throttle.reset(CODES_PER_ACCOUNT, str(member_pk))


def _too_many_codes_for_the_account() -> str:
    minutes = max(1, settings.SECOND_FACTOR_ACCOUNT_WINDOW // 60)
    return ngettext(
        "Too many wrong codes for this account. Wait %(minutes)d minute, then sign in again. "
        "If you did not type them, someone else knows your password: change it once you are "
        "in.",
        "Too many wrong codes for this account. Wait %(minutes)d minutes, then sign in again. "
        "If you did not type them, someone else knows your password: change it once you are "
        "in.",
        minutes,
    ) % {"minutes": minutes}


def _pending_sign_in(request: HttpRequest, member_pk: int) -> str | None:
    """Names the sign-in waiting for its second factor; None when there is none (the code
    confirms a signed-in member instead)."""
    login = unstash_login(request, peek=True)
    if login is None or request.user.is_authenticated:
        return None
    return f"{member_pk}\x00{login.initiated_at!r}"


def _refuse(request: HttpRequest, member, sign_in: str | None, message) -> str:
    if sign_in is not None:
        clear_login(request)  # the next try starts over from the password
    audit.record("member.second_factor_refused", target=member)
    return str(message)


def reserve_code_try(request: HttpRequest, member) -> str | None:
    """Counts a second-factor code before it is checked; the refusal to show when a limit is
    already reached, with the pending sign-in ended."""
    sign_in = _pending_sign_in(request, member.pk)
    if (
        sign_in is not None
        and throttle.hit(CODES_PER_SIGN_IN, sign_in, window=settings.LOGIN_THROTTLE_WINDOW)
        > settings.SECOND_FACTOR_ATTEMPTS
    ):
        return _refuse(request, member, sign_in, TOO_MANY_CODES_THIS_SIGN_IN)
    attempts = throttle.hit(
        CODES_PER_ACCOUNT, str(member.pk), window=settings.SECOND_FACTOR_ACCOUNT_WINDOW
    )
    if attempts > settings.SECOND_FACTOR_ACCOUNT_ATTEMPTS:
        return _refuse(request, member, sign_in, _too_many_codes_for_the_account())
    return None


def code_try_failed(request: HttpRequest, member) -> str | None:
    """After a wrong code: when it was the last one allowed, the refusal to show instead of
    "wrong code", with the pending sign-in ended, so that nobody types a right code into a
    sign-in that can no longer take it."""
    sign_in = _pending_sign_in(request, member.pk)
    if (
        sign_in is not None
        and throttle.count(CODES_PER_SIGN_IN, sign_in) >= settings.SECOND_FACTOR_ATTEMPTS
    ):
        return _refuse(request, member, sign_in, TOO_MANY_CODES_THIS_SIGN_IN)
    if throttle.count(CODES_PER_ACCOUNT, str(member.pk)) >= settings.SECOND_FACTOR_ACCOUNT_ATTEMPTS:
        return _refuse(request, member, sign_in, _too_many_codes_for_the_account())
    return None


def code_try_succeeded(request: HttpRequest, member) -> None:
    """The right code: the account's wrong codes are forgotten."""
    sign_in = _pending_sign_in(request, member.pk)
    if sign_in is not None:
        throttle.reset(CODES_PER_SIGN_IN, sign_in)
    throttle.reset(CODES_PER_ACCOUNT, str(member.pk))
