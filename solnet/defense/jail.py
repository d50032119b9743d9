"""Jail support (DOMAIN.md §8): dispatchers and the LO coordinator record who was arrested at
an incident, where they are held, their charges, lawyer and bail; add their court dates, which
the member supporting the case is reminded of the day before; keep follow-up tasks for the
family; and ask the network's bail fund to pay the bail — a request decided and paid by the
fund's own rules, like any other (`solnet.funds.aid`).

A date of birth (which jails use to find someone) is kept only when the person or their
contact agreed, and says who did. The member supporting a case reads and updates it too.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, tasks
from solnet.defense import access
from solnet.defense.models import (
    Arrestee,
    ArresteeStatus,
    BirthConsent,
    CourtDate,
    FamilyTask,
    Hotline,
    Report,
    ReportStatus,
)
from solnet.funds import aid
from solnet.funds.models import AidRequest, AidStatus, Fund, FundKind, PayTo, Purpose
from solnet.members.models import Member

log = logging.getLogger(__name__)

LONGEST = 1000
REMIND_BEFORE = timedelta(hours=24)
OLDEST = 120  # years: a date of birth further back is a typing mistake
COURT_PAST = timedelta(days=366)
COURT_AHEAD = timedelta(days=3 * 366)
LARGEST_BAIL = 10**11


def _words(values: dict[str, str | None], *, required: tuple[str, ...] = ()) -> dict:
    cleaned: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        value = (value or "").strip()
        if len(value) > LONGEST:
            errors[name] = _("Keep it under 1,000 characters.")
        cleaned[name] = value or None
    for name in required:
        if not cleaned.get(name):
            errors[name] = _("Give their name, or what they are called.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_birth(born_on: date | None, consent: str) -> tuple[str | None, str]:
    if born_on is None:
        return None, ""
    if consent not in BirthConsent.values:
        raise ValidationError(
            {
                "birth_consent": _(
                    "A date of birth is kept only if the person or their contact agreed: "
                    "say who did, or leave the date empty."
                )
            }
        )
    today = timezone.localdate()
    if not today.replace(year=today.year - OLDEST) <= born_on <= today:
        raise ValidationError({"born_on": _("Check the date of birth.")})
    return born_on.isoformat(), consent


def _check_bail(amount: int | None) -> int | None:
    if amount is not None and not 0 <= amount <= LARGEST_BAIL:
        raise ValidationError({"bail_amount": _("Check the bail amount.")})
    return amount


def _check_supporter(supporter: Member | None, by: Member) -> Member:
    supporter = supporter or by
    if not (supporter.is_active and supporter.is_approved):
        raise ValidationError({"supporter": _("Choose an active member to follow the case.")})
    return supporter


DETAILS = (
    "name",
    "born_on",
    "birth_consent",
    "held_at",
    "charges",
    "lawyer",
    "contact",
    "bail_amount",
    "supporter",
)


def _clean_details(details: dict[str, Any], by: Member, supporter: Member | None = None) -> dict:
    """An arrestee's details as given (`DETAILS`: a name needed; a date of birth only with
    someone's consent), checked and ready to keep."""
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise TypeError(f"unknown details: {sorted(unknown)}")
    words = _words(
        {
            name: details.get(name) or ""
            for name in ("name", "held_at", "charges", "lawyer", "contact")
        },
        required=("name",),
    )
    born_on, consent = _check_birth(details.get("born_on"), details.get("birth_consent") or "")
    return {
        **words,
        "born_on": born_on,
        "birth_consent": consent,
        "bail_amount": _check_bail(details.get("bail_amount")),
        "supporter": _check_supporter(details.get("supporter") or supporter, by),
    }


@transaction.atomic
def record_arrest(*, report: Report, by: Member, **details: Any) -> Arrestee:
    """Someone arrested at a confirmed incident: dispatchers and the LO coordinator record it,
    with the `DETAILS` they know."""
    if not access.reads_all_field_notes(by):
        raise PermissionDenied
    if report.status in (ReportStatus.UNVERIFIED, ReportStatus.FALSE_ALARM):
        raise ValidationError(_("Arrests are recorded at a confirmed incident."))
    arrestee = Arrestee.objects.create(report=report, created_by=by, **_clean_details(details, by))
    audit.record("defense.arrest_recorded", actor=by, target=report, arrestee=arrestee.public_id)
    return arrestee


def _writable(arrestee: Arrestee, by: Member) -> Arrestee:
    if not access.supports(by, arrestee):
        raise PermissionDenied
    arrestee = Arrestee.objects.select_for_update().get(pk=arrestee.pk)
    if arrestee.name is None:
        raise ValidationError(_("This person's details are gone: the case was closed."))
    return arrestee


@transaction.atomic
def update_arrestee(*, arrestee: Arrestee, by: Member, **details: Any) -> Arrestee:
    """The case's `DETAILS` as they now stand (its supporter kept unless another is given)."""
    arrestee = _writable(arrestee, by)
    for field, value in _clean_details(details, by, arrestee.supporter).items():
        setattr(arrestee, field, value)
    arrestee.save()
    audit.record("defense.arrestee_updated", actor=by, target=arrestee)
    return arrestee


def _forget_at(arrestee: Arrestee, now: datetime) -> datetime:
    """The hotline's period after the later of now (the closing) and the last court date."""
    last = arrestee.court_dates.aggregate(last=Max("at"))["last"]
    start = max(now, last) if last is not None else now
    return start + timedelta(days=Hotline.current().report_days)


