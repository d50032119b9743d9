"""API operations on members, under the same access rules as the pages."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import ConfigDict

from solnet.core.access import get_or_404
from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.members import access, services
from solnet.members.models import ApiScope, ApiToken, Member
from solnet.members.services import PHONE_PATTERN

router = Router(tags=["members"])


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.authenticate_api_token(token)
        if found is not None:
            request.api_member = found.member  # type: ignore[attr-defined]
        return found


class MemberOut(Schema):
    public_id: str
    display_name: str
    tier: int
    tier_name: str
    email: str | None = None
    phone: str | None = None

    @staticmethod
    def resolve_tier_name(obj, context) -> str:
        return str(obj.get_tier_display()) if isinstance(obj, Member) else obj["tier_name"]

    @staticmethod
    def resolve_email(obj, context) -> str | None:
        return _contacts(obj, context).get("email")

    @staticmethod
    def resolve_phone(obj, context) -> str | None:
        return _contacts(obj, context).get("phone")


def _contacts(obj, context) -> dict:
    if not isinstance(obj, Member):
        return obj
    viewer = context["request"].api_member
    return access.shown_contacts(viewer, obj)


class MeOut(MemberOut):
    username: str
    preferred_language: str
    contacts_hidden: bool


class MeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=80)
    preferred_language: Literal["", "en", "es"] | None = None
    # null takes the address or number away; an empty string is not one.
    email: str | None = Field(
        None, min_length=3, max_length=254, json_schema_extra={"format": "email"}
    )
    phone: str | None = Field(None, pattern=PHONE_PATTERN.pattern, max_length=40)


def _me_out(member: Member) -> dict:
    return {
        "public_id": member.public_id,
        "display_name": member.display_name,
        "tier": member.tier,
        "tier_name": str(member.get_tier_display()),
        "email": member.email,
        "phone": member.phone,
        "username": member.username,
        "preferred_language": member.preferred_language,
        "contacts_hidden": member.contacts_hidden,
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="My own profile")
def get_me(request: HttpRequest):
    return _me_out(require_scope(request, ApiScope.ME_READ))


@router.patch(
    "/me",
    response={200: MeOut, 400: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Change my profile",
)
def patch_me(request: HttpRequest, payload: MeIn):
    member = require_scope(request, ApiScope.ME_WRITE)
    changes = payload.model_dump(exclude_unset=True)
    try:
        services.update_profile(
            member=member,
            display_name=changes.get("display_name") or member.display_name,
            # null and "" both mean "the network's default language".
            preferred_language=changes.get("preferred_language", member.preferred_language) or "",
            email=changes.get("email", member.email),
            phone=changes.get("phone", member.phone),
        )
    except ValidationError as error:
        raise HttpError(422, "; ".join(error.messages)) from None
    return _me_out(member)


@router.get("/members", response={200: list[MemberOut], **ERRORS}, summary="Members I can see")
@paginate(Pagination)
def list_members(request: HttpRequest):
    viewer = require_scope(request, ApiScope.MEMBERS_READ)
    return access.visible_members(viewer).order_by("display_name", "pk")


@router.get(
    "/members/{public_id}",
    response={200: MemberOut, 404: ErrorOut, **ERRORS},
    summary="One member",
)
def get_member(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.MEMBERS_READ)
    try:
        return get_or_404(access.visible_members(viewer), public_id=public_id)
    except Http404:
        return 404, {"detail": "Not found."}
