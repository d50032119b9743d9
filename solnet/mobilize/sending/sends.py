"""Writing a send (one `Delivery` per person, by the first channel they can be reached on and in
their language) and what organizers do with it: cancel, retry the failed, send the uncertain
again or call them instead, follow its progress."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from solnet.core import audit, bulk
from solnet.members.models import Member
from solnet.mobilize import access, pacing
from solnet.mobilize.models import (
    OUT_STATUSES,
    Action,
    Alert,
    Channel,
    Delivery,
    Send,
    SendKind,
    SendStatus,
    SmsOptOut,
)
from solnet.mobilize.sending import queue
from solnet.mobilize.sending.protocol import CREATE_BATCH, S, index_of
from solnet.network.models import Network
from solnet.people.models import ContactChannel, Person

# --- writing a send ---------------------------------------------------------------------------


def _clean_texts(texts: dict[str, Any]) -> dict[str, dict[str, str]]:
    cleaned = {}
    for language, text in (texts or {}).items():
        body = str((text or {}).get("body") or "").strip()
        if language and body:
            cleaned[str(language)] = {
                "subject": str(text.get("subject") or "").strip(),
                "body": body,
            }
    return cleaned


def choose_language(
    languages: Iterable[str], preferred: str | None, texts: dict, network: Network
) -> str:
    """The person's first language the send is written in, else their account's, else the
    network's, else the send's first."""
    own = list(languages) if isinstance(languages, list | tuple) else []
    for language in [*own, preferred, network.default_language]:
        if language and language in texts:
            return language
    return next(iter(texts))


@transaction.atomic
def create_send(
    *,
    kind: str,
    people: QuerySet[Person],
    texts: dict[str, dict[str, str]],
    channels: list[str],
    action: Action | None = None,
    alert: Alert | None = None,
    reminder_hours: int | None = None,
    by: Member | None = None,
    minimal: bool | None = None,
    plan: dict | None = None,
) -> Send:
    """Writes a send and one delivery per person, and starts the worker at commit.

    Each person gets the first of `channels` they can be reached on ("email": a usable email
    channel, else their account's address; "text": a usable text channel whose number has
    not said STOP), or is counted unreachable. The caller checks who may send."""
    if kind not in SendKind.values:
        raise ValueError(f"unknown kind of send: {kind}")
    texts = _clean_texts(texts)
    channels = [c for c in dict.fromkeys(channels) if c in Channel.values]
    if not texts:
        raise ValidationError(_("Write the message first."))
    if not channels:
        raise ValidationError(_("Choose how to send it: email, text message or both."))
    network = Network.objects.current()
    send = Send.objects.create(
        kind=kind,
        action=action,
        alert=alert,
        reminder_hours=reminder_hours,
        texts=texts,
        channels=channels,
        minimal=network.minimal_notices if minimal is None else minimal,
        status=SendStatus.QUEUED,
        plan=plan or {},
        created_by=by,
    )
    ids = (
        people.order_by().values_list("pk", flat=True).distinct().iterator(chunk_size=CREATE_BATCH)
    )
    total = unreachable = texted = 0
    while batch := list(itertools.islice(ids, CREATE_BATCH)):
        deliveries = _deliveries(send, batch, network)
        texted += _assign_senders(send, deliveries, first=texted)
        bulk.insert_rows(Delivery, deliveries, batch=CREATE_BATCH)
        total += len(deliveries)
        unreachable += sum(d.status == S.UNREACHABLE for d in deliveries)
    # Counts only: never what it says, nor to whom.
    audit.record(
        "send.created", actor=by, target=send, kind=kind, count=total, unreachable=unreachable
    )
    transaction.on_commit(lambda: _start(send.pk))
    return send


def _start(send_id: int) -> None:
    queue.run_send(send_id)


def _deliveries(send: Send, person_ids: list[int], network: Network) -> list[Delivery]:
    """The deliveries of up to CREATE_BATCH people, with no address decrypted but the
    account addresses of those who have no email channel."""
    people = list(
        Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "languages", "member_id", "member__preferred_language"
        )
    )
    found: dict[tuple[int, str], str] = {}
    usable = ContactChannel.objects.filter(
        person_id__in=person_ids,
        kind__in=send.channels,
        consent_at__isnull=False,
        opted_out_at__isnull=True,
        value_index__isnull=False,
    ).order_by("-pk")  # the first one recorded wins: it is set last
    for person_id, kind, index in usable.values_list("person_id", "kind", "value_index"):
        found[(person_id, kind)] = index
    if Channel.TEXT in send.channels:
        numbers = [i for (_p, kind), i in found.items() if kind == Channel.TEXT]
        stopped = set(
            SmsOptOut.objects.filter(number_index__in=numbers).values_list(
                "number_index", flat=True
            )
        )
        found = {key: i for key, i in found.items() if key[1] != Channel.TEXT or i not in stopped}
    if Channel.EMAIL in send.channels:
        # Whoever has no email channel may still have an address on their account.
        accounts = [m for p, _l, m, _pl in people if m and (p, Channel.EMAIL) not in found]
        emails = dict(Member.objects.filter(pk__in=accounts).values_list("pk", "email"))
        for person_id, _languages, member_id, _preferred in people:
            if (person_id, Channel.EMAIL) not in found and emails.get(member_id):
                found[(person_id, Channel.EMAIL)] = index_of(emails[member_id])
    now = timezone.now()
    deliveries = []
    for person_id, languages, _member, preferred in people:
        channel = next((c for c in send.channels if (person_id, c) in found), None)
        deliveries.append(
            Delivery(
                send=send,
                person_id=person_id,
                channel=channel or "",
                language=choose_language(languages, preferred, send.texts, network),
                address_index=found.get((person_id, channel)) if channel else None,  # type: ignore[misc]  # the field is nullable
                status=S.QUEUED if channel else S.UNREACHABLE,
                due_at=now,
            )
        )
    return deliveries


def _assign_senders(send: Send, deliveries: list[Delivery], *, first: int = 0) -> int:
    """Gives each text its sending number and its time from the send's pacing plan
    (`solnet.mobilize.pacing`): `pacing.slot(plan, index)` → (number, due offset in seconds)
    for the index-th text of the send. Returns how many texts there were."""
    texts = [d for d in deliveries if d.channel == Channel.TEXT]
    if not send.plan:
        return len(texts)
    # The offsets count from when the plan was made.
    planned = parse_datetime(str(send.plan.get("planned_at") or "")) or send.created_at
    for index, delivery in enumerate(texts, start=first):
        sender, offset = pacing.slot(send.plan, index)
        delivery.sender = sender or ""
        delivery.due_at = planned + timedelta(seconds=float(offset))
    return len(texts)


# --- what organizers do -----------------------------------------------------------------------


def _check(send: Send, by: Member | None) -> None:
    if by is None:
        return
    try:
        access.get_send_or_404(by, send.public_id)
    except Http404:
        raise PermissionDenied from None


@transaction.atomic
def cancel_send(send: Send, by: Member | None) -> int:
    """Stops a send: nothing not yet handed over goes out (a worker holding a row finds it
    taken from it before the final line). Returns how many deliveries were cancelled."""
    _check(send, by)
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == SendStatus.CANCELLED:
        return 0
    if send.status == SendStatus.DONE:
        raise ValidationError(_("Everything has gone out already: there is nothing to stop."))
    now = timezone.now()
    count = send.deliveries.filter(status__in=[S.QUEUED, S.SENDING]).update(
        status=S.CANCELLED, lease_until=None
    )
    send.status, send.cancelled_at = SendStatus.CANCELLED, now
    send.save(update_fields=["status", "cancelled_at"])
    audit.record("send.cancelled", actor=by, target=send, count=count)
    return count


def _queue_again(send: Send, rows: QuerySet[Delivery]) -> int:
    """Queues `rows` again from scratch and starts the worker at commit."""
    count = rows.update(
        status=S.QUEUED,
        attempts=0,
        due_at=timezone.now(),
        error="",
        lease_until=None,
        provider_ref="",
    )
    if count:
        Send.objects.filter(pk=send.pk).update(status=SendStatus.SENDING, finished_at=None)
        transaction.on_commit(lambda: _start(send.pk))
    return count


@transaction.atomic
def retry_failed(send: Send, by: Member | None) -> int:
    """Queues the failed deliveries again (from scratch) and starts the worker."""
    _check(send, by)
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == SendStatus.CANCELLED:
        raise ValidationError(_("This message was stopped: it cannot be sent again."))
    count = _queue_again(send, send.deliveries.filter(status=S.FAILED))
    if count:
        audit.record("send.retried", actor=by, target=send, count=count)
    return count


RESEND, CALL = "resend", "call"


@transaction.atomic
def settle_uncertain(
    *, send: Send, by: Member | None, choice: str, delivery_ids: list[int] | None = None
) -> int:
    """What the organizer chose for deliveries whose hand-over the server never confirmed
    (UNCERTAIN): RESEND queues them again (the person may get it twice: the organizer knows
    it), CALL marks them TO_CALL, for a call list. `delivery_ids` narrows it to some of this
    send's uncertain deliveries; None means all of them. Returns how many changed."""
    _check(send, by)
    if choice not in (RESEND, CALL):
        raise ValidationError(_("Choose to send them again or to call them."))
    send = Send.objects.select_for_update().get(pk=send.pk)
    rows = send.deliveries.filter(status=S.UNCERTAIN)
    if delivery_ids is not None:
        rows = rows.filter(pk__in=delivery_ids)
    if choice == RESEND:
        if send.status == SendStatus.CANCELLED:
            raise ValidationError(_("This message was stopped: it cannot be sent again."))
        count = _queue_again(send, rows)
    else:
        count = rows.update(status=S.TO_CALL, lease_until=None)
    if count:
        # Counts only: never to whom.
        event = "send.uncertain_resent" if choice == RESEND else "send.uncertain_to_call"
        audit.record(event, actor=by, target=send, count=count)
    return count