@transaction.atomic
def set_status(*, arrestee: Arrestee, by: Member, status: str) -> Arrestee:
    """Held, released with the case open, or support over (then the details' clock starts)."""
    arrestee = _writable(arrestee, by)
    if status not in ArresteeStatus.values:
        raise ValidationError({"status": _("Choose where their case stands.")})
    now = timezone.now()
    arrestee.status = status
    if status == ArresteeStatus.CLOSED:
        arrestee.closed_at, arrestee.forget_at = now, _forget_at(arrestee, now)
    else:
        arrestee.closed_at = arrestee.forget_at = None
    arrestee.save(update_fields=["status", "closed_at", "forget_at"])
    audit.record("defense.arrestee_status", actor=by, target=arrestee, status=status)
    return arrestee


@transaction.atomic
def add_court_date(
    *, arrestee: Arrestee, by: Member, at: datetime, court: str = "", note: str = ""
) -> CourtDate:
    arrestee = _writable(arrestee, by)
    if not arrestee.is_open:
        raise ValidationError(_("Support for this case is over: reopen it first."))
    now = timezone.now()
    if at is None or not now - COURT_PAST <= at <= now + COURT_AHEAD:
        raise ValidationError({"at": _("Give the court date's day and time.")})
    words = _words({"court": court, "note": note})
    court_date = CourtDate.objects.create(arrestee=arrestee, at=at, **words)
    audit.record("defense.court_date_added", actor=by, target=arrestee)
    return court_date


def _reminded_member(arrestee: Arrestee) -> Member | None:
    for member in (arrestee.supporter, arrestee.created_by):
        if member is not None and member.is_active and member.email:
            return member
    return None


def _reminder(court_date: CourtDate, member: Member) -> tuple[str, str]:
    link = settings.BASE_URL + reverse("defense:arrestee", args=[court_date.arrestee.public_id])
    with translation.override(member.preferred_language or settings.LANGUAGE_CODE):
        when = timezone.localtime(court_date.at)
        subject = _("Court date tomorrow")
        body = _(
            "A court date of a case you support is on %(day)s at %(time)s. Who, where and "
            "what to bring: %(link)s"
        ) % {"day": when.strftime("%Y-%m-%d"), "time": when.strftime("%H:%M"), "link": link}
    return subject, body


def remind_court_dates(now: datetime | None = None) -> int:
    """Reminds the supporter of every court date in the next 24 hours, once; returns how many.
    The message names no one: the link leads to the case for those who may read it."""
    now = now or timezone.now()
    due = CourtDate.objects.filter(
        at__gt=now,
        at__lte=now + REMIND_BEFORE,
        reminded_at__isnull=True,
        arrestee__status__in=(ArresteeStatus.HELD, ArresteeStatus.RELEASED),
    ).select_related("arrestee__supporter", "arrestee__created_by")
    sent = 0
    for court_date in due:
        with transaction.atomic():
            # Another worker may have taken it: only the one whose update lands sends.
            if not CourtDate.objects.filter(pk=court_date.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            member = _reminded_member(court_date.arrestee)
            if member is None:
                log.warning("court date %s has nobody to remind", court_date.public_id)
                continue
            subject, body = _reminder(court_date, member)
            tasks.queue_mail(to=member.email, subject=subject, body=body)
            audit.record("defense.court_reminded", target=court_date.arrestee)
            sent += 1
    return sent


@transaction.atomic
def add_task(
    *,
    arrestee: Arrestee,
    by: Member,
    what: str,
    due_on: date | None = None,
    assigned_to: Member | None = None,
) -> FamilyTask:
    arrestee = _writable(arrestee, by)
    words = _words({"what": what})
    if not words["what"]:
        raise ValidationError({"what": _("Say what is to be done.")})
    if assigned_to is not None and not (assigned_to.is_active and assigned_to.is_approved):
        raise ValidationError({"assigned_to": _("Choose an active member.")})
    task = FamilyTask.objects.create(
        arrestee=arrestee, what=words["what"], due_on=due_on, assigned_to=assigned_to
    )
    audit.record("defense.family_task_added", actor=by, target=arrestee)
    return task


@transaction.atomic
def finish_task(*, task: FamilyTask, by: Member) -> FamilyTask:
    _writable(task.arrestee, by)
    changed = FamilyTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    if not changed:
        raise ValidationError(_("This task is done already."))
    task.refresh_from_db()
    return task


def bail_funds():
    return Fund.objects.filter(kind=FundKind.BAIL, closed_at__isnull=True).order_by("name")


@transaction.atomic
def ask_bail(
    *,
    arrestee: Arrestee,
    by: Member,
    fund: Fund,
    pay_to_name: str,
    pay_to_details: str,
    details: str = "",
) -> AidRequest:
    """Asks the bail fund to pay the bail set, straight to the court or the jail: a request
    the fund decides and a treasurer pays by the fund's own rules (its cap, its votes, the
    two-person rule above the network's threshold)."""
    arrestee = _writable(arrestee, by)
    if fund.kind != FundKind.BAIL:
        raise ValidationError({"fund": _("Choose the network's bail fund.")})
    if not arrestee.bail_amount:
        raise ValidationError(_("Record the bail amount first."))
    asked = arrestee.bail_request
    if asked is not None and asked.status not in (AidStatus.REFUSED, AidStatus.WITHDRAWN):
        raise ValidationError(_("The bail fund was asked already for this case."))
    request = aid.ask_for_aid(
        fund=fund,
        by=by,
        amount=arrestee.bail_amount,
        purpose=Purpose.BAIL,
        details=details,
        pay_to=PayTo.CREDITOR,
        creditor_name=pay_to_name,
        creditor_details=pay_to_details,
    )
    arrestee.bail_request = request
    arrestee.save(update_fields=["bail_request"])
    audit.record("defense.bail_asked", actor=by, target=arrestee, request=request.public_id)
    return request
