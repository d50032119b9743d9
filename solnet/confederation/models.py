"""Confederation (DOMAIN.md §9): this server's signing key, the peer networks it has paired
with, the pairing codes it handed out, and the messages it sends and has received.

Nothing here is about a person: a peer is another network's server, a message holds what a
call-out or an alliance needs and never a member, a contact or a piece of evidence.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, KEEP, PUBLIC, SECRET, DataPolicy, Retention
from solnet.core.models import new_public_id


class ServerKey(models.Model):
    """This server's Ed25519 key. One is current; a rotated one is kept, retired, only until
    the rotation message it signs has reached every peer."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id"
    )
    public_key = models.CharField(max_length=64, help_text="The raw public key, base64url")
    private_key = EncryptedTextField(help_text="The raw private key, base64url, encrypted")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When a newer key replaced it"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "public_key": PUBLIC,
            "private_key": SECRET,
            "created_at": INTERNAL,
            "retired_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A retired key signs only its rotation message; a week covers its retries.",
            period=timedelta(days=7),
            basis="retired_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.public_id


class PeerState(models.TextChoices):
    # This server entered the other's code and is waiting for its answer.
    PAIRING = "pairing", _("Pairing")
    # The handshake is done: keys are pinned, nothing else flows yet.
    PAIRED = "paired", _("Paired, waiting for both decisions")
    ALLIED = "allied", _("Allied")
    ENDED = "ended", _("Alliance ended")


class Peer(models.Model):
    """Another network's SolNet server, known by its origin and its pinned key."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    origin = models.CharField(
        max_length=200, unique=True, help_text="Its address: scheme, host and port"
    )
    public_key = models.CharField(max_length=64, help_text="Its pinned key, base64url")
    state = models.CharField(
        max_length=12, choices=PeerState.choices, default=PeerState.PAIRING, help_text=""
    )
    # What it says about itself in the handshake.
    name = models.CharField(max_length=120, blank=True, help_text="The network's name")
    city = models.CharField(max_length=120, blank=True, help_text="Where it organizes")
    languages = models.JSONField(default=list, blank=True, help_text="Languages it speaks")
    organizes = models.CharField(
        max_length=300, blank=True, help_text="What it organizes: tenants, workers…"
    )
    paired_at = models.DateTimeField(default=timezone.now, help_text="When keys were pinned")
    paired_by = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered or made the code",
    )
    agreed_here_at = models.DateTimeField(
        null=True, blank=True, help_text="When this network decided to ally"
    )
    agreed_here_ref = models.CharField(
        max_length=24, blank=True, help_text="The decision that did (its public id)"
    )
    agreed_there_at = models.DateTimeField(
        null=True, blank=True, help_text="When the peer said its network decided to ally"
    )
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When the alliance ended")
    ended_here = models.BooleanField(
        default=False, help_text="This network ended it (not the peer)"
    )
    # Delivery: one sender at a time, and a breaker that rests a failing peer.
    sending_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is sending to it until then"
    )
    failures = models.PositiveIntegerField(default=0, help_text="Deliveries that failed in a row")
    resting_until = models.DateTimeField(
        null=True, blank=True, help_text="Nothing is sent to it before then"
    )
    last_heard_at = models.DateTimeField(
        null=True, blank=True, help_text="When a message of its was last accepted"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "origin": PUBLIC,
            "public_key": PUBLIC,
            "state": INTERNAL,
            "name": PUBLIC,
            "city": PUBLIC,
            "languages": PUBLIC,
            "organizes": PUBLIC,
            "paired_at": INTERNAL,
            "paired_by": INTERNAL,
            "agreed_here_at": INTERNAL,
            "agreed_here_ref": INTERNAL,
            "agreed_there_at": INTERNAL,
            "ended_at": INTERNAL,
            "ended_here": INTERNAL,
            "sending_until": INTERNAL,
            "failures": INTERNAL,
            "resting_until": INTERNAL,
            "last_heard_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Another network's server, not a person: kept while the network knows it.",
        ),
    )

    class Meta:
        ordering = ["name", "origin"]

    def __str__(self) -> str:
        return self.name or self.origin

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[-1]


class PairingCode(models.Model):
    """A one-time code this server handed out: its secret's hash, until used or expired."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    secret_hash = models.CharField(
        max_length=64, unique=True, help_text="Keyed hash of the secret part of the code"
    )
    made_by = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The organizer who made it",
    )
    made_at = models.DateTimeField(default=timezone.now, help_text="When")
    expires_at = models.DateTimeField(help_text="It is refused after this")
    used_at = models.DateTimeField(null=True, blank=True, help_text="When a peer used it")
    used_by = models.ForeignKey(
        Peer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The peer that used it",
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When an organizer withdrew it"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "secret_hash": SECRET,
            "made_by": INTERNAL,
            "made_at": INTERNAL,
            "expires_at": INTERNAL,
            "used_at": INTERNAL,
            "used_by": INTERNAL,
            "withdrawn_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A used or expired code is of no further use.",
            period=timedelta(days=30),
            basis="expires_at",
        ),
    )

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return self.public_id

    @property
    def usable(self) -> bool:
        return (
            self.used_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()
        )


