"""Calendar feeds: what a feed shows (and stops showing), the iCalendar it is written in
(checked by a strict RFC 5545 reader written here, and read back by vobject, which shares no
code with the icalendar library that writes it), the secret address, and the member's page
of feeds."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from solnet.core.models import AuditEvent
from solnet.councils.models import Council, CouncilMembership
from solnet.members.models import Member, Tier
from solnet.mobilize import calendar, services
from solnet.mobilize.models import Action, CalendarFeed, Shift
from solnet.people.models import Person
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db

BASE = "https://solnet.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE


# --- a strict reader of what RFC 5545 allows --------------------------------------------------

NAME = re.compile(r"[A-Z][A-Z0-9-]*")
UTC_TIME = re.compile(r"\d{8}T\d{6}Z")
TEXT_PROPERTIES = {"SUMMARY", "LOCATION", "DESCRIPTION", "UID", "X-WR-CALNAME"}
ONCE_IN_EVENT = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION"}
ONCE_IN_EVENT |= {"URL", "STATUS"}


def unescape(value: str) -> str:
    """A TEXT value back to its text; fails on anything RFC 5545 §3.3.11 does not allow."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            following = value[i + 1]  # a lone backslash at the end is an error (IndexError)
            assert following in "\\;,nN", f"bad escape \\{following} in {value!r}"
            out.append("\n" if following in "nN" else following)
            i += 2
            continue
        assert char not in ";,", f"unescaped {char!r} in {value!r}"
        assert char == "\t" or (ord(char) >= 32 and ord(char) != 127), f"control in {value!r}"
        out.append(char)
        i += 1
    return "".join(out)


def read_ics(data: bytes) -> dict:
    """Parses a whole iCalendar object strictly: CRLF everywhere, physical lines of at most 75
    octets each valid UTF-8 on its own (no character split by folding), well-formed content
    lines, matched BEGIN/END, the required properties exactly once."""
    assert data.endswith(b"\r\n"), "the last line must end with CRLF"
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, f"a bare line break in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")
    logical: list[bytes] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            assert logical, "a continuation line cannot come first"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    calendar_: dict = {"props": {}, "events": []}
    stack: list[str] = []
    event: dict | None = None
    for raw in logical:
        text = raw.decode("utf-8")
        head, colon, value = text.partition(":")
        assert colon, f"no colon in {text!r}"
        name, *params = head.split(";")
        assert NAME.fullmatch(name), f"bad name {name!r}"
        for param in params:
            assert re.fullmatch(r"[A-Z][A-Z0-9-]*=[^\";:,]+", param), f"bad parameter {param!r}"
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                assert stack == ["VCALENDAR", "VEVENT"]
                event = {}
            else:
                assert stack == ["VCALENDAR"], f"unexpected {value} in {stack}"
            continue
        if name == "END":
            assert stack and stack.pop() == value, f"END:{value} does not match"
            if value == "VEVENT":
                calendar_["events"].append(event)
                event = None
            continue
        assert stack, f"{name} outside any component"
        if name in TEXT_PROPERTIES:
            value = unescape(value)
        if event is not None:
            if name in ONCE_IN_EVENT:
                assert name not in event, f"{name} twice in one event"
            event[name] = value
        else:
            assert name not in calendar_["props"], f"{name} twice in the calendar"
            calendar_["props"][name] = value
    assert stack == [], f"unclosed {stack}"
    assert calendar_["props"].get("VERSION") == "2.0"
    assert calendar_["props"].get("PRODID")
    for found in calendar_["events"]:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(found), found
        for key in ("DTSTAMP", "DTSTART", "DTEND"):
            assert UTC_TIME.fullmatch(found[key]), found[key]
        assert found["DTEND"] > found["DTSTART"]
    return calendar_


def events_by_uid(data: bytes) -> dict[str, dict]:
    return {event["UID"]: event for event in read_ics(data)["events"]}


def folded_lines(data: bytes) -> list[list[bytes]]:
    """Each content line as the physical lines it was folded into (read_ics checks each)."""
    lines: list[list[bytes]] = []
    for line in data[:-2].split(b"\r\n"):
        if line[:1] == b" ":
            lines[-1].append(line)
        else:
            lines.append([line])
    return lines


