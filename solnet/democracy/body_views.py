"""Pages of bodies: the decisions index, a body and its rules, making a proposal (with what it
does when it passes). Each view: access helper → form → service → response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core import twoperson
from solnet.core.access import member_view
from solnet.core.models import ApprovalRequest
from solnet.democracy import access, effects, forms, notices, services, titles
from solnet.democracy.models import (
    MOTION_METHODS,
    Body,
    BodyKind,
    EffectKind,
    Method,
    Proxy,
    Status,
)
from solnet.democracy.views import PAGE_SIZE, add_errors, status_of
from solnet.members.models import Member

# --- bodies and lists ---------------------------------------------------------------------

# What a body's name is read from (`Body.__str__`), for lists that name the body of each row.
BODY_NAMES = ("body__council", "body__fight", "body__committee")


@member_view(access.can_see_democracy)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    Body.objects.general()
    show = "decided" if request.GET.get("show") == "decided" else "open"
    proposals = access.visible_proposals(request.user)
    if show == "decided":
        proposals = proposals.filter(status__in=[Status.PASSED, Status.FAILED])
        proposals = proposals.order_by("-closed_at", "-pk")
    else:
        proposals = proposals.open()
    # Each line names its body, which is named after its council, fight or committee.
    proposals = proposals.select_related(*BODY_NAMES)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    bodies = access.visible_bodies(request.user).select_related("council", "fight", "committee")
    return render(
        request,
        "democracy/index.html",
        {
            "page": page,
            "show": show,
            "query": f"show={show}",
            "bodies": Paginator(bodies, PAGE_SIZE).get_page(request.GET.get("bodies")),
            "unread": notices.unread(request.user).count(),
            "meetings": access.visible_meetings(request.user)
            .upcoming()
            .select_related(*BODY_NAMES)
            .order_by("starts_at")[:5],
        },
    )


@member_view()
@require_GET
def body_of(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    """The body of a council, committee or fight the member may see (made when first
    needed), then its page."""
    from solnet.councils import access as council_access
    from solnet.fights import access as fight_access

    member = request.user
    if kind == BodyKind.COUNCIL:
        council = council_access.get_council_or_404(member, public_id)
        body = services.body_of_council(council)
    elif kind == BodyKind.FIGHT:
        fight, _role = fight_access.get_fight_or_404(member, public_id)
        body = services.body_of_fight(fight)
    elif kind == BodyKind.COMMITTEE:
        from solnet.councils.models import Committee

        committee = Committee.objects.filter(
            public_id=public_id, council__in=council_access.visible_councils(member)
        ).first()
        if committee is None:
            raise Http404
        body = services.body_of_committee(committee)
    else:
        raise Http404
    # The body's own page decides who sees it (a committee: its members and organizers).
    access.get_body_or_404(member, body.public_id)
    return redirect("democracy:body", public_id=body.public_id)


@member_view()
@require_GET
def put_move(request: HttpRequest, public_id: str, target: str) -> HttpResponse:
    """From a fight's page: put one of its moves to the general meeting's vote, or to the
    fight's own people (`?to=fight`)."""
    from urllib.parse import urlencode

    from solnet.fights import access as fight_access

    fight, _role = fight_access.get_fight_or_404(request.user, public_id)
    if request.GET.get("to") == "fight":
        body = services.body_of_fight(fight)
    else:
        body = Body.objects.general()
    query = urlencode({"fight": fight.public_id, "to": target})
    return redirect(f"{reverse('democracy:propose', args=[body.public_id])}?{query}")


@member_view()
@require_GET
def body_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    proposals = body.proposals.select_related("fight")
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "democracy/body.html",
        {
            "body": body,
            "page": page,
            "can_propose": access.can_propose(request.user, body),
            "voters": access.electorate_of(body).count(),
            "meetings": body.meetings.upcoming().order_by("starts_at")[:10],
            "delegates": body.delegates.serving().select_related("member")[:PAGE_SIZE],
            "proxy": Proxy.objects.filter(body=body, giver=request.user, revoked_at__isnull=True)
            .select_related("holder")
            .first(),
            "proxy_form": forms.ProxyForm(),
        },
    )


# --- proposing ----------------------------------------------------------------------------


def _wanted_effect(form) -> services.EffectRequest | None:
    data = form.cleaned_data
    if data.get("effect_fight"):
        return services.EffectRequest(
            EffectKind.MOVE_FIGHT, {"fight": data["effect_fight"], "to": data["effect_to"]}
        )
    if data.get("effect_delegate"):
        return services.EffectRequest(
            EffectKind.RECALL_DELEGATE, {"delegate": data["effect_delegate"]}
        )
    kind = data.get("effect")
    if not kind:
        return None
    if kind == EffectKind.APPROVE_REQUEST:
        return services.EffectRequest(kind, {"approval": data.get("effect_approval", "")})
    if kind == EffectKind.ELECT_DELEGATES:
        term = data.get("effect_term_ends")
        return services.EffectRequest(
            kind,
            {
                "assembly": data.get("effect_assembly", ""),
                "term_ends": term.isoformat() if term else "",
                "to_body": data.get("effect_to_body", ""),
            },
        )
    if kind == EffectKind.NETWORK_RULES:
        return services.EffectRequest(
            kind,
            {
                "subject_decisions": data.get("net_subject_decisions") or [],
                "team_decisions": data.get("net_team_decisions") or [],
            },
        )
    if kind == EffectKind.BODY_RULES:
        rules = {
            "voter_tier": data.get("rule_voter_tier"),
            "quorum_percent": data.get("rule_quorum_percent"),
            "quorum_minimum": data.get("rule_quorum_minimum"),
            "newcomers_wait": bool(data.get("rule_newcomers_wait")),
            "default_method": data.get("rule_default_method"),
            "threshold": data.get("rule_threshold"),
            "notice_hours": data.get("rule_notice_hours"),
        }
        return services.EffectRequest(kind, {"rules": rules})
    member = Member.objects.filter(username=data.get("effect_member", "").strip()).first()
    params: dict[str, Any] = {"member": member.public_id if member else ""}
    if kind == EffectKind.SET_TIER:
        params["tier"] = data.get("effect_tier")
    if kind in (EffectKind.GRANT_ROLE, EffectKind.REVOKE_ROLE):
        params["role"] = data.get("effect_role")
    return services.EffectRequest(kind, params)


