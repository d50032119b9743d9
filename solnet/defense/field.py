"""Field notes (DOMAIN.md §8): legal observers and copwatchers check in to a confirmed
incident and log what they see from their phone, entry by entry.

Who writes: a member with the legal-observer or copwatch skill, checked in to the incident —
by themselves if the incident's alert reached them, or by a dispatcher on shift or the LO
coordinator. Who reads: the observers checked in, dispatchers and the LO coordinator.

The chain. Each entry carries two keyed hashes (HMAC-SHA256 under the audit key, which never
leaves the server and which someone holding only a copy of the database does not have):

* ``content_seal`` over its words (what happened, names and numbers);
* ``seal`` over the incident, its position, its kind, the entry it annotates, its times, the
  photo's SHA-256, the content seal and the previous entry's seal.

Every new entry or correction also writes the newest seal and the count to the (hash-chained)
audit log. `check_chain()` recomputes everything: an entry edited afterwards, deleted,
inserted or moved, a photo replaced, or the newest entries cut off, each shows as a break
naming the entry. When the hotline's period ends the words go (retention) but the seals stay,
so what is left still verifies.

An entry is corrected by its author within `EDIT_WINDOW`; after that it is only annotated —
an annotation is an entry of its own, in the chain. A photo or video is cleaned of its
metadata (`solnet.defense.footage`) and sealed on disk under its own key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit, sealed
from solnet.core.crypto import DecryptionError, keyed_digest
from solnet.core.models import AuditEvent
from solnet.defense import access, footage, rota
from solnet.defense.models import (
    Audible,
    CheckIn,
    EntryKind,
    FieldEntry,
    FieldMedia,
    Hotline,
    Report,
    ReportStatus,
)
from solnet.members.models import Member
from solnet.mobilize.models import Delivery
from solnet.people.models import PersonSkill

EDIT_WINDOW = timedelta(minutes=15)
OBSERVER_SKILLS = access.OBSERVER_SKILLS
LONGEST = 2000
# An entry says when it happened: not in the future (a phone's clock may be a little ahead),
# not before the incident was reported.
CLOCK_SLACK = timedelta(minutes=5)
GENESIS = "0" * 64
LOGGED = "defense.field_entry_logged"
CORRECTED = "defense.field_entry_corrected"

# --- who checks in --------------------------------------------------------------------------


def observer_skill(member: Member) -> str | None:
    """The member's legal-observer or copwatch skill (legal observer first), or None."""
    held = set(
        PersonSkill.objects.filter(person__member=member, skill__in=OBSERVER_SKILLS).values_list(
            "skill", flat=True
        )
    )
    return next((skill for skill in OBSERVER_SKILLS if skill in held), None)


def was_called(member: Member, report: Report) -> bool:
    """Whether the incident's alert reached the member."""
    return (
        report.alert_id is not None
        and Delivery.objects.filter(send__alert_id=report.alert_id, person__member=member).exists()
    )


def is_checked_in(member: Member, report: Report) -> bool:
    return CheckIn.objects.filter(report=report, member=member).exists()


def candidates(report: Report) -> QuerySet[Member]:
    """Whom a dispatcher or the LO coordinator may check in: active members with the
    legal-observer or copwatch skill, in the incident's zone if it has one."""
    members = Member.objects.active().filter(person__skills__skill__in=OBSERVER_SKILLS)
    if report.zone_id:
        members = members.filter(person__zones=report.zone_id)
    return members.distinct().order_by("display_name", "pk")


