"""Objects the defense tests (and the authorization matrix) need."""

from __future__ import annotations

import secrets
from datetime import time, timedelta

from django.utils import timezone

from solnet.defense.models import (
    Conversation,
    Hotline,
    HotlineText,
    Report,
    ReportForm,
    Slot,
    Source,
)


def make_slot(weekday: int = 0, starts: time | None = None, hours: int = 4, **kwargs) -> Slot:
    """A slot; without a start time, the first free hour from 18:00 of that day."""
    if starts is None:
        taken = set(Slot.objects.filter(weekday=weekday).values_list("starts", flat=True))
        starts = next(time(hour % 24) for hour in range(18, 42) if time(hour % 24) not in taken)
    return Slot.objects.create(weekday=weekday, starts=starts, hours=hours, **kwargs)


def make_report(**changes) -> Report:
    fields = {
        "form": ReportForm.SALUTE,
        "source": Source.CALL,
        "seen_at": timezone.now() - timedelta(minutes=10),
        "size": "two vans, six agents",
        "activity": "knocking on doors",
        "location": "Alder Street and 14th",
        "forget_at": timezone.now() + timedelta(days=Hotline.current().report_days),
    }
    fields.update(changes)
    return Report.objects.create(**fields)


def open_public_form() -> str:
    hotline = Hotline.current()
    hotline.public_form = True
    hotline.save()
    return hotline.address


def make_conversation(number: str = "+12065550142", body: str = "vans on Alder St") -> Conversation:
    """A conversation on the phone line with one text in it."""
    now = timezone.now()
    conversation = Conversation.objects.create(
        number=number, forget_at=now + timedelta(days=Hotline.current().report_days)
    )
    HotlineText.objects.create(
        conversation=conversation, provider_ref="SM" + secrets.token_hex(16), body=body
    )
    return conversation


def tiny_photo() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, format="JPEG")
    return out.getvalue()


def make_incident(observer, what: str = "Two unmarked cars at Alder and 14th"):
    """A confirmed report with `observer` (given the legal-observer skill) checked in, and an
    entry of theirs with a photo; returns both."""
    from solnet.defense import field
    from solnet.defense.models import CheckIn, EntryKind, ReportStatus
    from solnet.people.models import PersonSkill, Skill
    from solnet.people.services import own_record

    person = own_record(member=observer)
    PersonSkill.objects.get_or_create(person=person, skill=Skill.LEGAL_OBSERVER)
    report = make_report(status=ReportStatus.CONFIRMED)
    CheckIn.objects.create(
        report=report, member=observer, skill=Skill.LEGAL_OBSERVER, checked_in_by=observer
    )
    entry = field.log_entry(
        report=report, by=observer, kind=EntryKind.AGENCIES, what=what, media=tiny_photo()
    )
    return report, entry


def make_arrestee(by, name: str = "Tomasa Q.", **fields):
    """A case at a confirmed incident, recorded and supported by `by`, with a family task."""
    from solnet.defense import jail
    from solnet.defense.models import ReportStatus

    fields.setdefault("held_at", "County jail, booking 24-5531")
    fields.setdefault("bail_amount", 150000)
    arrestee = jail.record_arrest(
        report=make_report(status=ReportStatus.CONFIRMED), by=by, name=name, **fields
    )
    jail.add_task(arrestee=arrestee, by=by, what="Call her sister about the kids")
    return arrestee


def make_handoff() -> str:
    """A legal hand-off of a new incident, approved and made, whose link is open; returns
    the link's secret."""
    import hashlib
    import secrets

    from solnet.core import sealed
    from solnet.defense.models import LegalHandoff, ReportStatus

    report = make_report(status=ReportStatus.CONFIRMED, legal_hold_at=timezone.now())
    file = sealed.create_sealed_file(
        owner=None,
        purpose="defense.legal_handoff",
        filename="incident.zip",
        content_type="application/zip",
        total=1,
        lifetime=None,
    )
    with sealed.writing(file) as writer:
        writer.write(b"PK\x05\x06" + bytes(18))  # an empty ZIP
    sealed.mark_ready(file, size=writer.size, done=1)
    token = secrets.token_urlsafe(32)
    LegalHandoff.objects.create(
        report=report,
        recipient="legal@example.org",
        file=file,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=14),
    )
    return token