def unfolded(data: bytes) -> list[str]:
    """The content lines, unfolded but not unescaped."""
    return [
        (parts[0] + b"".join(p[1:] for p in parts[1:])).decode() for parts in folded_lines(data)
    ]


def utc_form(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(action: Action) -> str:
    return f"{action.public_id}@solnet.example.org"


def test_the_reader_refuses_what_rfc_5545_does_not_allow():
    """The reader must be able to fail, or passing it proves nothing."""
    good = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:a\\, b\r\nEND:VCALENDAR\r\n"
    read_ics(good)
    bad = [
        good.replace(b"\r\n", b"\n"),
        good.replace(b"a\\, b", b"a, b"),
        good.replace(b"a\\, b", b"a\\x"),
        good.replace(b"a\\, b", b"x" * 80),
        good.replace(b"END:VCALENDAR\r\n", b""),
        good.replace(b"VERSION:2.0\r\n", b""),
        # Folded in the middle of "é": each physical line must be whole UTF-8.
        good.replace(b"a\\, b", b"x" * 60 + b"\xc3\r\n \xa9"),
    ]
    for data in bad:
        with pytest.raises((AssertionError, IndexError, UnicodeDecodeError)):
            read_ics(data)


# --- making what the feeds show -------------------------------------------------------------


def make_action(title="Picket at Acme", *, days=3, hours=2, **fields) -> Action:
    starts = timezone.now() + timedelta(days=days)
    fields.setdefault("tier", Tier.MEMBER)
    return Action.objects.create(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=hours), **fields
    )


def move(action: Action, *, days: int) -> None:
    """Sets an action `days` from now (in the past, once people answered it)."""
    starts = timezone.now() + timedelta(days=days)
    Action.objects.filter(pk=action.pk).update(
        starts_at=starts, ends_at=starts + (action.ends_at - action.starts_at)
    )


def answer(action: Action, member: Member, reply: str, shift: Shift | None = None):
    return services.sign_up(action=action, member=member, answer=reply, shift=shift)


def feed_of(member: Member, scope: str = "mine") -> tuple[CalendarFeed, str]:
    return calendar.new_feed(member, scope)


def fetch(secret: str):
    return Client().get(reverse("mobilize:calendar_feed", args=[secret]))


# --- what a feed shows -----------------------------------------------------------------------


def test_my_feed_shows_what_i_said_yes_or_maybe_to(network, member, organizer):
    yes, maybe, no, waiting = (make_action(t) for t in ("Yes", "Maybe", "No", "Waiting"))
    answer(yes, member, "yes")
    answer(maybe, member, "maybe")
    answer(no, member, "no")
    services.ask_people(
        action=waiting,
        people=Person.objects.filter(pk=own_record(member=member).pk),
        by=organizer,
    )
    old = make_action("Two months ago")
    last_month = make_action("Last month")
    answer(old, member, "yes")
    answer(last_month, member, "yes")
    move(old, days=-60)
    move(last_month, days=-20)
    _feed, secret = feed_of(member, "mine")
    events = events_by_uid(fetch(secret).content)
    assert set(events) == {uid(yes), uid(maybe), uid(last_month)}
    assert events[uid(yes)]["SUMMARY"] == "Yes"


def test_the_network_feed_shows_every_action_i_may_see_from_last_month_on(network, member):
    mine = make_action("Network action")
    higher = make_action("Organizers only", tier=Tier.ORGANIZING_TEAM)
    council = Council.objects.create(name="Greenway Tenants", kind="tenant")
    other = Council.objects.create(name="Pine St Tenants", kind="tenant")
    ours = make_action("Our council", council=council)
    theirs = make_action("Their council", council=other)
    CouncilMembership.objects.create(council=council, person=own_record(member=member))
    last_month = make_action("Last month", days=-25)
    old = make_action("Long ago", days=-45)
    _feed, secret = feed_of(member, "network")
    events = events_by_uid(fetch(secret).content)
    assert uid(mine) in events and uid(ours) in events and uid(last_month) in events
    assert uid(higher) not in events and uid(theirs) not in events and uid(old) not in events
    assert read_ics(fetch(secret).content)["props"]["X-WR-CALNAME"].endswith("actions")