@transaction.atomic
def check_in(*, report: Report, member: Member, by: Member) -> CheckIn:
    """Checks an observer in to a confirmed incident. An observer the alert reached checks
    themselves in; anyone else is checked in by a dispatcher on shift or the LO coordinator."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    existing = CheckIn.objects.filter(report=report, member=member).first()
    if existing is not None:
        return existing
    if by.pk == member.pk:
        if not was_called(member, report) and not access.reads_all_field_notes(member):
            raise PermissionDenied
    elif access.is_lo_coordinator(by):
        pass
    elif access.is_dispatcher(by):
        rota.check_on_duty(by)
    else:
        raise PermissionDenied
    if report.status != ReportStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed incident that is still open takes check-ins."))
    if not member.is_active or member.status != Member.Status.ACTIVE or not member.is_approved:
        raise ValidationError(_("Only an active member can be checked in."))
    skill = observer_skill(member)
    if skill is None:
        raise ValidationError(
            _("Only legal observers and copwatchers keep field notes: add the skill first.")
        )
    try:
        with transaction.atomic():
            found = CheckIn.objects.create(
                report=report, member=member, skill=skill, checked_in_by=by
            )
    except IntegrityError:  # checked in meanwhile
        return CheckIn.objects.get(report=report, member=member)
    audit.record("defense.checked_in", actor=by, target=report, skill=skill)
    return found


# --- the chain ------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def _canonical(*parts: object) -> bytes:
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()


def content_seal_of(entry: FieldEntry) -> str:
    """The keyed hash of an entry's words (what goes when the hotline's period ends)."""
    return keyed_digest(
        "audit", b"defense.field-words\x00" + _canonical(entry.what or "", entry.names or "")
    )


def seal_of(entry: FieldEntry, *, report_id: str, annotates: str, previous: str) -> str:
    """The keyed hash linking an entry to the incident, its place and the one before."""
    return keyed_digest(
        "audit",
        b"defense.field-entry\x00"
        + _canonical(
            report_id,
            entry.position,
            entry.public_id,
            entry.kind,
            annotates,
            _instant(entry.observed_at),
            _instant(entry.written_at),
            _instant(entry.edited_at),
            _instant(entry.forget_at),
            entry.audible,
            entry.media_digest,
            entry.content_seal,
            previous,
        ),
    )


def _annotated_ids(report: Report) -> dict[int, str]:
    return dict(FieldEntry.objects.filter(report=report).values_list("pk", "public_id"))


def _reseal_from(report: Report, position: int) -> str:
    """Seals again the entries from `position` on (a correction within the window changed
    one); returns the newest seal."""
    ids = _annotated_ids(report)
    entries = list(FieldEntry.objects.filter(report=report).order_by("position"))
    previous = GENESIS
    for entry in entries:
        if entry.position >= position:
            entry.seal = seal_of(
                entry,
                report_id=report.public_id,
                annotates=ids.get(entry.annotates_id or 0, ""),
                previous=previous,
            )
            FieldEntry.objects.filter(pk=entry.pk).update(seal=entry.seal)
        previous = entry.seal
    return previous


def _record_head(action: str, *, report: Report, by: Member, entry: FieldEntry, head: str):
    count = FieldEntry.objects.filter(report=report).count()
    audit.record(action, actor=by, target=report, entry=entry.public_id, count=count, head=head)


@dataclass(frozen=True)
class ChainCheck:
    holds: bool
    entries: int
    problem: str = ""
    position: int | None = None


def _media_digest(media: FieldMedia) -> str | None:
    """The SHA-256 of the photo or video as sealed; None if its bytes cannot be read."""
    digest = hashlib.sha256()
    try:
        for chunk in sealed.read_chunks(media.file):
            digest.update(chunk)
    except (OSError, DecryptionError):
        return None
    return digest.hexdigest()


def _head(report: Report) -> dict | None:
    event = (
        AuditEvent.objects.filter(target=audit.target_of(report), action__in=(LOGGED, CORRECTED))
        .order_by("-seq")
        .first()
    )
    return event.data if event is not None else None


def check_chain(report: Report) -> ChainCheck:
    """Recomputes the incident's chain; the first break found, naming the entry."""
    entries = list(
        FieldEntry.objects.filter(report=report).select_related("media__file").order_by("position")
    )
    ids = {entry.pk: entry.public_id for entry in entries}
    now = timezone.now()
    previous = GENESIS
    for expected, entry in enumerate(entries, start=1):
        n = {"n": expected}
        if entry.position != expected:
            return ChainCheck(
                False, len(entries), _("Entry %(n)s is missing: it was deleted.") % n, expected
            )
        gone = entry.what is None and entry.names is None
        if gone and entry.forget_at > now:
            return ChainCheck(
                False, len(entries), _("The words of entry %(n)s were removed.") % n, expected
            )
        if not gone and content_seal_of(entry) != entry.content_seal:
            return ChainCheck(
                False, len(entries), _("Entry %(n)s was changed after it was logged.") % n, expected
            )
        annotates = ids.get(entry.annotates_id or 0, "") if entry.annotates_id else ""
        if entry.annotates_id and not annotates:
            return ChainCheck(
                False, len(entries), _("Entry %(n)s annotates an entry that is gone.") % n, expected
            )
        if (
            seal_of(entry, report_id=report.public_id, annotates=annotates, previous=previous)
            != entry.seal
        ):
            return ChainCheck(
                False,
                len(entries),
                _("Entry %(n)s does not follow the one before: it was inserted, moved or changed.")
                % n,
                expected,
            )
        media = getattr(entry, "media", None) if entry.media_digest else None
        if entry.media_digest and media is None and not gone:
            return ChainCheck(
                False,
                len(entries),
                _("The photo or video of entry %(n)s is missing.") % n,
                expected,
            )
        if media is not None and _media_digest(media) != entry.media_digest:
            return ChainCheck(
                False,
                len(entries),
                _("The photo or video of entry %(n)s was replaced.") % n,
                expected,
            )
        previous = entry.seal
    head = _head(report)
    if head is None:
        if entries:
            return ChainCheck(False, len(entries), _("The audit log has no record of these notes."))
        return ChainCheck(True, 0)
    if head.get("count") != len(entries) or head.get("head") != previous:
        return ChainCheck(
            False,
            len(entries),
            _("The audit log recorded %(count)s entries ending otherwise: the newest were removed.")
            % {"count": head.get("count")},
        )
    return ChainCheck(True, len(entries))