class Delivery(models.TextChoices):
    WAITING = "waiting", _("Waiting to be sent")
    SENT = "sent", _("Delivered")
    REFUSED = "refused", _("Refused by the peer")
    GAVE_UP = "gave_up", _("Not delivered in 48 hours")
    CANCELLED = "cancelled", _("Cancelled")


class OutboxMessage(models.Model):
    """A message for a peer, sent by the worker with retries until it is accepted."""

    message_id = models.UUIDField(unique=True, help_text="Its id in the protocol")
    peer = models.ForeignKey(
        Peer, on_delete=models.CASCADE, related_name="outbox", help_text="To whom"
    )
    kind = models.CharField(max_length=40, help_text="Its kind, e.g. alliance.agreed")
    body = models.JSONField(help_text="What it says: never a person")
    # A rotation message is signed by the key it retires.
    signing_key = models.ForeignKey(
        ServerKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The key that must sign it (the current one when empty)",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was written")
    state = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.WAITING, help_text=""
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Tries so far")
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Next try")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the peer accepted it")
    last_error = models.CharField(max_length=200, blank=True, help_text="Why the last try failed")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "message_id": INTERNAL,
            "peer": INTERNAL,
            "kind": INTERNAL,
            "body": INTERNAL,
            "signing_key": INTERNAL,
            "created_at": INTERNAL,
            "state": INTERNAL,
            "attempts": INTERNAL,
            "next_attempt_at": INTERNAL,
            "sent_at": INTERNAL,
            "last_error": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A message is kept a month after it was written, for the delivery page.",
            period=timedelta(days=30),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["peer", "state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class Received(models.Model):
    """A message accepted from a peer: its id and nonce, so a replay changes nothing."""

    message_id = models.UUIDField(unique=True, help_text="Its id in the protocol")
    nonce = models.CharField(max_length=64, unique=True, help_text="The signature's nonce")
    peer = models.ForeignKey(
        Peer,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="From whom",
    )
    kind = models.CharField(max_length=40, help_text="Its kind")
    received_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "message_id": INTERNAL,
            "nonce": INTERNAL,
            "peer": INTERNAL,
            "kind": INTERNAL,
            "received_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            # A sender retries one message for up to 48 hours, each time freshly signed: its id
            # is kept a day longer. An older replay is refused by its signature's date anyway.
            reason="Ids outlive a sender's 48 hours of retries by a day, then are of no use.",
            period=timedelta(days=3),
            basis="received_at",
        ),
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


# --- solidarity requests (call-outs) ----------------------------------------------------------


class Risk(models.TextChoices):
    LOW = "low", _("Low: a picket or a rally, no arrests expected")
    MEDIUM = "medium", _("Medium: police may come, arrests unlikely")
    HIGH = "high", _("High: arrests possible; people who cannot risk one should not come")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    STOOD_DOWN = "stood_down", _("Stood down")


class SolidarityRequest(models.Model):
    """This network asks its allies for turnout at an action of one of its fights. What it
    says is what the allies receive: nothing of the fight's subject, members or evidence."""

    public_id = models.CharField(
        max_length=24,
        unique=True,
        default=new_public_id,
        help_text="Random id, also its id in messages",
    )
    action = models.ForeignKey(
        "mobilize.Action",
        on_delete=models.PROTECT,
        related_name="solidarity_requests",
        help_text="The action allies are asked to",
    )
    target = models.CharField(
        _("target"),
        max_length=200,
        help_text=_("Whom the action is against: the boss, the landlord, the company."),
    )
    ask = models.TextField(
        _("the ask"),
        max_length=1000,
        help_text=_("What you ask of the allies: how many people, to do what."),
    )
    place = models.CharField(_("place"), max_length=200, help_text="")
    starts_at = models.DateTimeField(_("starts"), help_text="")
    ends_at = models.DateTimeField(_("ends"), help_text="")
    risk = models.CharField(
        _("risk"), max_length=8, choices=Risk.choices, default=Risk.LOW, help_text=""
    )
    language = models.CharField(_("written in"), max_length=8, help_text="")
    public_url = models.CharField(
        max_length=300, blank=True, help_text="The action's public page, if shared"
    )
    state = models.CharField(
        max_length=12, choices=RequestState.choices, default=RequestState.OPEN, help_text=""
    )
    created_by = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who sent it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was sent")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "action": INTERNAL,
            "target": PUBLIC,
            "ask": PUBLIC,
            "place": PUBLIC,
            "starts_at": PUBLIC,
            "ends_at": PUBLIC,
            "risk": PUBLIC,
            "language": PUBLIC,
            "public_url": PUBLIC,
            "state": INTERNAL,
            "created_by": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Lives as long as its action: the balance of solidarity counts it.",
        ),
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.target


