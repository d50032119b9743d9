"""Answers that come back in a text message ("YES", "SÍ", "NO"…) to a message sent: to a
call-out or a reminder they answer the person's ask for the action; to an alert they say
"I'm coming" or "I can't"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from solnet.mobilize import alerts, services
from solnet.mobilize.models import AlertAnswer, AnsweredVia, Ask, Delivery

ALERT_ANSWERS = {"yes": AlertAnswer.COMING, "maybe": AlertAnswer.COMING, "no": AlertAnswer.CANT}


@transaction.atomic
def apply_answer(delivery: Delivery, answer: str) -> bool:
    """True when the answer was taken; False when there was nothing it could answer (the
    action is over or called off, the alert closed)."""
    send = delivery.send
    try:
        if send.alert is not None:
            alerts.respond(
                alert=send.alert,
                person=delivery.person,
                answer=ALERT_ANSWERS[answer],
                delivery=delivery,
            )
            return True
        if send.action_id is None:
            return False
        ask = Ask.objects.filter(
            action_id=send.action_id, person=delivery.person, shift=None
        ).first()
        if ask is None:
            ask = Ask.objects.filter(action_id=send.action_id, person=delivery.person).first()
        if ask is None:
            return False
        services.answer_ask(ask=ask, answer=answer, via=AnsweredVia.SMS)
    except ValidationError:
        return False
    Delivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
        answered_at=timezone.now()
    )
    return True
