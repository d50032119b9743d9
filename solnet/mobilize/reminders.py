"""Reminders before an action: at each of the action's reminder times (`Action.reminder_hours`,
hours before the start), everyone who said yes or maybe hears it again, in their language, with
a link to answer if they can no longer come.

Each (action, hours) is reminded at most once: the reminder's `Send` row is unique per pair
(`one_reminder_per_time`), so two workers running at once make one reminder and the other's
attempt rolls back. Nothing is reminded once the action has begun or after it was called off.

When several reminder times have already come at once (an action planned the day before with
a reminder a week ahead, or a worker that was down), only the latest of them is sent — one
message, not a pile — and the earlier ones are recorded as skipped: a cancelled `Send` with
no deliveries and `plan["skipped"]`, which takes the pair's place so that it never goes out
later either.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.mobilize import callouts
from solnet.mobilize.models import Action, Ask, MessageTemplate, Send, SendKind, SendStatus
from solnet.mobilize.sending import sends
from solnet.network.models import Network
from solnet.people.models import Answer, Person

log = logging.getLogger(__name__)

TEMPLATE_NAME = "reminder"
# Text first: a reminder hours before is read on the phone. Whoever has no number (or said
# STOP) gets the email.
CHANNELS = ["text", "email"]
# The furthest ahead a reminder may be set (services allows 1 to 336 hours): actions starting
# later need no look.
LOOKAHEAD = timedelta(hours=24 * 14)
COMING = (Answer.YES, Answer.MAYBE)


def send_due_reminders(now: datetime | None = None) -> int:
    """Makes every reminder whose time has come; returns how many were sent (skipped ones
    are not counted). Safe to run as often and in as many workers as one likes."""
    now = now or timezone.now()
    actions = Action.objects.filter(
        cancelled_at__isnull=True, starts_at__gt=now, starts_at__lte=now + LOOKAHEAD
    )
    sent = 0
    for action in actions.iterator(chunk_size=200):
        try:
            sent += _remind(action, now)
        except Exception:  # one action's trouble must not hold back every other's reminders
            log.exception("reminder for action %s failed", action.public_id)
    return sent


def due_hours(action: Action, now: datetime) -> list[int]:
    """The reminder times of `action` that have come by `now`, the latest (fewest hours
    before the start) first; none once it has begun or was called off."""
    if action.cancelled_at is not None or action.starts_at <= now:
        return []
    hours = {
        h
        for h in action.reminder_hours or []
        if isinstance(h, int) and not isinstance(h, bool) and h > 0
    }
    return sorted(h for h in hours if now >= action.starts_at - timedelta(hours=h))


def reminded_people(action: Action) -> QuerySet[Person]:
    """Those who said yes or maybe to the action or to one of its shifts."""
    asks = Ask.objects.filter(action=action, commitment__answer__in=COMING)
    return Person.objects.filter(pk__in=asks.values("person_id"))


def reminder_texts(action: Action) -> dict[str, dict[str, str]]:
    """The reminder in each of the network's languages: the network's own "reminder"
    template where it wrote one for that language, else SolNet's wording. The placeholders
    are filled per person when it is sent."""
    network = Network.objects.current()
    languages = [lang for lang in [*network.languages, network.default_language] if lang]
    languages = list(dict.fromkeys(languages)) or [settings.LANGUAGE_CODE]
    templates = {
        template.language: template
        for template in MessageTemplate.objects.filter(name=TEMPLATE_NAME, language__in=languages)
    }
    texts = {}
    for language in languages:
        with translation.override(language):
            subject, body = _default_text(action)
        template = templates.get(language)
        if template is not None:
            subject, body = template.subject or subject, template.body
        texts[language] = {"subject": subject, "body": body}
    return texts


def _default_text(action: Action) -> tuple[str, str]:
    subject = _("Reminder: {action}")
    if action.place:
        body = _(
            "Hi {name}, a reminder: {action} starts {when} at {place}. Can you still come? {link}"
        )
    else:
        body = _(
            "Hi {name}, a reminder: {action} starts {when}. We will tell you where soon. "
            "Can you still come? {link}"
        )
    return subject, body


def _remind(action: Action, now: datetime) -> int:
    due = due_hours(action, now)
    if not due:
        return 0
    taken = _taken(action, due)
    pending = [h for h in due if h not in taken]
    if not pending:
        return 0
    latest, earlier = pending[0], pending[1:]
    try:
        with transaction.atomic():
            # Read again under lock: it may have been called off or moved since.
            action = Action.objects.select_for_update().get(pk=action.pk)
            if latest not in due_hours(action, now):
                return 0
            for hours in earlier:
                Send.objects.create(
                    kind=SendKind.REMINDER,
                    action=action,
                    reminder_hours=hours,
                    status=SendStatus.CANCELLED,
                    cancelled_at=now,
                    plan={"skipped": f"a later reminder ({latest} hours before) was due too"},
                )
            _create_send(action, latest)
    except IntegrityError:
        # Another worker made this reminder (or skipped it) first: it is done once.
        return 0
    return 1


def _taken(action: Action, hours: list[int]) -> set[int]:
    """The reminder times of `action` already sent or skipped."""
    sends = Send.objects.filter(action=action, kind=SendKind.REMINDER, reminder_hours__in=hours)
    return {h for h in sends.values_list("reminder_hours", flat=True) if h is not None}


def _create_send(action: Action, hours: int) -> Send:
    send = sends.create_send(
        kind=SendKind.REMINDER,
        action=action,
        reminder_hours=hours,
        people=reminded_people(action),
        texts=reminder_texts(action),
        channels=list(CHANNELS),
    )
    # A reminder is worth nothing after the start: texts that cannot go out before it go by
    # email instead.
    until_start = (action.starts_at - timezone.now()).total_seconds()
    callouts.pace(send, within_seconds=max(until_start, 0))
    return send


@db_periodic_task(crontab(minute="*/5"))
def remind_coming_actions() -> None:
    """Every five minutes: reminders whose time has come go out."""
    send_due_reminders()