class Answer(models.TextChoices):
    WAITING = "waiting", _("Not answered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class RequestToAlly(models.Model):
    """One ally's side of a request this network sent: its answer and the turnout it reported."""

    request = models.ForeignKey(
        SolidarityRequest, on_delete=models.CASCADE, related_name="allies", help_text=""
    )
    peer = models.ForeignKey(
        Peer, on_delete=models.CASCADE, related_name="requests_sent", help_text=""
    )
    answer = models.CharField(
        max_length=10, choices=Answer.choices, default=Answer.WAITING, help_text=""
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why it declined, if it said")
    committed = models.PositiveIntegerField(default=0, help_text="People it says are coming")
    came = models.PositiveIntegerField(default=0, help_text="People it says came")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="")
    reported_at = models.DateTimeField(
        null=True, blank=True, help_text="When it last reported turnout"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "request": INTERNAL,
            "peer": INTERNAL,
            "answer": INTERNAL,
            "reason": INTERNAL,
            "committed": INTERNAL,
            "came": INTERNAL,
            "answered_at": INTERNAL,
            "reported_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP, reason="Counts, not people: part of the balance of solidarity."
        ),
    )

    class Meta:
        ordering = ["peer__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "peer"], name="one_answer_per_ally")
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.peer}"


class IncomingRequest(models.Model):
    """An ally's request for turnout, as it arrived: its organizers answer it here."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    peer = models.ForeignKey(
        Peer, on_delete=models.CASCADE, related_name="requests_received", help_text="From whom"
    )
    remote_id = models.CharField(max_length=24, help_text="Its id at the asking network")
    target = models.CharField(max_length=200, help_text="")
    ask = models.TextField(max_length=1000, help_text="")
    place = models.CharField(max_length=200, help_text="")
    starts_at = models.DateTimeField(help_text="")
    ends_at = models.DateTimeField(help_text="")
    risk = models.CharField(max_length=8, choices=Risk.choices, help_text="")
    language = models.CharField(max_length=8, help_text="The language it was written in")
    public_url = models.CharField(
        max_length=300, blank=True, help_text="The action's public page, if shared"
    )
    received_at = models.DateTimeField(default=timezone.now, help_text="")
    stood_down_at = models.DateTimeField(
        null=True, blank=True, help_text="When the asking network called it off"
    )
    answer = models.CharField(
        max_length=10, choices=Answer.choices, default=Answer.WAITING, help_text=""
    )
    reason = models.CharField(
        _("why not (optional)"),
        max_length=300,
        blank=True,
        help_text=_("The other network sees it."),
    )
    answered_by = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="",
    )
    answered_at = models.DateTimeField(null=True, blank=True, help_text="")
    action = models.OneToOneField(
        "mobilize.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solidarity_for",
        help_text="The local action that accepting made",
    )
    committed = models.PositiveIntegerField(default=0, help_text="Last reported: people coming")
    came = models.PositiveIntegerField(default=0, help_text="Last reported: people who came")
    reported_at = models.DateTimeField(null=True, blank=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "peer": INTERNAL,
            "remote_id": INTERNAL,
            "target": PUBLIC,
            "ask": PUBLIC,
            "place": PUBLIC,
            "starts_at": PUBLIC,
            "ends_at": PUBLIC,
            "risk": PUBLIC,
            "language": PUBLIC,
            "public_url": PUBLIC,
            "received_at": INTERNAL,
            "stood_down_at": INTERNAL,
            "answer": INTERNAL,
            "reason": INTERNAL,
            "answered_by": INTERNAL,
            "answered_at": INTERNAL,
            "action": INTERNAL,
            "committed": INTERNAL,
            "came": INTERNAL,
            "reported_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="An ally's request and our answer: the balance of solidarity counts it.",
        ),
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "remote_id"], name="one_copy_per_request")
        ]

    def __str__(self) -> str:
        return self.target
