"""Calendar feeds: an iCalendar (RFC 5545) address a member's calendar app subscribes to,
showing the actions they said yes or maybe to ("mine") or every action they may see
("network").

The address holds a secret; only its SHA-256 is kept (`CalendarFeed.token_digest`), so the
address is shown once, when it is made. A feed expires after a year and can be revoked. What
it shows is worked out afresh at every read from what its member may see now: a deactivated
member's feeds answer 404, and an action they may no longer see drops out.

The iCalendar text is written here by hand (no dependency): it is a small, strict format and
only the part below is needed — TEXT escaping, UTC times, 75-octet folding, CRLF.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member, token_digest
from solnet.mobilize import access
from solnet.mobilize.models import Action, Ask, CalendarFeed
from solnet.network.models import Network
from solnet.people.models import Answer

FEED_LIFE = timedelta(days=365)
# How far back a feed reaches: last month's actions stay in the calendar a while.
PAST = timedelta(days=31)
# A calendar fetching the feed every few minutes must not write to the database each time.
READ_MARK_EVERY = timedelta(hours=1)
# A feed is a snapshot of a network's actions; this bounds its size whatever happens.
MAX_EVENTS = 1000
COMING = (Answer.YES, Answer.MAYBE)


# --- the feeds --------------------------------------------------------------------------------


def own_feeds(member: Member) -> QuerySet[CalendarFeed]:
    """A member's own feeds: nobody else's are ever listed or revoked."""
    return CalendarFeed.objects.filter(member=member)


@transaction.atomic
def new_feed(member: Member, scope: str) -> tuple[CalendarFeed, str]:
    """A fresh feed for `member`. Returns it and its secret, which is not kept anywhere: the
    caller shows it once."""
    if not access.can_see_actions(member):
        raise PermissionDenied
    if scope not in CalendarFeed.Scope.values:
        raise ValidationError({"scope": _("Choose what the calendar shows.")})
    secret = secrets.token_urlsafe(32)  # 256 bits
    feed = CalendarFeed.objects.create(
        member=member,
        scope=scope,
        token_digest=token_digest(secret),
        expires_at=timezone.now() + FEED_LIFE,
    )
    audit.record("calendar_feed.created", actor=member, target=feed, scope=scope)
    return feed, secret


@transaction.atomic
def revoke_feed(feed: CalendarFeed, by: Member) -> None:
    """Ends a feed at once; only its own member may."""
    if feed.member_id != by.pk:
        raise PermissionDenied
    revoked = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record("calendar_feed.revoked", actor=by, target=feed)
    feed.refresh_from_db(fields=["revoked_at"])


def feed_url(secret: str) -> str:
    return settings.BASE_URL + reverse("mobilize:calendar_feed", args=[secret])


def find_feed(secret: str) -> CalendarFeed | None:
    """The usable feed behind a secret, or None: unknown, revoked, expired, and a member who
    may no longer see actions all look the same."""
    if not secret or len(secret) > 64:
        return None
    feed = (
        CalendarFeed.objects.filter(token_digest=token_digest(secret))
        .select_related("member")
        .first()
    )
    if feed is None or not feed.usable or not access.can_see_actions(feed.member):
        return None
    return feed


def mark_read(feed: CalendarFeed, now: datetime | None = None) -> None:
    """Notes that a calendar fetched the feed, at most once an hour (one conditional UPDATE,
    so concurrent fetches cannot write twice)."""
    now = now or timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lte=now - READ_MARK_EVERY)
    ).update(last_read_at=now)


def feed_actions(feed: CalendarFeed, now: datetime | None = None) -> QuerySet[Action]:
    """What the feed shows, from what its member may see at this moment. Called-off actions
    stay in, marked cancelled, so calendars take them out of people's days."""
    now = now or timezone.now()
    actions = access.visible_actions(feed.member).filter(ends_at__gte=now - PAST)
    if feed.scope == CalendarFeed.Scope.MINE:
        coming = Ask.objects.filter(person__member=feed.member, commitment__answer__in=COMING)
        actions = actions.filter(pk__in=coming.values("action_id"))
    return actions.order_by("starts_at", "pk")


