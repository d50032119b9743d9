"""Telling members: a vote opened, a vote closes soon, a decision taken, a meeting called —
in the app, and by email to those with an address, each in their own language. Where the
network wants it (`Network.minimal_notices`), an email says only that there is news.

`tell()` runs in the caller's transaction only to schedule the work: the worker writes the
notices and sends the emails after the commit, so a rolled-back decision tells nobody."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from solnet.core import twoperson
from solnet.core.models import ApprovalRequest
from solnet.core.tasks import queue_mail
from solnet.democracy.models import Meeting, Notice, NoticeKind, Proposal
from solnet.members.models import Member, Tier
from solnet.network import times
from solnet.network.models import Network

BATCH = 500


def tell(
    kind: str,
    *,
    members: QuerySet[Member],
    proposal: Proposal | None = None,
    meeting: Meeting | None = None,
) -> None:
    ids = list(members.values_list("pk", flat=True))
    if not ids:
        return
    proposal_id = proposal.pk if proposal else None
    meeting_id = meeting.pk if meeting else None
    transaction.on_commit(lambda: send_notices(kind, ids, proposal_id, meeting_id))


def announce_approved(approval: ApprovalRequest) -> None:
    """Every completed two-person action is told to every organizer, in the app and by email
    (SECURITY.md: no single point of betrayal — the others see what was done)."""
    organizers = Member.objects.filter(
        is_active=True, status=Member.Status.ACTIVE, tier__gte=Tier.ORGANIZING_TEAM
    )
    ids = list(organizers.values_list("pk", flat=True))
    if ids:
        send_notices(NoticeKind.APPROVED, ids, None, None, approval.pk)


@db_task(retries=3, retry_delay=30)
def send_notices(
    kind: str,
    member_ids: list[int],
    proposal_id: int | None,
    meeting_id: int | None,
    approval_id: int | None = None,
) -> int:
    proposal = meeting = approval = None
    if proposal_id is not None:
        proposal = Proposal.objects.filter(pk=proposal_id).select_related("body").first()
    if meeting_id is not None:
        meeting = Meeting.objects.filter(pk=meeting_id).select_related("body").first()
    if approval_id is not None:
        approval = ApprovalRequest.objects.filter(pk=approval_id).first()
    if (proposal_id and proposal is None) or (meeting_id and meeting is None):
        return 0
    if approval_id and approval is None:
        return 0
    minimal = Network.objects.current().minimal_notices
    sent = 0
    for start in range(0, len(member_ids), BATCH):
        members = Member.objects.filter(pk__in=member_ids[start : start + BATCH])
        Notice.objects.bulk_create(
            Notice(member=m, kind=kind, proposal=proposal, meeting=meeting, approval=approval)
            for m in members
        )
        for member in members:
            if not member.email:
                continue
            language = member.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                if approval is not None:
                    subject, body = _approved_message(approval, minimal=minimal)
                else:
                    subject, body = _message(kind, proposal, meeting, minimal=minimal)
            queue_mail(to=member.email, subject=subject, body=body)
            sent += 1
    return sent


def _link(path: str) -> str:
    return settings.BASE_URL + path


def _message(
    kind: str, proposal: Proposal | None, meeting: Meeting | None, *, minimal: bool
) -> tuple[str, str]:
    body_name = str((proposal or meeting).body)  # type: ignore[union-attr]  # one of them is set
    if meeting is not None:
        link = _link(reverse("democracy:meeting", args=[meeting.public_id]))
        subject = _("A meeting is called: %(body)s") % {"body": body_name}
        detail = _("%(title)s, %(when)s.") % {
            "title": meeting.title,
            "when": times.moment(meeting.starts_at),
        }
    else:
        assert proposal is not None
        link = _link(reverse("democracy:proposal", args=[proposal.public_id]))
        subject = {
            NoticeKind.OPENED: _("A new vote in %(body)s"),
            NoticeKind.CLOSING: _("A vote in %(body)s closes soon"),
            NoticeKind.RESULT: _("A decision in %(body)s"),
        }[NoticeKind(kind)] % {"body": body_name}
        detail = proposal.display_title
        if kind == NoticeKind.RESULT:
            detail = _("%(title)s: %(result)s.") % {
                "title": proposal.display_title,
                "result": proposal.get_status_display(),
            }
    if minimal:
        text = _("There is news in %(body)s. Open SolNet to see it:") % {"body": body_name}
        return subject, f"{text}\n\n{link}\n"
    return subject, f"{detail}\n\n{link}\n"


def _approved_message(approval: ApprovalRequest, *, minimal: bool) -> tuple[str, str]:
    link = _link(reverse("democracy:notices"))
    subject = _("A dangerous action was approved")
    if minimal:
        return subject, f"{_('There is news. Open SolNet to see it:')}\n\n{link}\n"
    what = twoperson.describe(approval)
    by = _("by a decision") if approval.decision_ref else _("by a second member")
    return subject, f"{what} ({by}).\n\n{link}\n"


def unread(member: Member) -> QuerySet[Notice]:
    return Notice.objects.filter(member=member, read_at__isnull=True)