# --- writing ----------------------------------------------------------------------------------


def _clean_words(what: str, names: str) -> tuple[str, str | None]:
    what = (what or "").strip()
    names = (names or "").strip()
    errors = {}
    if not what:
        errors["what"] = _("Say what happened.")
    for field, value in (("what", what), ("names", names)):
        if len(value) > LONGEST:
            errors[field] = _("Keep it under 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    return what, names or None


def _clean_observed_at(report: Report, observed_at: datetime | None, now: datetime) -> datetime:
    if observed_at is None:
        return now
    earliest = min(report.seen_at, report.created_at) - timedelta(hours=1)
    if not earliest <= observed_at <= now + CLOCK_SLACK:
        raise ValidationError(
            {
                "observed_at": _(
                    "Give the time it happened: during the incident, not later than now."
                )
            }
        )
    return observed_at


def _store_media(entry: FieldEntry, data: bytes, by: Member) -> tuple[str, FieldMedia]:
    kept, content_type = footage.clean(data)
    file = sealed.create_sealed_file(
        owner=by,
        purpose="defense.field_media",
        filename=f"field-{entry.public_id}.{footage.EXTENSIONS[content_type]}",
        content_type=content_type,
        total=1,
        lifetime=None,
    )
    with sealed.writing(file) as writer:
        writer.write(kept)
    sealed.mark_ready(file, size=writer.size, done=1)
    media = FieldMedia.objects.create(
        entry=entry, file=file, content_type=content_type, size=len(kept)
    )
    return hashlib.sha256(kept).hexdigest(), media


def _writable(report: Report, by: Member) -> Report:
    """The incident, locked (entries take their positions one at a time)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not is_checked_in(by, report):
        raise PermissionDenied
    return report


def _append(report: Report, entry: FieldEntry, by: Member, media: bytes | None) -> FieldEntry:
    last = FieldEntry.objects.filter(report=report).order_by("-position").first()
    entry.report = report
    entry.position = (last.position + 1) if last else 1
    entry.author = by
    entry.forget_at = entry.written_at + timedelta(days=Hotline.current().report_days)
    entry.content_seal = content_seal_of(entry)
    entry.seal = "pending"
    entry.save()
    if media:
        entry.media_digest, _media = _store_media(entry, media, by)
    annotates = entry.annotates.public_id if entry.annotates_id else ""  # type: ignore[union-attr]
    entry.seal = seal_of(
        entry,
        report_id=report.public_id,
        annotates=annotates,
        previous=last.seal if last else GENESIS,
    )
    entry.save(update_fields=["media_digest", "seal"])
    _record_head(LOGGED, report=report, by=by, entry=entry, head=entry.seal)
    return entry


@transaction.atomic
def log_entry(
    *,
    report: Report,
    by: Member,
    kind: str,
    what: str,
    names: str = "",
    audible: str = "",
    observed_at: datetime | None = None,
    media: bytes | None = None,
) -> FieldEntry:
    """A checked-in observer logs an entry on an open incident."""
    report = _writable(report, by)
    if report.status != ReportStatus.CONFIRMED:
        raise ValidationError(_("This incident is over: add a note to an entry instead."))
    if kind not in EntryKind.values or kind == EntryKind.ANNOTATION:
        raise ValidationError({"kind": _("Choose what the entry is about.")})
    what, names_kept = _clean_words(what, names)
    now = timezone.now()
    entry = FieldEntry(
        kind=kind,
        what=what,
        names=names_kept,
        audible=audible if kind == EntryKind.WARNING and audible in _audibles() else "",
        observed_at=_clean_observed_at(report, observed_at, now),
        written_at=now,
    )
    return _append(report, entry, by, media)


def _audibles() -> list[str]:
    return list(Audible.values)


@transaction.atomic
def annotate(*, entry: FieldEntry, by: Member, what: str) -> FieldEntry:
    """A note on an earlier entry, by an observer of the incident — also once it is over,
    while the entry's words are kept."""
    report = _writable(entry.report, by)
    entry = FieldEntry.objects.get(pk=entry.pk)
    if entry.kind == EntryKind.ANNOTATION:
        raise ValidationError(_("Add the note to the entry itself."))
    if entry.what is None:
        raise ValidationError(_("This entry's words are gone: it cannot be annotated."))
    what, _names = _clean_words(what, "")
    now = timezone.now()
    note = FieldEntry(
        kind=EntryKind.ANNOTATION, annotates=entry, what=what, observed_at=now, written_at=now
    )
    return _append(report, note, by, None)


def can_correct(entry: FieldEntry, member: Member, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return entry.author_id == member.pk and now - entry.written_at <= EDIT_WINDOW


@transaction.atomic
def correct(
    *,
    entry: FieldEntry,
    by: Member,
    what: str,
    names: str = "",
    audible: str = "",
    observed_at: datetime | None = None,
) -> FieldEntry:
    """Its author corrects an entry within 15 minutes of logging it; the chain is sealed
    again from it on, and the audit log keeps the correction."""
    report = _writable(entry.report, by)
    entry = FieldEntry.objects.get(pk=entry.pk)
    if entry.author_id != by.pk:
        raise PermissionDenied
    now = timezone.now()
    if not can_correct(entry, by, now):
        raise ValidationError(
            _("An entry can be corrected for 15 minutes only: add a note to it instead.")
        )
    entry.what, entry.names = _clean_words(what, names)
    if entry.kind != EntryKind.ANNOTATION:
        entry.observed_at = _clean_observed_at(report, observed_at or entry.observed_at, now)
    entry.audible = audible if entry.kind == EntryKind.WARNING and audible in _audibles() else ""
    entry.edited_at = now
    entry.content_seal = content_seal_of(entry)
    entry.save(
        update_fields=["what", "names", "observed_at", "audible", "edited_at", "content_seal"]
    )
    head = _reseal_from(report, entry.position)
    _record_head(CORRECTED, report=report, by=by, entry=entry, head=head)
    return entry


# --- reading ----------------------------------------------------------------------------------


def entries(report: Report) -> QuerySet[FieldEntry]:
    return (
        FieldEntry.objects.filter(report=report)
        .select_related("author", "media", "annotates")
        .order_by("position")
    )


def media_chunks(entry: FieldEntry, by: Member) -> tuple[FieldMedia, Iterator[bytes]]:
    """The photo or video of an entry, for someone who reads the incident's notes."""
    media = FieldMedia.objects.select_related("file").filter(entry=entry).first()
    if media is None or not sealed.downloadable(media.file):
        raise FieldMedia.DoesNotExist
    audit.record("defense.field_media_read", actor=by, target=entry.report, entry=entry.public_id)
    return media, sealed.read_chunks(media.file)


def delete_forgotten_media(cutoff) -> int:
    """Photos and videos of entries past the hotline's period go: row, key and bytes (not
    those of an incident held for the legal contact)."""
    gone = 0
    forgotten = FieldMedia.objects.filter(
        entry__forget_at__lt=cutoff, entry__report__legal_hold_at__isnull=True
    )
    for media in forgotten.select_related("file"):
        file = media.file
        media.delete()
        sealed.delete_sealed_file(file)
        gone += 1
    return gone