def progress(send: Send) -> dict[str, int]:
    """How far a send got, in one query."""

    def count(*statuses: str) -> Count:
        return Count("pk", filter=Q(status__in=statuses))

    return Delivery.objects.filter(send=send).aggregate(
        total=Count("pk"),
        queued=count(S.QUEUED),
        # Handed over: the server's answer is awaited.
        sending=count(S.SENDING, S.HANDED_OVER),
        sent=count(*OUT_STATUSES),
        delivered=count(S.DELIVERED),
        failed=count(S.FAILED),
        cancelled=count(S.CANCELLED),
        unreachable=count(S.UNREACHABLE),
        uncertain=count(S.UNCERTAIN),
        to_call=count(S.TO_CALL),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )


def failed_deliveries(send: Send) -> QuerySet[Delivery]:
    """The failed ones, for the page: who (by display name) and why."""
    return send.deliveries.filter(status=S.FAILED).select_related("person").order_by("pk")


def uncertain_deliveries(send: Send) -> QuerySet[Delivery]:
    """The ones that may or may not have gone out, for the page: who (by display name), how
    and when they were handed over."""
    return (
        send.deliveries.filter(status=S.UNCERTAIN)
        .select_related("person")
        .only("pk", "channel", "handed_over_at", "person__display_name")
        .order_by("pk")
    )


def to_call_deliveries(send: Send) -> QuerySet[Delivery]:
    """The ones the organizer chose to call instead."""
    return (
        send.deliveries.filter(status=S.TO_CALL)
        .select_related("person")
        .only("pk", "channel", "person__display_name")
        .order_by("pk")
    )
