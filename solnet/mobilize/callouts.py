"""Call-outs: a message to the people asked to an action, in each one's language, on the
channels they agreed to; what it will take before it goes (how many by email and by text,
and how long the texts need over the network's sending numbers); and the pacing of its
texts, with email or the call list for whoever a text cannot reach in time."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from solnet.members.models import Member
from solnet.mobilize import access, pacing
from solnet.mobilize.models import (
    Action,
    Channel,
    DeliveryStatus,
    MessageTemplate,
    Send,
    SendKind,
)
from solnet.mobilize.sending import protocol, sends
from solnet.network.models import Network
from solnet.people.models import Answer, Person

AUDIENCE_ANSWERS = {
    "waiting": [Answer.WAITING],
    "coming": [Answer.YES, Answer.MAYBE],
    "all": [Answer.WAITING, Answer.YES, Answer.MAYBE, Answer.NO],
}


def audience(action: Action, which: str) -> QuerySet[Person]:
    answers = AUDIENCE_ANSWERS[which]
    ids = action.asks.filter(commitment__answer__in=answers).values("person_id")
    return Person.objects.filter(pk__in=ids)


def languages() -> list[str]:
    network = Network.objects.current()
    return list(network.languages or [network.default_language or settings.LANGUAGE_CODE])


def default_texts(kind: str = SendKind.CALL_OUT) -> dict[str, dict[str, str]]:
    """The network's template of that name in each language, or SolNet's own words."""
    name = "call-out" if kind == SendKind.CALL_OUT else kind
    saved = {t.language: t for t in MessageTemplate.objects.filter(name=name)}
    texts = {}
    for code in languages():
        if code in saved:
            texts[code] = {"subject": saved[code].subject, "body": saved[code].body}
            continue
        with translation.override(code):
            texts[code] = {
                "subject": _("Can you come? {action}"),
                "body": _(
                    "Hi {name}! {action}: {when}, {place}. Can you come? Answer here: {link} "
                    "— or reply YES, MAYBE or NO."
                ),
            }
    return texts


def preview(
    *, people: QuerySet[Person], channels: list[str], within_seconds: float | None = None
) -> dict[str, Any]:
    """Before sending: how many each channel reaches, who none, and when the last text would
    go out — the same choice of channel the send makes, without writing anything."""
    network = Network.objects.current()
    probe = Send(
        kind=SendKind.CALL_OUT,
        channels=channels,
        texts={code: {"subject": "", "body": "-"} for code in languages()},
    )
    counts: Counter[str] = Counter()
    ids = people.order_by().values_list("pk", flat=True).distinct().iterator(chunk_size=1000)
    while batch := list(itertools.islice(ids, protocol.CREATE_BATCH)):
        for delivery in sends._deliveries(probe, batch, network):
            counts[delivery.channel or "none"] += 1
    senders, sent_today = pacing.senders_from_db()
    plan = pacing.plan(
        counts[Channel.TEXT], senders, sent_today=sent_today, deadline_seconds=within_seconds
    )
    return {
        "email": counts[Channel.EMAIL],
        "text": counts[Channel.TEXT],
        "none": counts["none"],
        "senders": len(senders),
        "eta_seconds": plan.eta,
        "eta_minutes": None if plan.eta is None else -(-int(plan.eta) // 60),
        "texts_too_late": len(plan.unreachable),
    }


def pace(send: Send, *, within_seconds: float | None = None) -> dict[str, Any]:
    """Spreads the send's texts over the sending numbers; those no text reaches in time go by
    email, or to the call list. Runs before the commit that starts the worker."""
    ids = list(
        send.deliveries.filter(channel=Channel.TEXT, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return {}
    summary = pacing.plan_for_send(send, ids, within_seconds)
    late = summary.pop("unreachable_ids")
    if late:
        summary["fell_back"] = pacing.fall_back(send, late)
    send.plan = summary
    send.save(update_fields=["plan"])
    return summary


@transaction.atomic
def send_call_out(
    *,
    action: Action,
    which: str,
    channels: list[str],
    texts: dict[str, dict[str, str]],
    by: Member,
    within_seconds: float | None = None,
) -> Send:
    if not access.can_run(by, action):
        raise PermissionDenied
    send = sends.create_send(
        kind=SendKind.CALL_OUT,
        action=action,
        people=audience(action, which),
        texts=texts,
        channels=channels,
        by=by,
    )
    pace(send, within_seconds=within_seconds)
    return send
