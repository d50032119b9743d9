"""Forms anyone may post without an account ("join the network", "bring us your fight").

Spam is held back without JavaScript, CAPTCHAs or a stored address: a hidden field only bots
fill (they get the same thanks and leave no record), a signed minimum time to fill the form,
and a limit per address counted under a keyed hash (`solnet.core.throttle`).
"""

from __future__ import annotations

import enum
import time

from django import forms
from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from solnet.core import throttle

SALT = "solnet.public-form"
MIN_SECONDS = 3
PER_HOUR = 5


def started_now() -> str:
    return signing.dumps(time.time(), salt=SALT)


class PublicForm(forms.Form):
    """A public form's guard fields. The template renders `website` inside a block hidden
    from sight and from screen readers (class `hp`), and `started` as a hidden input."""

    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("started", started_now())
        super().__init__(data, **kwargs)


class Verdict(enum.Enum):
    ACCEPT = 200  # a person: record what they sent
    BOT = 201  # the hidden field was filled: thank them, record nothing
    INVALID = 422  # show the form again with its errors
    THROTTLED = 429  # too many from this address this hour


def screen(request: HttpRequest, form: PublicForm, *, scope: str, per_hour: int = PER_HOUR):
    """Validates a posted public form and says what to do with it. On INVALID and THROTTLED
    the form carries the errors to show and a fresh start time."""
    address = throttle.client_address(request)
    if throttle.count(scope, address) >= per_hour:
        form.is_valid()
        form.add_error(None, _("Too many requests from here. Please try again in an hour."))
        return Verdict.THROTTLED
    if form.is_valid():
        try:
            started = signing.loads(form.cleaned_data["started"], salt=SALT, max_age=86400)
        except signing.BadSignature:
            started = None
        if started is None or time.time() - float(started) < MIN_SECONDS:
            form.add_error(None, _("That was quick! Please check your answers and send again."))
        else:
            throttle.hit(scope, address, window=3600)
            return Verdict.BOT if form.cleaned_data["website"] else Verdict.ACCEPT
    form.data = form.data.copy()
    form.data["started"] = started_now()
    return Verdict.INVALID
