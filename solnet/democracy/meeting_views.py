"""Pages of meetings, delegates, proxies and notices. Each view: access helper → form →
service → response (POST-redirect-GET)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import twoperson
from solnet.core.access import member_view
from solnet.democracy import access, forms, notices, services
from solnet.democracy.models import Ballot, MeetingStatus, Notice, Status
from solnet.democracy.views import PAGE_SIZE, add_errors
from solnet.members.models import Member


def _member_named(name: str, field: str) -> Member | None:
    name = (name or "").strip()
    if not name:
        return None
    member = Member.objects.filter(username=name).first()
    if member is None:
        raise ValidationError({field: _("Nobody has that sign-in name.")})
    return member


# --- meetings -------------------------------------------------------------------------------


@member_view(access.can_see_democracy)
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    show = "past" if request.GET.get("show") == "past" else "upcoming"
    meetings = access.visible_meetings(request.user)
    if show == "past":
        meetings = meetings.filter(status=MeetingStatus.CLOSED)
    else:
        meetings = meetings.upcoming().order_by("starts_at", "pk")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "democracy/meeting_list.html",
        {"page": page, "show": show, "query": f"show={show}"},
    )


@member_view()
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    if not access.can_propose(request.user, body):
        raise Http404
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.call_meeting(
                body=body,
                by=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                place=data["place"],
                facilitator=_member_named(data["facilitator"], "facilitator"),
                note_taker=_member_named(data["note_taker"], "note_taker"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The meeting is called; everyone with a vote is told."))
            return redirect("democracy:meeting", public_id=meeting.public_id)
    return render(
        request,
        "democracy/meeting_new.html",
        {"body": body, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _meeting_context(request: HttpRequest, meeting, **extra: Any) -> dict[str, Any]:
    member = request.user
    runs = access.can_run_meeting(member, meeting)
    attending = meeting.attendance.filter(member=member).first()
    agenda = list(meeting.agenda.select_related("proposal", "fight"))
    speakers = services.speakers_in_order(meeting)
    speaking = (
        meeting.speakers.filter(spoke_at__isnull=False)
        .select_related("member")
        .order_by("-spoke_at")
        .first()
    )
    proposals = meeting.body.proposals.filter(status__in=[Status.DISCUSSION, Status.VOTING])
    from solnet.fights import access as fight_access

    fights = fight_access.visible_fights(member).order_by("-updated_at")[:50] if runs else []
    context: dict[str, Any] = {
        "meeting": meeting,
        "runs": runs,
        "writes_minutes": runs or meeting.note_taker_id == member.pk,
        "may_attend": access.electorate_of(meeting.body).filter(pk=member.pk).exists(),
        "attending": attending,
        "attendance": meeting.attendance.select_related("member").order_by("member__display_name"),
        "agenda": [
            {
                "item": item,
                "can_close": item.proposal is not None
                and item.proposal.status == Status.VOTING
                and meeting.facilitator_id == member.pk,
                "notes_form": forms.ItemNotesForm(initial={"notes": item.notes or ""}),
            }
            for item in agenda
        ],
        "speakers": speakers,
        "speaking": speaking,
        "hand_up": any(s.member_id == member.pk for s in speakers),
        "attend_form": forms.AttendForm(initial={"mode": "in_person"}),
        "item_form": forms.AgendaItemForm(proposals=proposals[:50], fights=fights),
        "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes or ""}),
        "roles_form": forms.RolesForm(
            initial={
                "facilitator": meeting.facilitator.username if meeting.facilitator else "",
                "note_taker": meeting.note_taker.username if meeting.note_taker else "",
            }
        ),
    }
    context.update(extra)
    return context


def _meeting_page(request: HttpRequest, meeting, *, status: int = 200, **extra: Any):
    return render(
        request,
        "democracy/meeting.html",
        _meeting_context(request, meeting, **extra),
        status=status,
    )


def _back(meeting) -> HttpResponse:
    return redirect("democracy:meeting", public_id=meeting.public_id)


@member_view()
@require_GET
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _meeting_page(request, access.get_meeting_or_404(request.user, public_id))


def _running(request: HttpRequest, public_id: str):
    meeting = access.get_meeting_or_404(request.user, public_id)
    if not access.can_run_meeting(request.user, meeting):
        raise Http404
    return meeting


@member_view()
@require_POST
def meeting_open(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _running(request, public_id)
    try:
        services.open_meeting(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(meeting)


@member_view()
@require_POST
def meeting_close(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _running(request, public_id)
    try:
        services.close_meeting(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(meeting)


@member_view()
@require_POST
def meeting_roles(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _running(request, public_id)
    form = forms.RolesForm(request.POST)
    if form.is_valid():
        try:
            services.set_roles(
                meeting=meeting,
                by=request.user,
                facilitator=_member_named(form.cleaned_data["facilitator"], "facilitator"),
                note_taker=_member_named(form.cleaned_data["note_taker"], "note_taker"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The roles are set."))
            return _back(meeting)
    return _meeting_page(request, meeting, roles_form=form, status=422)


@member_view()
@require_POST
def meeting_attend(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = access.get_meeting_or_404(request.user, public_id)
    form = forms.AttendForm(request.POST)
    if form.is_valid():
        try:
            member = _member_named(form.cleaned_data["username"], "username") or request.user
            services.attend(
                meeting=meeting, member=member, mode=form.cleaned_data["mode"], by=request.user
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _back(meeting)
    return _meeting_page(request, meeting, attend_form=form, status=422)


@member_view()
@require_POST
def meeting_speak(request: HttpRequest, public_id: str) -> HttpResponse:
    """A hand up on the speakers' list, or taken down (`withdraw`)."""
    meeting = access.get_meeting_or_404(request.user, public_id)
    try:
        if request.POST.get("withdraw"):
            services.withdraw_from_list(meeting=meeting, member=request.user)
        else:
            services.ask_to_speak(meeting=meeting, member=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(meeting)


@member_view()
@require_POST
def meeting_next(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _running(request, public_id)
    turn = services.next_speaker(meeting=meeting, by=request.user)
    if turn is None:
        messages.info(request, _("Nobody is waiting to speak."))
    else:
        messages.success(request, _("%(name)s has the floor.") % {"name": turn.member.display_name})
    return _back(meeting)


@member_view()
@require_POST
def meeting_item_add(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _running(request, public_id)
    from solnet.fights import access as fight_access

    proposals = meeting.body.proposals.all()
    fights = fight_access.visible_fights(request.user)
    form = forms.AgendaItemForm(
        request.POST,
        proposals=proposals.filter(public_id=request.POST.get("proposal", "")),
        fights=fights.filter(public_id=request.POST.get("fight", "")),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_agenda_item(
                meeting=meeting,
                by=request.user,
                title=data["title"],
                kind=data["kind"],
                proposal=proposals.filter(public_id=data["proposal"]).first()
                if data["proposal"]
                else None,
                fight=fights.filter(public_id=data["fight"]).first() if data["fight"] else None,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _back(meeting)
    return _meeting_page(request, meeting, item_form=form, status=422)


@member_view()
@require_POST
def meeting_item_done(request: HttpRequest, public_id: str, item_id: str) -> HttpResponse:
    meeting = access.get_meeting_or_404(request.user, public_id)
    item = meeting.agenda.filter(public_id=item_id).first()
    if item is None:
        raise Http404
    form = forms.ItemNotesForm(request.POST)
    if form.is_valid():
        try:
            services.finish_agenda_item(
                item=item, by=request.user, notes=form.cleaned_data["notes"]
            )
        except PermissionDenied:
            raise Http404 from None
        return _back(meeting)
    return _meeting_page(request, meeting, status=422)


@member_view()
@require_POST
def meeting_minutes(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = access.get_meeting_or_404(request.user, public_id)
    form = forms.MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.save_minutes(
                meeting=meeting, by=request.user, minutes=form.cleaned_data["minutes"]
            )
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("The minutes are saved."))
        return _back(meeting)
    return _meeting_page(request, meeting, minutes_form=form, status=422)


# --- delegates and proxies ------------------------------------------------------------------


@member_view()
@require_GET
def delegate_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    delegate = access.get_delegate_or_404(request.user, public_id)
    votes = Paginator(delegate.reported_votes.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    ballots = []
    if delegate.to_body_id:
        # Their open ballots in the body they sit in, as that body's members see them.
        ballots = list(
            Ballot.objects.filter(
                voter=delegate.member, proposal__body_id=delegate.to_body_id
            ).select_related("proposal")[:PAGE_SIZE]
        )
    return render(
        request,
        "democracy/delegate.html",
        {
            "delegate": delegate,
            "votes": votes,
            "ballots": ballots,
            "is_delegate": delegate.member_id == request.user.pk,
            "can_recall": access.can_propose(request.user, delegate.body) and delegate.serving,
            "form": forms.DelegateVoteForm(initial={"voted_on": timezone.localdate()}),
        },
    )


@member_view()
@require_POST
def delegate_report(request: HttpRequest, public_id: str) -> HttpResponse:
    delegate = access.get_delegate_or_404(request.user, public_id)
    if delegate.member_id != request.user.pk:
        raise Http404
    form = forms.DelegateVoteForm(request.POST)
    if form.is_valid():
        try:
            services.report_delegate_vote(delegate=delegate, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your vote is reported to the body that sent you."))
            return redirect("democracy:delegate", public_id=delegate.public_id)
    votes = Paginator(delegate.reported_votes.all(), PAGE_SIZE).get_page(1)
    return render(
        request,
        "democracy/delegate.html",
        {"delegate": delegate, "votes": votes, "ballots": [], "is_delegate": True, "form": form},
        status=422,
    )


@member_view()
@require_POST
def proxy_give(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    form = forms.ProxyForm(request.POST)
    if form.is_valid():
        try:
            holder = _member_named(form.cleaned_data["username"], "username")
            assert holder is not None  # the field is required
            services.give_proxy(body=body, giver=request.user, holder=holder)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(name)s now votes for you here.") % {"name": holder.display_name}
            )
    else:
        messages.error(request, _("Give a sign-in name."))
    return redirect("democracy:body", public_id=body.public_id)


@member_view()
@require_POST
def proxy_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    if services.revoke_proxy(body=body, giver=request.user):
        messages.success(request, _("You vote for yourself again."))
    return redirect("democracy:body", public_id=body.public_id)


# --- notices --------------------------------------------------------------------------------


@member_view()
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        Notice.objects.filter(member=request.user).select_related(
            "proposal__body", "meeting__body", "approval"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for notice in page:
        if notice.approval is not None:
            notice.approval_text = twoperson.describe(notice.approval)  # type: ignore[attr-defined]
    return render(request, "democracy/notices.html", {"page": page})


@member_view()
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    notices.unread(request.user).update(read_at=timezone.now())
    return redirect("democracy:notices")