def test_the_feed_rechecks_what_its_member_may_see_at_every_read(network, member, organizer):
    action = make_action("Members' picket", tier=Tier.MEMBER)
    _feed, secret = feed_of(member, "network")
    assert uid(action) in events_by_uid(fetch(secret).content)
    Member.objects.filter(pk=member.pk).update(tier=Tier.PHONE_TREE)
    assert uid(action) not in events_by_uid(fetch(secret).content)
    Member.objects.filter(pk=member.pk).update(tier=Tier.MEMBER)
    assert fetch(secret).status_code == 200
    from solnet.members import services as member_services

    member_services.deactivate_member(member=member, by=organizer)
    assert fetch(secret).status_code == 404


def test_an_event_says_what_when_where_and_links_to_the_action(network, member):
    pacific = ZoneInfo("America/Los_Angeles")
    starts = datetime(2031, 3, 14, 9, 30, tzinfo=pacific)
    action = Action.objects.create(
        title="March on the boss; bring friends, signs \\ banners",
        description="Meet at the corner.\nBring water,\r\nand a hat.",
        place="Acme Property Management, 100 Main St; 2nd floor",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        tier=Tier.MEMBER,
    )
    answer(action, member, "yes")
    _feed, secret = feed_of(member)
    response = fetch(secret)
    event = events_by_uid(response.content)[uid(action)]
    assert event["DTSTART"] == "20310314T163000Z"  # 9:30 in Seattle that day is 16:30 UTC
    assert event["DTEND"] == "20310314T180000Z"
    assert event["SUMMARY"] == action.title
    assert event["LOCATION"] == action.place
    link = BASE + reverse("mobilize:action", args=[action.public_id])
    assert event["URL"] == link
    assert event["DESCRIPTION"] == "Meet at the corner.\nBring water,\nand a hat.\n\n" + link
    assert event["STATUS"] == "CONFIRMED"
    assert b"\\;" in response.content and b"\\," in response.content
    assert b"\\\\" in response.content


def test_a_called_off_action_stays_in_the_feed_marked_cancelled(network, member):
    action = make_action("Picket")
    answer(action, member, "yes")
    Action.objects.filter(pk=action.pk).update(cancelled_at=timezone.now())
    _feed, secret = feed_of(member)
    event = events_by_uid(fetch(secret).content)[uid(action)]
    assert event["STATUS"] == "CANCELLED"
    assert "Picket" in event["SUMMARY"] and event["SUMMARY"] != "Picket"


def test_long_and_non_latin_text_is_folded_at_75_octets(network, member):
    title = "Piquete de solidaridad — ¡ven con tu familia! 団結 " * 2  # 100 of the 120 allowed
    action = make_action(title.strip(), description="é" * 300)
    answer(action, member, "yes")
    _feed, secret = feed_of(member)
    response = fetch(secret)
    event = events_by_uid(response.content)[uid(action)]  # the reader checks every line
    assert len(f"SUMMARY:{title.strip()}".encode()) > 75  # so it had to be folded
    assert event["SUMMARY"] == title.strip()
    assert event["DESCRIPTION"].startswith("é" * 300)
    assert b"\r\n " in response.content


def test_folding_never_splits_a_character_and_keeps_lines_within_75_octets(network, member):
    lines = ("x" * 200, "é" * 100, "団" * 90, "a" + "😀" * 40, "y" * 75, "z" * 76)
    # "SUMMARY:" and 67 octets make a content line of exactly 75 octets, and 68 of 76.
    lines += ("y" * 67, "z" * 68)
    actions = {}
    for line in lines:
        action = make_action(line[:120], description=line)  # a title holds at most 120
        answer(action, member, "yes")
        actions[uid(action)] = (action, line)
    _feed, secret = feed_of(member)
    data = fetch(secret).content
    events = events_by_uid(data)  # each physical line: at most 75 octets, whole UTF-8
    content = unfolded(data)
    for key, (action, line) in actions.items():
        assert events[key]["SUMMARY"] == action.title
        assert f"SUMMARY:{action.title}" in content
        assert events[key]["DESCRIPTION"].startswith(line + "\n\n")
    for parts in folded_lines(data):
        assert all(len(part) <= 75 for part in parts)
        assert all(part.decode() for part in parts)  # no character split between two lines
        # Folded only where it had to be: a line is cut within a 4-octet character and a
        # backslash escape (kept whole on the next line) of the limit.
        assert all(len(part) >= 70 for part in parts[:-1])
        if len(b"".join(parts)) <= 74:
            assert len(parts) == 1


