"""API operations on the network's public face."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from solnet.core.api import ERRORS, require_scope
from solnet.network.models import Network

router = Router(tags=["network"])

NETWORK_READ = "network:read"  # members.models.ApiScope.NETWORK_READ: a token's scopes are theirs


class NetworkOut(Schema):
    name: str
    city_region: str
    languages: list[str]
    default_language: str


@router.get("", response={200: NetworkOut, **ERRORS}, summary="The network")
def get_network(request: HttpRequest):
    require_scope(request, NETWORK_READ)
    return Network.objects.current()
