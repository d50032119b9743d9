"""API operations on councils, their rosters and support assessments, under the same access
rules as the pages: a council's members see it and its roster; only its organizing team and the
network's organizers see or make assessments; contact details as on the roster page.

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.councils import access, charting, services
from solnet.councils.models import Council, CouncilMembership
from solnet.members.models import ApiScope
from solnet.network.models import Network

router = Router(tags=["councils"])


class SectionOut(Schema):
    public_id: str
    kind: str
    name: str


class SiteOut(Schema):
    public_id: str
    kind: str
    name: str
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())


class CommitteeOut(Schema):
    public_id: str
    name: str
    purpose: str


class CouncilOut(Schema):
    public_id: str
    name: str
    kind: str


class CouncilDetailOut(CouncilOut):
    sites: list[SiteOut]
    committees: list[CommitteeOut]

    @staticmethod
    def resolve_sites(obj: Council) -> list:
        return list(obj.sites.prefetch_related("sections"))

    @staticmethod
    def resolve_committees(obj: Council) -> list:
        return list(obj.committees.all())


class ChannelOut(Schema):
    kind: str
    value: str


class MembershipOut(Schema):
    person_id: str
    display_name: str
    role: str
    site_id: str | None
    section_id: str | None
    shift_id: str | None
    contacts: list[ChannelOut]

    @staticmethod
    def resolve_person_id(obj: CouncilMembership) -> str:
        return obj.person.public_id

    @staticmethod
    def resolve_display_name(obj: CouncilMembership) -> str:
        return obj.person.display_name

    @staticmethod
    def resolve_site_id(obj: CouncilMembership) -> str | None:
        return obj.site.public_id if obj.site else None

    @staticmethod
    def resolve_section_id(obj: CouncilMembership) -> str | None:
        return obj.section.public_id if obj.section else None

    @staticmethod
    def resolve_shift_id(obj: CouncilMembership) -> str | None:
        return obj.shift.public_id if obj.shift else None

    @staticmethod
    def resolve_contacts(obj: CouncilMembership, context) -> list[dict]:
        viewer = context["request"].api_member
        return [
            {"kind": c.kind, "value": c.value}
            for c in access.roster_contacts(viewer, obj.council, obj.person)
        ]


class AssessmentOut(Schema):
    person_id: str
    level: int = Field(description="1 (strongest support) to 5, on the network's scale")
    label: str = Field(description="The network's name for that step")
    assessed_at: datetime


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(max_length=24)
    level: int = Field(ge=1, le=5)


def _council(request: HttpRequest, public_id: str, scope: str) -> Council:
    return access.get_council_or_404(require_scope(request, scope), public_id)


def _charted_council(request: HttpRequest, public_id: str, scope: str) -> Council:
    council = _council(request, public_id, scope)
    if not access.can_chart(request.api_member, council):  # type: ignore[attr-defined]
        raise Http404
    return council


def _assessment_out(assessment, labels: list[str]) -> dict:
    return {
        "person_id": assessment.person.public_id,
        "level": assessment.score,
        "label": labels[assessment.score - 1],
        "assessed_at": assessment.assessed_at,
    }


NOT_FOUND = {404: ErrorOut}


@router.get("", response={200: list[CouncilOut], **ERRORS}, summary="Councils I can see")
@paginate(Pagination)
def list_councils(request: HttpRequest):
    return access.visible_councils(require_scope(request, ApiScope.COUNCILS_READ))


@router.get(
    "/{public_id}",
    response={200: CouncilDetailOut, **NOT_FOUND, **ERRORS},
    summary="A council, its sites and committees",
)
def get_council(request: HttpRequest, public_id: str):
    return _council(request, public_id, ApiScope.COUNCILS_READ)


@router.get(
    "/{public_id}/members",
    response={200: list[MembershipOut], **NOT_FOUND, **ERRORS},
    summary="A council's roster",
)
@paginate(Pagination)
def list_members(request: HttpRequest, public_id: str):
    council = _council(request, public_id, ApiScope.COUNCILS_READ)
    return council.memberships.select_related(
        "council", "person__member", "site", "section", "shift"
    ).prefetch_related("person__channels")


@router.get(
    "/{public_id}/assessments",
    response={200: list[AssessmentOut], **NOT_FOUND, **ERRORS},
    summary="The latest support assessment of each assessed member",
)
@paginate(Pagination)
def list_assessments(request: HttpRequest, public_id: str):
    council = _charted_council(request, public_id, ApiScope.COUNCILS_READ)
    labels = Network.objects.current().scale_labels()
    people = council.memberships.values_list("person_id", flat=True)
    latest = charting.latest_assessments(council, people)
    ordered = sorted(latest.values(), key=lambda a: (a.person.display_name, a.person_id))
    return [_assessment_out(a, labels) for a in ordered]


@router.post(
    "/{public_id}/assessments",
    response={201: AssessmentOut, 422: ErrorOut, **NOT_FOUND, **ERRORS},
    summary="Record a support assessment",
)
def create_assessment(request: HttpRequest, public_id: str, payload: AssessmentIn):
    council = _charted_council(request, public_id, ApiScope.COUNCILS_ASSESS)
    membership = council.memberships.filter(person__public_id=payload.person_id).first()
    if membership is None:
        raise HttpError(422, "That person is not a member of this council.")
    try:
        assessment = services.assess(
            membership=membership,
            level=payload.level,
            by=request.api_member,  # type: ignore[attr-defined]
        )
    except PermissionDenied:
        raise Http404 from None
    return 201, _assessment_out(assessment, Network.objects.current().scale_labels())
