"""API operations on people, under the same access rules as the pages.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.members.models import ApiScope, Tier
from solnet.people import access
from solnet.people.models import Person, Tag

router = Router(tags=["people"])


class ChannelOut(Schema):
    kind: str
    value: str
    usable: bool


class PersonOut(Schema):
    public_id: str
    display_name: str
    tier: int
    languages: list[str]
    interpreter_needed: bool
    tags: list[str]
    channels: list[ChannelOut]

    @staticmethod
    def resolve_tags(obj: Person) -> list[str]:
        return [tag.name for tag in obj.shown_tags]

    @staticmethod
    def resolve_channels(obj: Person, context) -> list[dict]:
        viewer = context["request"].api_member
        return [
            {"kind": c.kind, "value": c.value, "usable": c.usable}
            for c in access.shown_channels(viewer, obj)
        ]


class PeopleFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=80, description="Part of the display name")
    tier: int | None = Field(None, description="One of " + ", ".join(str(t) for t in Tier.values))
    language: str = Field("", max_length=8)
    tag: str = Field("", max_length=40)


@router.get("", response={200: list[PersonOut], 422: ErrorOut, **ERRORS}, summary="People")
@paginate(Pagination)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]):
    viewer = require_scope(request, ApiScope.PEOPLE_READ)
    people = access.visible_people(viewer)
    tag = Tag.objects.filter(name=filters.tag).first() if filters.tag else None
    if filters.tag and tag is None:
        return people.none()
    return (
        people.matching(q=filters.q, tier=filters.tier, language=filters.language, tag=tag)
        .with_lists()
        .order_by("display_name", "pk")
    )


@router.get(
    "/{public_id}", response={200: PersonOut, 404: ErrorOut, **ERRORS}, summary="One person"
)
def get_person(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.PEOPLE_READ)
    try:
        return access.get_person_or_404(viewer, public_id)
    except Http404:
        return 404, {"detail": "Not found."}
