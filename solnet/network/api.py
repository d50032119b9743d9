"""API operations on the network's public face."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from solnet.members.api import ERRORS, require_scope
from solnet.members.models import ApiScope
from solnet.network.models import Network

router = Router(tags=["network"])


class NetworkOut(Schema):
    name: str
    city_region: str
    languages: list[str]
    default_language: str


@router.get("", response={200: NetworkOut, **ERRORS}, summary="The network")
def get_network(request: HttpRequest):
    require_scope(request, ApiScope.NETWORK_READ)
    return Network.objects.current()
