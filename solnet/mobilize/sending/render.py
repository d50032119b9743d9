"""What a person reads: a send's text in their language with its placeholders filled ({name},
{action}, {when}, {place} and {link}, their own answer link)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from solnet.mobilize import links
from solnet.mobilize.models import (
    Ask,
    Delivery,
    Send,
    SendKind,
)
from solnet.network import times
from solnet.network.models import Network

PLACEHOLDER = re.compile(r"\{(name|action|when|place|link)\}")

# --- what a person reads ----------------------------------------------------------------------


class Renderer:
    """Fills in one send's texts for its people, reading what every message shares once."""

    def __init__(self, send: Send, network: Network | None = None):
        self.send = send
        self.network = network or Network.objects.current()
        self.asks: dict[int, Ask | None] = {}
        self.whens: dict[str, str] = {}
        # A call-out's or reminder's {link} is a new row per person; an alert's is signed.
        self.writes_links = send.action_id is not None and send.kind in (
            SendKind.CALL_OUT,
            SendKind.REMINDER,
        )

    def load_asks(self, person_ids: Iterable[int]) -> None:
        """Reads the asks of a batch's people at once (a call-out's or reminder's links):
        each person's ask for the whole action if there is one, else their first."""
        wanted = [p for p in person_ids if p not in self.asks]
        if self.send.action_id is None or not wanted:
            return
        found: dict[int, Ask | None] = dict.fromkeys(wanted)
        asks = Ask.objects.filter(action_id=self.send.action_id, person_id__in=wanted)
        for ask in asks.order_by("pk"):
            current = found[ask.person_id]
            if current is None or (current.shift_id is not None and ask.shift_id is None):
                ask.action = self.send.action  # type: ignore[assignment]  # already read
                found[ask.person_id] = ask
        self.asks.update(found)

    def texts(self, delivery: Delivery) -> tuple[str, str]:
        send = self.send
        language = delivery.language
        if send.minimal:
            with translation.override(language):
                subject = _("News from %(network)s") % {"network": self.network.name or "SolNet"}
                body = _("You have a new call-out — open SolNet: {link}")
            return subject, body
        text = send.texts.get(language) or send.texts.get(self.network.default_language)
        text = text or next(iter(send.texts.values()), {"subject": "", "body": ""})
        return text.get("subject", ""), text.get("body", "")

    def render(self, delivery: Delivery) -> tuple[str, str]:
        subject, body = self.texts(delivery)
        values: dict[str, str] = {}

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                values[name] = self._value(name, delivery)
            return values[name]

        return PLACEHOLDER.sub(value, subject), PLACEHOLDER.sub(value, body)

    def _value(self, name: str, delivery: Delivery) -> str:
        action = self.send.action
        if name == "name":
            return delivery.person.display_name
        if name == "link":
            return self._link(delivery)
        if action is None:
            return ""
        if name == "action":
            return action.title
        if name == "place":
            return action.place
        if delivery.language not in self.whens:
            self.whens[delivery.language] = times.moment(action.starts_at, delivery.language)
        return self.whens[delivery.language]

    def _link(self, delivery: Delivery) -> str:
        send = self.send
        if send.alert_id is not None:
            return links.alert_link(delivery)
        if send.action is not None:
            if send.kind in (SendKind.CALL_OUT, SendKind.REMINDER):
                self.load_asks([delivery.person_id])
                ask = self.asks.get(delivery.person_id)
                if ask is not None:
                    return links.new_link(ask)
            return settings.BASE_URL + reverse("mobilize:action", args=[send.action.public_id])
        return settings.BASE_URL + "/"


def render(delivery: Delivery) -> tuple[str, str]:
    """The subject and body one person gets, in the delivery's language, with `{name}`,
    `{action}`, `{when}`, `{place}` and `{link}` filled in. Any other brace is left as it is
    written (a regular expression, not `str.format_map`: a lone brace, `{0}` or
    `{name.__class__}` would make format_map fail or reach into Python objects). A link is
    made only where the text asks for one. A content-minimal send says only that there is
    news, with the link."""
    return Renderer(delivery.send).render(delivery)