def test_text_is_escaped_and_keeps_no_line_break_or_control_character(network, member):
    messy = "a;b,c\\d\ne\r\nf\rg\x00h\x1bi\tj"
    escaped = "a\\;b\\,c\\\\d\\ne\\nf\\ng" + "hi\tj"
    text = "a;b,c\\d\ne\nf\ngh" + "i\tj"
    # PostgreSQL keeps no NUL in a text column (and Django's forms let none in), so the
    # whole messy title goes through the feed's writer on an action that is not saved...
    unsaved = Action(
        title=messy,
        starts_at=datetime(2031, 3, 14, 16, 30, tzinfo=UTC),
        ends_at=datetime(2031, 3, 14, 18, tzinfo=UTC),
    )
    written = calendar.calendar_text("x", [calendar._action_event(unsaved, timezone.now())])
    assert f"SUMMARY:{escaped}" in unfolded(written.encode())
    assert events_by_uid(written.encode())[uid(unsaved)]["SUMMARY"] == text
    assert unescape(escaped) == text
    # ...and all but the NUL through a feed fetched as a calendar fetches it, in every TEXT.
    messy = messy.replace("\x00", "\x7f").replace("\x1b", "\x1b\x07")
    network.name = messy
    network.save()
    action = make_action(messy, place=messy, description=messy)
    answer(action, member, "yes")
    _feed, secret = feed_of(member)
    data = fetch(secret).content
    event = events_by_uid(data)[uid(action)]
    assert event["SUMMARY"] == event["LOCATION"] == text
    assert event["DESCRIPTION"].startswith(text + "\n\n")
    assert read_ics(data)["props"]["X-WR-CALNAME"].startswith(text + ":")
    assert f"SUMMARY:{escaped}" in unfolded(data)
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", data.replace(b"\r\n", b""))


def test_a_shift_i_signed_up_for_is_its_own_event(network, member):
    action = make_action("Strike support", hours=8)
    morning = Shift.objects.create(
        action=action, starts_at=action.starts_at, ends_at=action.starts_at + timedelta(hours=4)
    )
    afternoon = Shift.objects.create(
        action=action, starts_at=morning.ends_at, ends_at=action.ends_at
    )
    answer(action, member, "yes", shift=afternoon)
    _feed, secret = feed_of(member)
    events = events_by_uid(fetch(secret).content)
    shift_uid = f"{action.public_id}-shift-{afternoon.pk}@solnet.example.org"
    assert set(events) == {uid(action), shift_uid}
    assert events[shift_uid]["DTSTART"] == utc_form(afternoon.starts_at)
    assert events[shift_uid]["DTEND"] == utc_form(afternoon.ends_at)
    assert "Strike support" in events[shift_uid]["SUMMARY"]


# --- the address ------------------------------------------------------------------------------


def test_a_new_feed_keeps_only_the_digest_of_a_strong_secret(network, member):
    feed, secret = feed_of(member, "network")
    assert len(secret) >= 43  # 32 random bytes, base64url: 256 bits
    assert feed.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert secret not in str(stored)
    assert abs(feed.expires_at - (timezone.now() + timedelta(days=365))) < timedelta(minutes=1)
    event = AuditEvent.objects.get(action="calendar_feed.created")
    assert event.actor_id == member.pk and feed.public_id in event.target
    assert secret not in str(event.data)
    assert calendar.feed_url(secret) == BASE + f"/actions/calendar/{secret}.ics"


def test_only_approved_members_get_a_feed(network, personas):
    with pytest.raises(PermissionDenied):
        calendar.new_feed(personas["pending"].member, "mine")
    assert not CalendarFeed.objects.exists()


def test_the_feed_is_served_without_a_session_and_kept_by_no_cache(network, member):
    feed, secret = feed_of(member)
    response = fetch(secret)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    feed.refresh_from_db()
    assert feed.last_read_at is not None


def test_last_read_is_written_at_most_once_an_hour(network, member):
    feed, secret = feed_of(member)
    fetch(secret)
    feed.refresh_from_db()
    first = feed.last_read_at
    fetch(secret)
    feed.refresh_from_db()
    assert feed.last_read_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=first - timedelta(minutes=61))
    fetch(secret)
    feed.refresh_from_db()
    assert feed.last_read_at > first


