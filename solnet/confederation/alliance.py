"""Alliances are decisions (SECURITY.md: federating with a new network needs one).

A paired peer becomes an ally only when each network's general meeting has passed "ally with
X": the effect records this side's decision and tells the peer (`alliance.agreed`); the link
is allied once both sides have. Ending is a decision too: it ends the link here at once —
waiting messages are cancelled and anything the peer sends afterwards is refused — and tells
the peer (`alliance.ended`), which ends it there on receipt.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.confederation import inbox, outbox, protocol
from solnet.confederation.models import Peer, PeerState
from solnet.confederation.schemas import AllianceAgreed, AllianceEnded
from solnet.core import audit
from solnet.democracy import effects, titles
from solnet.democracy import services as democracy
from solnet.democracy.models import Body, BodyKind, EffectKind, Proposal
from solnet.members.models import Member

ALLY_TITLE = "confederation.ally"
END_TITLE = "confederation.end"


def _peer_of(params: dict[str, Any], *states: str) -> Peer:
    peer = Peer.objects.filter(public_id=str(params.get("peer", "")), state__in=states).first()
    if peer is None:
        raise ValidationError(
            _("That network is not paired with this one, or its alliance has ended."),
            code="invalid_effect",
        )
    return peer


def _prepare(states: tuple[str, ...]):
    def prepare(params: dict[str, Any], body: Body, by: Member) -> effects.Prepared:
        if body.kind != BodyKind.GENERAL:
            raise ValidationError(_("Only the general meeting decides this."), code="invalid")
        peer = _peer_of(params, *states)
        if states == (PeerState.PAIRED,) and peer.agreed_here_at is not None:
            raise ValidationError(_("This network has already decided to ally with it."))
        return effects.Prepared(params={"peer": peer.public_id})

    return prepare


def _describe_ally(params: dict[str, Any]) -> str:
    peer = Peer.objects.filter(public_id=params.get("peer")).first()
    return _("Ally with %(network)s (%(host)s)") % {
        "network": peer.name if peer else "?",
        "host": peer.host if peer else "?",
    }


def _describe_end(params: dict[str, Any]) -> str:
    peer = Peer.objects.filter(public_id=params.get("peer")).first()
    return _("End the alliance with %(network)s (%(host)s)") % {
        "network": peer.name if peer else "?",
        "host": peer.host if peer else "?",
    }


def _run_ally(params: dict[str, Any], proposal: Proposal) -> None:
    peer = _peer_of(params, PeerState.PAIRED, PeerState.ALLIED)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    now = timezone.now()
    peer.agreed_here_at = now
    peer.agreed_here_ref = proposal.public_id
    if peer.agreed_there_at is not None:
        peer.state = PeerState.ALLIED
    peer.save(update_fields=["agreed_here_at", "agreed_here_ref", "state"])
    audit.record(
        "confederation.agreed", target=peer, decision=proposal.public_id, allied=peer.state
    )
    outbox.queue(peer, "alliance.agreed", {"decision": proposal.public_id})


def _run_end(params: dict[str, Any], proposal: Proposal) -> None:
    peer = _peer_of(params, PeerState.PAIRING, PeerState.PAIRED, PeerState.ALLIED)
    end(peer, decision=proposal.public_id)


def end(peer: Peer, *, decision: str) -> None:
    """Ends the link here at once and tells the peer."""
    Peer.objects.filter(pk=peer.pk).update(
        state=PeerState.ENDED, ended_at=timezone.now(), ended_here=True
    )
    peer.refresh_from_db()
    cancelled = outbox.cancel_waiting(peer)
    audit.record("confederation.ended", target=peer, decision=decision, cancelled=cancelled)
    outbox.queue(peer, "alliance.ended", {"decision": decision})


# --- asking the meeting ---------------------------------------------------------------------


@transaction.atomic
def put_to_meeting(*, peer: Peer, by: Member, ending: bool = False) -> Proposal:
    """The proposal "ally with X" (or "end the alliance with X") to the general meeting; it is
    discussed and voted on by the meeting's own rules."""
    kind = EffectKind.END_ALLIANCE if ending else EffectKind.ALLY
    key = END_TITLE if ending else ALLY_TITLE
    params = {"peer": peer.public_id}
    return democracy.propose(
        body=Body.objects.general(),
        by=by,
        title=titles.render(key, params) or "",
        title_key=key,
        title_params=params,
        text=_(
            "The peer's address, key fingerprint and what it said about itself are on the "
            "allies page."
        ),
        effects_wanted=[democracy.EffectRequest(kind, params)],
    )


# --- the peer's messages --------------------------------------------------------------------


def _agreed(peer: Peer | None, body: AllianceAgreed, checked: protocol.Checked, key: str) -> None:
    assert peer is not None
    peer.agreed_there_at = timezone.now()
    if peer.agreed_here_at is not None:
        peer.state = PeerState.ALLIED
    peer.save(update_fields=["agreed_there_at", "state"])
    audit.record("confederation.peer_agreed", target=peer, allied=peer.state)


def _ended(peer: Peer | None, body: AllianceEnded, checked: protocol.Checked, key: str) -> None:
    assert peer is not None
    Peer.objects.filter(pk=peer.pk).update(
        state=PeerState.ENDED, ended_at=timezone.now(), ended_here=False
    )
    cancelled = outbox.cancel_waiting(peer)
    audit.record("confederation.peer_ended", target=peer, cancelled=cancelled)


def _peer_title(params: dict[str, Any], proposal: Proposal | None) -> dict[str, str] | None:
    peer = Peer.objects.filter(public_id=str(params.get("peer", ""))).first()
    if peer is None:
        return None
    return {"network": peer.name or peer.host, "host": peer.host}


def register() -> None:
    effects.register(
        EffectKind.ALLY,
        effects.Kind(prepare=_prepare((PeerState.PAIRED,)), describe=_describe_ally, run=_run_ally),
    )
    effects.register(
        EffectKind.END_ALLIANCE,
        effects.Kind(
            prepare=_prepare((PeerState.PAIRING, PeerState.PAIRED, PeerState.ALLIED)),
            describe=_describe_end,
            run=_run_end,
        ),
    )
    titles.TITLES[ALLY_TITLE] = titles.Title(
        gettext_lazy("Ally with %(network)s (%(host)s)"), _peer_title
    )
    titles.TITLES[END_TITLE] = titles.Title(
        gettext_lazy("End the alliance with %(network)s (%(host)s)"), _peer_title
    )
    inbox.register("alliance.agreed", inbox.Handler(states=inbox.LINKED, run=_agreed))
    inbox.register("alliance.ended", inbox.Handler(states=inbox.LINKED, run=_ended))
