"""Calendar feeds: an iCalendar (RFC 5545) address a member's calendar app subscribes to,
showing the actions they said yes or maybe to ("mine") or every action they may see
("network").

The address holds a secret; only its SHA-256 is kept (`CalendarFeed.token_digest`), so the
address is shown once, when it is made. A feed expires after a year and can be revoked. What
it shows is worked out afresh at every read from what its member may see now: a deactivated
member's feeds answer 404, and an action they may no longer see drops out.

The iCalendar text is written by the `icalendar` library, which escapes TEXT values, folds
lines at 75 octets without splitting a character, and ends every line with CRLF. Two things
it leaves to us: times are given to it in UTC, so they are written "...Z" and need no
VTIMEZONE, and the control characters TEXT may not hold are dropped before it sees them
(it passes them through).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import icalendar
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
PRODID = "-//SolNet//Calendar feed//EN"
# How often a calendar app should fetch the feed again.
REFRESH = timedelta(hours=1)


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


def _action_event(action: Action, now: datetime) -> icalendar.Event:
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


def _shift_event(action: Action, shift, now: datetime) -> icalendar.Event:
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
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("UID", _text(uid))
    event.add("DTSTAMP", _utc(now))
    event.add("DTSTART", _utc(starts_at))
    event.add("DTEND", _utc(ends_at))
    event.add("SUMMARY", _text(summary))
    if place:
        event.add("LOCATION", _text(place))
    event.add("DESCRIPTION", _text(description))
    # URL is of value type URI, which is not TEXT-escaped; ours never holds a control char.
    event.add("URL", link)
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_text(name: str, events: Iterable[icalendar.Event]) -> str:
    ical = icalendar.Calendar()
    ical.add("VERSION", "2.0")
    ical.add("PRODID", PRODID)
    ical.add("CALSCALE", "GREGORIAN")
    ical.add("METHOD", "PUBLISH")
    # icalendar knows no X- property's type: without vText the name would not be escaped.
    ical.add("X-WR-CALNAME", _text(name))
    # A hint how often to fetch it again (RFC 7986 and the older Apple/Microsoft name). The
    # VALUE parameter is required by RFC 7986, and `Calendar.refresh_interval` leaves it out.
    ical.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    ical.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    for event in events:
        ical.add_component(event)
    # Unsorted: the properties go out in the order added above, as they always have, rather
    # than icalendar's canonical order (SUMMARY first, then the rest alphabetically).
    return ical.to_ical(sorted=False).decode()


def _utc(moment: datetime) -> datetime:
    """A time in UTC, which icalendar writes in UTC form ("...Z", RFC 5545 §3.3.5 form #2)."""
    return moment.astimezone(UTC)


def _text(value: str) -> icalendar.vText:
    """A TEXT value (RFC 5545 §3.3.11) with every line break as LF and the other control
    characters (which TEXT may not hold, and icalendar passes through) dropped; icalendar
    escapes the rest."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return icalendar.vText(
        "".join(c for c in value if c in "\n\t" or not (ord(c) < 32 or ord(c) == 127))
    )
