"""Pages of the fights app. Each view: access helper → form → service → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit, public_forms, sealed, uploads
from solnet.core.access import member_view
from solnet.core.middleware import UPLOADED_FILE_POLICY
from solnet.fights import (
    access,
    escalation,
    evidence,
    outcomes,
    services,
    stages,
    winnability,
)
from solnet.fights.forms import (
    EvidenceForm,
    FightBackForm,
    FightTargetForm,
    FollowUpForm,
    IntakeForm,
    LeadForm,
    LeadUpdateForm,
    MoveForm,
    TakeLeadForm,
    TeamAddForm,
)
from solnet.fights.models import LeadStatus
from solnet.members.access import is_member
from solnet.members.models import Member, Tier

PAGE_SIZE = 50


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


# --- the public page -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def fight_back(request: HttpRequest) -> HttpResponse:
    """Public, no JavaScript needed; spam held back by `solnet.core.public_forms`."""
    form = FightBackForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method != "POST":
        return render(request, "fights/fight_back.html", {"form": form})
    verdict = public_forms.screen(
        request, form, scope="fight-back", per_hour=request.network.public_forms_per_hour
    )
    if verdict is public_forms.Verdict.ACCEPT:
        data = form.cleaned_data
        services.submit_lead(
            display_name=data["display_name"],
            contact_kind=data["contact_kind"],
            contact=data["contact"],
            language=data["language"],
            issue_type=data["issue_type"],
            story=data["story"],
            heard_from=data["heard_from"],
        )
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return redirect("fight_back_thanks")
    return render(request, "fights/fight_back.html", {"form": form}, status=verdict.value)


@require_GET
def fight_back_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "fights/fight_back_thanks.html")


# --- leads ---------------------------------------------------------------------------------


@member_view(access.can_handle_leads)
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    leads = access.visible_leads(request.user).select_related("callback_owner")
    if show == "mine":
        leads = leads.filter(callback_owner=request.user, status__in=_open())
    elif show != "all":
        show = "open"
        leads = leads.filter(status__in=_open())
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fights/lead_list.html",
        {"page": page, "show": show, "query": f"show={show}"},
    )


def _open() -> list[str]:
    return [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INTAKE]


@member_view(access.can_handle_leads)
@require_http_methods(["GET", "POST"])
def lead_new(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        lead = services.record_lead(by=request.user, **form.cleaned_data)
        messages.success(request, _("The lead is recorded. You are down to call back."))
        return redirect("fights:lead", public_id=lead.public_id)
    return render(request, "fights/lead_new.html", {"form": form}, status=_status(request))


def _callers():
    return Member.objects.filter(
        is_active=True, status=Member.Status.ACTIVE, tier__gte=Tier.ORGANIZING_TEAM
    ).order_by("display_name")


@member_view(access.can_handle_leads)
@require_http_methods(["GET", "POST"])
def lead_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    lead = access.get_lead_or_404(request.user, public_id)
    form = LeadUpdateForm(
        request.POST or None,
        callers=_callers(),
        initial={
            "status": lead.status,
            "callback_owner": lead.callback_owner.public_id if lead.callback_owner else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_lead(lead=lead, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("fights:lead", public_id=lead.public_id)
    return render(
        request,
        "fights/lead_detail.html",
        {"lead": lead, "form": form, "take_form": TakeLeadForm()},
        status=_status(request),
    )


@member_view(access.can_handle_leads)
@require_POST
def lead_take(request: HttpRequest, public_id: str) -> HttpResponse:
    lead = access.get_lead_or_404(request.user, public_id)
    form = TakeLeadForm(request.POST)
    if form.is_valid():
        try:
            fight = services.take_lead(lead=lead, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Intake has begun. You are the fight's point person."))
            return redirect("fights:detail", public_id=fight.public_id)
    update = LeadUpdateForm(callers=_callers(), initial={"status": lead.status})
    return render(
        request,
        "fights/lead_detail.html",
        {"lead": lead, "form": update, "take_form": form},
        status=422,
    )


# --- fights --------------------------------------------------------------------------------


@member_view(access.can_see_fights)
@require_GET
def fight_list(request: HttpRequest) -> HttpResponse:
    """The board: each fight's name and stage; a link where the viewer may open it."""
    show = "closed" if request.GET.get("show") == "closed" else "open"
    fights = access.visible_fights(request.user)
    fights = (
        fights.exclude(stage__in=stages.CLOSED)
        if show == "open"
        else fights.filter(stage__in=stages.CLOSED)
    )
    page = Paginator(fights.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    mine = set(access.team_fights(request.user).values_list("pk", flat=True)) | set(
        access.subject_fights(request.user).values_list("pk", flat=True)
    )
    return render(
        request,
        "fights/fight_list.html",
        {
            "page": page,
            "mine": mine,
            "show": show,
            "query": f"show={show}",
            "can_dashboard": is_member(request.user),
            "can_research": access.can_research(request.user),
            "can_edit_sheet": access.can_edit_sheet(request.user),
        },
    )


@member_view()
@require_GET
def fight_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    fight, role = access.get_fight_or_404(request.user, public_id)
    moves = stages.moves_from(fight.stage)
    subject_topics, team_topics = services.subject_topics(), services.team_topics()
    offered = [
        {
            "target": move.target,
            "label": stages.Stage(move.target).label,
            "subjects": stages.is_subjects(move.topic, subject_topics),
            "teams": stages.is_teams(move.topic, subject_topics, team_topics),
            "needs_vote": move.topic is not None
            and not stages.is_subjects(move.topic, subject_topics)
            and not stages.is_teams(move.topic, subject_topics, team_topics),
        }
        for move in moves
    ]
    if role == "subject":  # a subject moves only where the decision is theirs
        offered = [m for m in offered if m["subjects"]]
    return render(
        request,
        "fights/fight_detail.html",
        {
            "fight": fight,
            "role": role,
            "offered": offered,
            "team": fight.team.select_related("member"),
            "subjects": fight.subjects.select_related("person"),
            "history": fight.moves.select_related("decision", "moved_by"),
            "team_form": TeamAddForm(),
            "evidence": fight.evidence.all() if role == "team" else [],
            "evidence_form": EvidenceForm(),
            "targets": fight.targets.all(),
            "target_form": FightTargetForm(),
            **_sheet_context(fight),
            "timeline": escalation.timeline(
                list(fight.plan.select_related("tactic")), today=timezone.localdate()
            )
            if role == "team"
            else None,
            "closed": stages.is_closed(fight.stage),
            "came_back": outcomes.subjects_came_back(fight),
            "follow_ups": fight.follow_ups.select_related("assigned_to"),
            "follow_up_form": FollowUpForm(fight=fight),
        },
    )


def _sheet_context(fight) -> dict:
    last = winnability.latest(fight)
    return {
        "assessment": last,
        "advice": winnability.advice_of(last) if last else None,
        "reassess": winnability.needs_reassessment(fight),
    }


@member_view()
@require_http_methods(["GET", "POST"])
def fight_intake(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = IntakeForm(
        request.POST or None,
        initial={
            "title": fight.title,
            "issue_type": fight.issue_type,
            "language": fight.language,
            "facts": fight.facts,
            "goals": fight.goals,
            "pod": fight.pod,
            "risks": fight.risks,
            "amount_claimed": fight.amount_claimed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_intake(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Intake saved."))
            return redirect("fights:detail", public_id=fight.public_id)
    return render(
        request, "fights/fight_intake.html", {"fight": fight, "form": form}, status=_status(request)
    )


@member_view()
@require_http_methods(["GET", "POST"])
def fight_move(request: HttpRequest, public_id: str) -> HttpResponse:
    """One move on, with the decision it needs. The subject's word is given here; a meeting's
    decision is not: the page offers to put the move to the vote and lists the proposals
    already carrying it, and a post is refused."""
    fight, role = access.get_fight_or_404(request.user, public_id)
    target = request.POST.get("target") or request.GET.get("to", "")
    edge = stages.move(fight.stage, target)
    if edge is None:
        raise Http404
    subjects = stages.is_subjects(edge.topic, services.subject_topics())
    if role == "subject" and not subjects:
        raise Http404
    teams = stages.is_teams(edge.topic, services.subject_topics(), services.team_topics())
    if teams and role != "team":
        raise Http404
    needs_vote = edge.topic is not None and not subjects and not teams
    form = MoveForm(request.POST or None, initial={"target": edge.target.value})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_fight(
                fight=fight, target=target, by=request.user, note=form.cleaned_data["motion"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("The fight is now at “%(stage)s”.") % {"stage": stages.Stage(target).label},
            )
            return redirect("fights:detail", public_id=fight.public_id)
    return render(
        request,
        "fights/fight_move.html",
        {
            "fight": fight,
            "form": form,
            "target": edge.target.value,
            "target_label": stages.Stage(edge.target).label,
            "topic_label": stages.Topic(edge.topic).label if edge.topic else "",
            "needs_vote": needs_vote,
            "subjects": subjects,
            "teams": teams,
            "role": role,
            "proposals": _proposals_moving(fight, edge.target) if needs_vote else [],
            "show_advice": edge.topic == stages.Topic.TAKE_ON,
            **(_sheet_context(fight) if edge.topic == stages.Topic.TAKE_ON else {}),
        },
        status=_status(request),
    )


def _proposals_moving(fight, target: str) -> list:
    """The fight's proposals still being decided (under discussion or voting) that would make
    this move. Read through the reverse relation, by status strings: fights does not import
    `democracy`, which builds on it."""
    return list(
        fight.proposals.filter(
            status__in=["discussion", "voting"],
            effects__kind="fight.move",
            effects__params__to=target,
        )
        .select_related("body")
        .distinct()
    )


@member_view()
@require_POST
def team_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = TeamAddForm(request.POST)
    if form.is_valid():
        member = Member.objects.filter(username=form.cleaned_data["username"]).first()
        try:
            if member is None:
                raise ValidationError(_("No member has that sign-in name."))
            services.add_to_team(fight=fight, member=member, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s joined the team.") % {"name": member})
    else:
        messages.error(request, _("Give a sign-in name."))
    return redirect("fights:detail", public_id=fight.public_id)


@member_view()
@require_POST
def team_remove(request: HttpRequest, public_id: str, member_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    seat = fight.team.filter(member__public_id=member_id).select_related("member").first()
    if seat is None:
        raise Http404
    try:
        services.remove_from_team(fight=fight, member=seat.member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s left the team.") % {"name": seat.member})
    return redirect("fights:detail", public_id=fight.public_id)


@member_view()
@require_POST
def point_person(request: HttpRequest, public_id: str, member_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    seat = fight.team.filter(member__public_id=member_id).select_related("member").first()
    if seat is None:
        raise Http404
    services.make_point_person(fight=fight, member=seat.member, by=request.user)
    messages.success(request, _("%(name)s is the point person.") % {"name": seat.member})
    return redirect("fights:detail", public_id=fight.public_id)


# --- the evidence vault --------------------------------------------------------------------


@member_view()
@require_POST
@csrf_exempt  # the upload handler must be set before the body is read; checked just below
def evidence_add(request: HttpRequest, public_id: str) -> HttpResponse:
    handler = uploads.install(request, max_bytes=evidence.MAX_BYTES)
    return _evidence_add(request, public_id, handler)


@csrf_protect
def _evidence_add(
    request: HttpRequest, public_id: str, handler: uploads.MemoryOnlyUpload
) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    if uploads.body_too_big(request, max_bytes=evidence.MAX_BYTES):
        form = EvidenceForm({}, {})
        form.full_clean()
        form.errors["file"] = form.error_class([evidence.too_big_message()])
    else:
        form = EvidenceForm(request.POST, request.FILES)
        if handler.too_big:
            form.full_clean()
            form.errors["file"] = form.error_class([evidence.too_big_message()])
        elif form.is_valid():
            try:
                services.add_evidence(
                    fight=fight,
                    data=form.cleaned_data["file"].read(),
                    label=form.cleaned_data["label"],
                    by=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                else:
                    form.add_error("file", error)
            else:
                messages.success(request, _("The evidence is sealed in the vault."))
                return redirect("fights:detail", public_id=fight.public_id)
    return render(request, "fights/evidence_add.html", {"fight": fight, "form": form}, status=422)


@member_view()
@require_GET
def evidence_download(request: HttpRequest, public_id: str, evidence_id: str) -> HttpResponse:
    item = access.get_evidence_or_404(request.user, public_id, evidence_id)
    if not sealed.downloadable(item.file):
        raise Http404
    chunks = sealed.read_chunks(item.file)
    audit.record(
        "fight.evidence_downloaded", actor=request.user, target=item.fight, evidence=evidence_id
    )
    response = StreamingHttpResponse(chunks, content_type=item.content_type)
    # The name comes from the encrypted label: the sealed file's row keeps a random one.
    response["Content-Disposition"] = content_disposition_header(
        True, evidence.download_name(item.label, item.content_type)
    )
    response["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    return response


@member_view()
@require_POST
def evidence_delete(request: HttpRequest, public_id: str, evidence_id: str) -> HttpResponse:
    item = access.get_evidence_or_404(request.user, public_id, evidence_id)
    services.delete_evidence(item=item, by=request.user)
    messages.success(request, _("The evidence is deleted."))
    return redirect("fights:detail", public_id=public_id)
