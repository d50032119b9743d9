"""Rapid-response alerts (DOMAIN.md §8): a dispatcher writes where to go and what is needed,
a verifier (another person) confirms it is real if the alert asks for it, and only then it
goes out to those with the skills in the zones; each answers "I'm coming" or "I can't" with
one tap (a link, a text reply, or the page), and the dispatcher watches the count.

Field rule: an alert says where to go, never what it is about, and it is not kept: its words
are stripped after a month."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member
from solnet.mobilize import access, callouts
from solnet.mobilize.models import (
    OUT_STATUSES,
    Alert,
    AlertAnswer,
    AlertResponse,
    AlertStatus,
    Delivery,
    SendKind,
    Zone,
)
from solnet.mobilize.sending import sends
from solnet.network.models import Network
from solnet.people.models import Person

ALERT_TEXTS_WITHIN = 600


def responders(alert: Alert) -> QuerySet[Person]:
    """Those with one of the alert's skills (anyone, if it names none) in one of its zones
    (anywhere, if it names none)."""
    people = Person.objects.all()
    if alert.skills:
        people = people.filter(skills__skill__in=alert.skills)
    zones = list(alert.zones.values_list("pk", flat=True))
    if zones:
        people = people.filter(zones__in=zones)
    return people.distinct() if (alert.skills or zones) else people


@transaction.atomic
def create_alert(
    *,
    by: Member,
    message: str,
    skills: list[str],
    zones: list[Zone],
    needs_verification: bool,
) -> Alert:
    if not access.can_dispatch(by):
        raise PermissionDenied
    alert = Alert(
        message=message.strip(),
        skills=sorted(set(skills)),
        needs_verification=needs_verification,
        created_by=by,
    )
    alert.full_clean()
    alert.save()
    alert.zones.set(zones)
    if not responders(alert).exists():
        raise ValidationError(_("Nobody has those skills in those zones: nobody would hear it."))
    audit.record("alert.created", actor=by, target=alert, verify=needs_verification)
    if needs_verification:
        alert.status = AlertStatus.VERIFYING
        alert.save(update_fields=["status"])
    else:
        _broadcast(alert, by=by)
    return alert


@transaction.atomic
def verify_alert(*, alert: Alert, by: Member, confirmed: bool) -> Alert:
    """A verifier went and looked: real, and it goes out; or not, and nobody is told."""
    if not access.can_verify(by):
        raise PermissionDenied
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.VERIFYING:
        raise ValidationError(_("This alert is not waiting for verification."))
    if alert.created_by_id == by.pk:
        raise ValidationError(_("Someone other than its dispatcher must verify an alert."))
    alert.verified_by, alert.verified_at = by, timezone.now()
    if confirmed:
        alert.save(update_fields=["verified_by", "verified_at"])
        audit.record("alert.verified", actor=by, target=alert)
        _broadcast(alert, by=by)
    else:
        alert.status = AlertStatus.REJECTED
        alert.save(update_fields=["verified_by", "verified_at", "status"])
        audit.record("alert.rejected", actor=by, target=alert)
    return alert


def _texts(alert: Alert) -> dict[str, dict[str, str]]:
    network = Network.objects.current()
    texts = {}
    for language in network.languages or [settings.LANGUAGE_CODE]:
        with translation.override(language):
            texts[language] = {
                "subject": _("Urgent: rapid response needed"),
                "body": _("URGENT from %(network)s: %(message)s — Are you coming? {link}")
                % {
                    "network": network.name,
                    "message": alert.message.replace("{", "(").replace("}", ")"),
                },
            }
    return texts


def _broadcast(alert: Alert, *, by: Member) -> None:
    alert.status, alert.sent_at = AlertStatus.SENT, timezone.now()
    alert.save(update_fields=["status", "sent_at"])
    send = sends.create_send(
        kind=SendKind.ALERT,
        alert=alert,
        people=responders(alert),
        texts=_texts(alert),
        channels=["text", "email"],
        by=by,
    )
    # Urgent: texts that cannot go out within ten minutes go by email instead.
    callouts.pace(send, within_seconds=ALERT_TEXTS_WITHIN)
    audit.record("alert.sent", actor=by, target=alert)


@transaction.atomic
def close_alert(*, alert: Alert, by: Member) -> None:
    if not access.can_dispatch(by):
        raise PermissionDenied
    if alert.closed_at is None:
        alert.status, alert.closed_at = AlertStatus.CLOSED, timezone.now()
        alert.save(update_fields=["status", "closed_at"])
        audit.record("alert.closed", actor=by, target=alert)


@transaction.atomic
def respond(*, alert: Alert, person: Person, answer: str, delivery: Delivery | None = None):
    if answer not in AlertAnswer.values:
        raise ValidationError(_("Answer “I'm coming” or “I can't”."))
    if alert.status != AlertStatus.SENT:
        raise ValidationError(_("This alert is closed."))
    try:
        with transaction.atomic():
            AlertResponse.objects.create(alert=alert, person=person, answer=answer)
    except IntegrityError:
        AlertResponse.objects.filter(alert=alert, person=person).update(
            answer=answer, answered_at=timezone.now()
        )
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
            answered_at=timezone.now()
        )


def counts(alert: Alert) -> dict[str, int]:
    answers = alert.responses.aggregate(
        coming=Count("pk", filter=Q(answer=AlertAnswer.COMING)),
        cant=Count("pk", filter=Q(answer=AlertAnswer.CANT)),
    )
    reached = Delivery.objects.filter(send__alert=alert).aggregate(
        total=Count("pk"),
        out=Count("pk", filter=Q(status__in=OUT_STATUSES)),
    )
    return {**answers, **reached}
