"""Who sees the network's allies and who pairs with new ones. Views reach peers only through
here.

Members (tier Member and up) see the peer directory and what leaves the server for peers:
alliances are the membership's business, decided by its general meeting. The organizing team
makes and enters pairing codes and puts alliances to the meeting; a pairing shares nothing
but keys and the networks' names until both meetings have decided.
"""

from __future__ import annotations

from solnet.confederation.models import IncomingRequest, PairingCode, Peer, SolidarityRequest
from solnet.core.access import get_or_404
from solnet.members.access import is_member, is_organizer
from solnet.members.models import Member


def can_see_peers(member: Member) -> bool:
    return is_member(member)


def can_manage_peers(member: Member) -> bool:
    return is_organizer(member)


def visible_peers(member: Member):
    if not can_see_peers(member):
        return Peer.objects.none()
    return Peer.objects.all()


def get_peer_or_404(member: Member, public_id: str) -> Peer:
    return get_or_404(visible_peers(member), public_id=public_id)


def get_code_or_404(member: Member, public_id: str) -> PairingCode:
    codes = PairingCode.objects.all() if can_manage_peers(member) else PairingCode.objects.none()
    return get_or_404(codes, public_id=public_id)


def get_request_or_404(member: Member, public_id: str) -> SolidarityRequest:
    """A request this network sent: its organizers'."""
    requests = (
        SolidarityRequest.objects.all()
        if can_manage_peers(member)
        else SolidarityRequest.objects.none()
    )
    return get_or_404(requests, public_id=public_id)


def get_incoming_or_404(member: Member, public_id: str) -> IncomingRequest:
    """An ally's request to this network: its organizers answer it."""
    found = (
        IncomingRequest.objects.select_related("peer", "action")
        if can_manage_peers(member)
        else IncomingRequest.objects.none()
    )
    return get_or_404(found, public_id=public_id)