def _initial(request: HttpRequest, body: Body) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "method": body.default_method,
        "seats": 1,
        "max_score": 5,
        "threshold": f"{body.threshold_num}/{body.threshold_den}",
        "rule_voter_tier": body.voter_tier,
        "rule_quorum_percent": body.quorum_percent,
        "rule_quorum_minimum": body.quorum_minimum,
        "rule_newcomers_wait": body.newcomers_wait,
        "rule_default_method": body.default_method,
        "rule_threshold": f"{body.threshold_num}/{body.threshold_den}",
        "rule_notice_hours": body.notice_hours,
        "net_subject_decisions": request.network.subject_decisions,
        "net_team_decisions": request.network.team_decisions,
    }
    if request.GET.get("effect") in (EffectKind.NETWORK_RULES, EffectKind.BODY_RULES):
        initial["effect"] = request.GET["effect"]
    if request.GET.get("recall"):
        initial["effect_delegate"] = request.GET["recall"][:24]
    if request.GET.get("fight"):
        initial["effect_fight"] = request.GET["fight"][:24]
        initial["effect_to"] = request.GET.get("to", "")[:20]
        if initial["method"] not in (Method.MAJORITY, Method.SUPERMAJORITY):
            initial["method"] = Method.MAJORITY
    return initial


@member_view()
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, public_id: str) -> HttpResponse:
    body = access.get_body_or_404(request.user, public_id)
    form = forms.ProposalForm(request.POST or None, initial=_initial(request, body))
    form.fields["effect_approval"].choices = [("", "—")] + [
        (approval.public_id, twoperson.describe(approval))
        for approval in ApprovalRequest.objects.filter(
            status=ApprovalRequest.Status.PENDING, expires_at__gt=timezone.now()
        ).order_by("-pk")[:PAGE_SIZE]
    ]
    form.fields["effect_to_body"].choices = [("", "—")] + [
        (other.public_id, str(other))
        for other in access.visible_bodies(request.user)
        .exclude(pk=body.pk)
        .select_related("council", "fight", "committee")[:PAGE_SIZE]
    ]
    fight_move = ""
    # The title the app fills in, and what it is made of (`democracy.titles`).
    written: tuple[str, dict] = ("", {})
    fight_params = request.POST if request.method == "POST" else request.GET
    if fight_params.get("effect_fight") or fight_params.get("fight"):
        try:
            prepared = effects.prepare(
                EffectKind.MOVE_FIGHT,
                {
                    "fight": fight_params.get("effect_fight") or fight_params.get("fight"),
                    "to": fight_params.get("effect_to") or fight_params.get("to"),
                },
                body=body,
                by=request.user,
            )
        except ValidationError:
            raise Http404 from None
        fight_move = effects.describe(EffectKind.MOVE_FIGHT, prepared.params)
        written = (titles.MOVE_FIGHT, prepared.params)
    elif not access.can_propose(request.user, body):
        raise Http404
    recall = ""
    recalled = fight_params.get("effect_delegate") or fight_params.get("recall")
    if recalled:
        try:
            prepared = effects.prepare(
                EffectKind.RECALL_DELEGATE, {"delegate": recalled}, body=body, by=request.user
            )
        except ValidationError:
            raise Http404 from None
        recall = effects.describe(EffectKind.RECALL_DELEGATE, prepared.params)
        if not fight_move:
            written = (titles.RECALL, prepared.params)
    if fight_move or recall:
        # A decision that does something is a yes-or-no question.
        form.fields["method"].choices = [
            (m.value, m.label) for m in Method if m.value in MOTION_METHODS
        ]
        form.initial.setdefault("title", fight_move or recall)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wanted = _wanted_effect(form)
        # A title left as the app filled it in reads in each reader's language.
        kept = bool(written[0]) and data["title"].strip() == (fight_move or recall)
        try:
            proposal = services.propose(
                body=body,
                by=request.user,
                title=data["title"],
                title_key=written[0] if kept else "",
                title_params=written[1] if kept else None,
                text=data["text"],
                method=data["method"],
                threshold=data["threshold"],
                seats=data["seats"],
                max_score=data["max_score"] or 5,
                secret=data["secret"],
                options=form.option_labels(),
                effects_wanted=[wanted] if wanted else [],
                closes_at=data["closes_at"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The proposal is up."))
            return redirect("democracy:proposal", public_id=proposal.public_id)
    return render(
        request,
        "democracy/propose.html",
        {
            "body": body,
            "form": form,
            "fight_move": fight_move,
            "recall": recall,
            "general": body.kind == BodyKind.GENERAL,
        },
        status=status_of(request),
    )