def test_unknown_revoked_expired_and_deactivated_feeds_answer_the_same_404(
    network, member, organizer
):
    revoked, revoked_secret = feed_of(member)
    calendar.revoke_feed(revoked, member)
    expired, expired_secret = feed_of(member)
    CalendarFeed.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    other, _ = make_member("leaving")
    _leaving_feed, leaving_secret = feed_of(other)
    Member.objects.filter(pk=other.pk).update(is_active=False)
    pending, _ = make_member("newcomer", status=Member.Status.PENDING)
    held, _held = feed_of(member)
    CalendarFeed.objects.filter(pk=held.pk).update(member=pending)
    answers = [
        fetch(s)
        for s in (
            "x" * 43,
            revoked_secret,
            expired_secret,
            leaving_secret,
            _held,
            "y" * 200,
        )
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert all(b"BEGIN:VCALENDAR" not in r.content for r in answers)
    assert CalendarFeed.objects.filter(last_read_at__isnull=False).count() == 0


def test_revoking_is_the_feeds_own_members_and_is_audited(network, member, organizer):
    feed, secret = feed_of(member)
    with pytest.raises(PermissionDenied):
        calendar.revoke_feed(feed, organizer)
    assert fetch(secret).status_code == 200
    calendar.revoke_feed(feed, member)
    assert fetch(secret).status_code == 404
    assert (
        AuditEvent.objects.filter(action="calendar_feed.revoked", actor_id=member.pk).count() == 1
    )


# --- the member's page of feeds ---------------------------------------------------------------


def test_the_page_lists_only_my_feeds_page_by_page(network, signed_in, member, organizer):
    for _n in range(31):
        feed_of(member)
    theirs, _ = feed_of(organizer, "network")
    client = signed_in(member)
    response = client.get(reverse("mobilize:calendar"))
    assert response.status_code == 200
    assert response.content.count(b"/revoke/") == 30
    assert theirs.public_id.encode() not in response.content
    second = client.get(reverse("mobilize:calendar"), {"page": 2})
    mine = list(CalendarFeed.objects.filter(member=member).order_by("-created_at", "-pk"))
    assert mine[-1].public_id.encode() in second.content
    assert mine[-1].public_id.encode() not in response.content
    assert second.content.count(b"/revoke/") == 1


def test_making_a_feed_shows_its_address_once(network, signed_in, member):
    client = signed_in(member)
    response = client.post(reverse("mobilize:calendar_new"), {"scope": "network"})
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(member=member)
    assert feed.scope == "network"
    found = re.search(
        rb'value="(https://solnet\.example\.org/actions/calendar/([^"]+)\.ics)"', response.content
    )
    assert found, "the address is on the page"
    secret = found.group(2).decode()
    assert feed.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert b"webcal://solnet.example.org/actions/calendar/" in response.content
    assert fetch(secret).status_code == 200
    again = client.get(reverse("mobilize:calendar"))
    assert secret.encode() not in again.content
    assert feed.public_id.encode() in again.content


def test_a_bad_scope_makes_no_feed(network, signed_in, member):
    response = signed_in(member).post(reverse("mobilize:calendar_new"), {"scope": "everyone"})
    assert response.status_code == 422
    assert not CalendarFeed.objects.exists()


def test_revoking_from_the_page(network, signed_in, member, organizer):
    feed, secret = feed_of(member)
    theirs, their_secret = feed_of(organizer)
    client = signed_in(member)
    other = client.post(reverse("mobilize:calendar_revoke", args=[theirs.public_id]))
    assert other.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and fetch(their_secret).status_code == 200
    response = client.post(reverse("mobilize:calendar_revoke", args=[feed.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("mobilize:calendar")
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert fetch(secret).status_code == 404
    assert client.get(reverse("mobilize:calendar_revoke", args=[feed.public_id])).status_code == 405


def test_outsiders_are_sent_to_sign_in(network, client):
    response = client.get(reverse("mobilize:calendar"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    anonymous = client.post(reverse("mobilize:calendar_new"), {"scope": "mine"})
    assert anonymous.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_times_are_written_in_utc_form(network, member):
    kolkata, pacific = ZoneInfo("Asia/Kolkata"), ZoneInfo("America/Los_Angeles")
    starts = datetime(2035, 1, 2, 8, 34, 5, tzinfo=kolkata)  # 03:04:05 UTC
    action = Action.objects.create(
        title="Picket", starts_at=starts, ends_at=starts + timedelta(hours=2), tier=Tier.MEMBER
    )
    feed, _secret = feed_of(member, "network")
    now = datetime(2034, 12, 20, 19, 4, 5, 987654, tzinfo=pacific)  # 03:04:05 UTC next day
    data = calendar.render_feed(feed, now).encode()
    event = events_by_uid(data)[uid(action)]
    assert event["DTSTART"] == "20350102T030405Z"
    assert event["DTEND"] == "20350102T050405Z"
    assert event["DTSTAMP"] == "20341221T030405Z"
    assert b"TZID" not in data and b"VTIMEZONE" not in data


def test_a_second_reader_reads_the_whole_feed_as_it_was_meant(network, member):
    """vobject, which shares no code with icalendar, reads every field back."""
    Member.objects.filter(pk=member.pk).update(preferred_language="es")
    starts = datetime(2035, 5, 1, 16, 0, tzinfo=UTC)
    march = Action.objects.create(
        title="Gran marcha por la vivienda digna — ¡ven con tu familia, vecinas y vecinos!",
        description="Nos vemos en la esquina.\nTraed agua,\r\ny un sombrero.\n\nSin miedo.",
        place="Plaza de la Constitución, 3; frente al Ayuntamiento, Málaga",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        tier=Tier.MEMBER,
    )
    morning = Shift.objects.create(
        action=march, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    afternoon = Shift.objects.create(action=march, starts_at=morning.ends_at, ends_at=march.ends_at)
    answer(march, member, "yes", shift=afternoon)
    called_off = Action.objects.create(
        title="Piquete en la oficina del casero",
        starts_at=starts + timedelta(days=1),
        ends_at=starts + timedelta(days=1, hours=1),
        tier=Tier.MEMBER,
    )
    answer(called_off, member, "maybe")
    Action.objects.filter(pk=called_off.pk).update(cancelled_at=timezone.now())

    _feed, secret = feed_of(member, "mine")
    data = fetch(secret).content
    parsed = vobject.readOne(data.decode("utf-8"), validate=True)

    assert parsed.version.value == "2.0"
    assert parsed.prodid.value == "-//SolNet//Calendar feed//EN"
    assert parsed.calscale.value == "GREGORIAN"
    assert parsed.method.value == "PUBLISH"
    assert parsed.x_wr_calname.value == "Eastside Solidarity Network: mis acciones"
    assert parsed.refresh_interval.value == "PT1H"
    assert parsed.refresh_interval.params == {"VALUE": ["DURATION"]}
    assert parsed.x_published_ttl.value == "PT1H"
    events = {event.uid.value: event for event in parsed.vevent_list}
    shift_uid = f"{march.public_id}-shift-{afternoon.pk}@solnet.example.org"
    assert set(events) == {uid(march), uid(called_off), shift_uid}
    assert len(parsed.vevent_list) == 3

    def link(action: Action) -> str:
        return BASE + reverse("mobilize:action", args=[action.public_id])

    description = "Nos vemos en la esquina.\nTraed agua,\ny un sombrero.\n\nSin miedo."
    expected = {
        uid(march): (march, march.title, march.starts_at, march.ends_at, "CONFIRMED"),
        shift_uid: (
            march,
            f"{march.title} (tu turno)",
            afternoon.starts_at,
            afternoon.ends_at,
            "CONFIRMED",
        ),
        uid(called_off): (
            called_off,
            f"Cancelada: {called_off.title}",
            called_off.starts_at,
            called_off.ends_at,
            "CANCELLED",
        ),
    }
    for key, (action, summary, begins, ends, status) in expected.items():
        event = events[key]
        assert event.summary.value == summary
        assert event.dtstart.value == begins and event.dtstart.value.utcoffset() == timedelta(0)
        assert event.dtend.value == ends and event.dtend.value.utcoffset() == timedelta(0)
        assert abs(event.dtstamp.value - timezone.now()) < timedelta(minutes=5)
        assert event.url.value == link(action)
        assert event.status.value == status
        if action is march:
            assert event.location.value == march.place
            assert event.description.value == description + "\n\n" + link(march)
        else:
            assert "location" not in event.contents
            assert event.description.value == link(called_off)