def render_feed(feed: CalendarFeed, now: datetime | None = None) -> str:
    """The feed as iCalendar text, in its member's language."""
    now = now or timezone.now()
    member = feed.member
    network = Network.objects.current()
    language = member.preferred_language or network.default_language or settings.LANGUAGE_CODE
    actions = list(feed_actions(feed, now).select_related("fight", "council")[:MAX_EVENTS])
    shifts = defaultdict(list)
    asks = Ask.objects.filter(
        person__member=member,
        action__in=[a.pk for a in actions],
        shift__isnull=False,
        commitment__answer__in=COMING,
    ).select_related("shift")
    for ask in asks.order_by("shift__starts_at", "shift__pk"):
        shifts[ask.action_id].append(ask.shift)
    with translation.override(language):
        if feed.scope == CalendarFeed.Scope.MINE:
            name = _("%(network)s: my actions") % {"network": network.name or "SolNet"}
        else:
            name = _("%(network)s: actions") % {"network": network.name or "SolNet"}
        events = []
        for action in actions:
            events.append(_action_event(action, now))
            events.extend(_shift_event(action, shift, now) for shift in shifts[action.pk])
    return calendar_text(name, events)


# --- iCalendar --------------------------------------------------------------------------------


def _host() -> str:
    return urlparse(settings.BASE_URL).hostname or "localhost"


def _action_link(action: Action) -> str:
    return settings.BASE_URL + reverse("mobilize:action", args=[action.public_id])


def _summary(action: Action, title: str) -> str:
    if action.cancelled_at is not None:
        # STATUS:CANCELLED says it to calendars; the title says it to people whose app
        # ignores it.
        return _("Called off: %(title)s") % {"title": title}
    return title


def _description(action: Action, link: str) -> str:
    parts = [action.description.strip()] if action.description.strip() else []
    parts.append(link)
    return "\n\n".join(parts)


def _action_event(action: Action, now: datetime) -> list[tuple[str, str]]:
    link = _action_link(action)
    return _event(
        uid=f"{action.public_id}@{_host()}",
        now=now,
        starts_at=action.starts_at,
        ends_at=action.ends_at,
        summary=_summary(action, action.title),
        place=action.place,
        description=_description(action, link),
        link=link,
        cancelled=action.cancelled_at is not None,
    )


def _shift_event(action: Action, shift, now: datetime) -> list[tuple[str, str]]:
    link = _action_link(action)
    title = _("%(title)s (your shift)") % {"title": action.title}
    return _event(
        # A shift has no public id; its number only tells the calendar which event is which.
        uid=f"{action.public_id}-shift-{shift.pk}@{_host()}",
        now=now,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        summary=_summary(action, title),
        place=action.place,
        description=_description(action, link),
        link=link,
        cancelled=action.cancelled_at is not None,
    )


def _event(
    *,
    uid: str,
    now: datetime,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    place: str,
    description: str,
    link: str,
    cancelled: bool,
) -> list[tuple[str, str]]:
    lines = [
        ("BEGIN", "VEVENT"),
        ("UID", escape_text(uid)),
        ("DTSTAMP", utc(now)),
        ("DTSTART", utc(starts_at)),
        ("DTEND", utc(ends_at)),
        ("SUMMARY", escape_text(summary)),
    ]
    if place:
        lines.append(("LOCATION", escape_text(place)))
    lines.append(("DESCRIPTION", escape_text(description)))
    # URL is of value type URI, which is not TEXT-escaped; ours never holds a control char.
    lines.append(("URL", link))
    lines.append(("STATUS", "CANCELLED" if cancelled else "CONFIRMED"))
    lines.append(("END", "VEVENT"))
    return lines


def calendar_text(name: str, events: Iterable[list[tuple[str, str]]]) -> str:
    lines = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", "-//SolNet//Calendar feed//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", escape_text(name)),
        # A hint how often to fetch it again (RFC 7986 and the older Apple/Microsoft name).
        ("REFRESH-INTERVAL;VALUE=DURATION", "PT1H"),
        ("X-PUBLISHED-TTL", "PT1H"),
    ]
    for event in events:
        lines.extend(event)
    lines.append(("END", "VCALENDAR"))
    return "".join(fold(f"{name}:{value}") + "\r\n" for name, value in lines)


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC form (RFC 5545 §3.3.5, form #2)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line
    break written as \\n, other control characters (which TEXT may not hold) dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\n\t" or not (ord(c) < 32 or ord(c) == 127))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Folds a content line at `limit` octets (RFC 5545 §3.1): a CRLF and a space before each
    continuation, never splitting a UTF-8 character."""
    if len(line.encode()) <= limit:
        return line
    parts: list[str] = []
    current, size = "", 0
    room = limit
    for char in line:
        width = len(char.encode())
        if size + width > room:
            parts.append(current)
            current, size = "", 0
            room = limit - 1  # the leading space of a continuation line counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)
