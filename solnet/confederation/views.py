"""Allies: the peer directory, pairing, asking the meeting to ally or to end an alliance, and
the page that says what leaves this server. The protocol's two endpoints (this server's key
and its inbox) are at the end."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.confederation import access, alliance, inbox, keys, pairing, protocol, rotation
from solnet.confederation.models import Delivery, PairingCode, PeerState
from solnet.core import twoperson
from solnet.core.access import member_view
from solnet.core.forms import add_errors

PAGE_SIZE = 25


class EnterCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The other network's pairing code"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "As they gave it to you: it starts with “solnet-pair 1”, then their address, their "
            "key's fingerprint and a secret."
        ),
    )


@member_view(access.can_see_peers)
@require_GET
def peers(request: HttpRequest) -> HttpResponse:
    listed = access.visible_peers(request.user).exclude(state=PeerState.PAIRING)
    manages = access.can_manage_peers(request.user)
    context = {
        "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "manages": manages,
        "codes": PairingCode.objects.filter(used_at__isnull=True, withdrawn_at__isnull=True)
        if manages
        else [],
        "fingerprint": keys.fingerprint(keys.current().public_key),
        "origin": keys.origin(),
    }
    return render(request, "confederation/peers.html", context)


@member_view(access.can_manage_peers)
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest) -> HttpResponse:
    """Make a code for another network, or enter theirs."""
    form = EnterCodeForm(request.POST if request.POST.get("do") == "enter" else None)
    made = None
    if request.method == "POST" and request.POST.get("do") == "make":
        made, _row = pairing.make_code(by=request.user)
    elif request.method == "POST" and request.POST.get("do") == "enter" and form.is_valid():
        try:
            peer = pairing.enter_code(text=form.cleaned_data["code"], by=request.user)
        except ValidationError as error:
            add_errors(form, error, field="code")
        else:
            messages.success(
                request,
                _("Paired with %(network)s. Nothing is shared until both meetings decide to ally.")
                % {"network": peer},
            )
            return redirect("confederation:peer", peer.public_id)
    context = {"form": form, "made": made, "origin": keys.origin()}
    return render(request, "confederation/pair.html", context, status=422 if form.errors else 200)


@member_view(access.can_manage_peers)
@require_POST
def code_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    code = access.get_code_or_404(request.user, public_id)
    pairing.withdraw_code(code=code, by=request.user)
    messages.success(request, _("The code is withdrawn: it can no longer be used."))
    return redirect("confederation:peers")


@member_view(access.can_see_peers)
@require_GET
def peer(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_peer_or_404(request.user, public_id)
    manages = access.can_manage_peers(request.user)
    deliveries = found.outbox.order_by("-created_at") if manages else found.outbox.none()
    context = {
        "peer": found,
        "fingerprint": keys.fingerprint(found.public_key),
        "manages": manages,
        "deliveries": Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page")),
        "waiting": found.outbox.filter(state=Delivery.WAITING).count(),
        "may_ally": found.state == PeerState.PAIRED and found.agreed_here_at is None,
        "may_end": found.state in (PeerState.PAIRED, PeerState.ALLIED),
    }
    return render(request, "confederation/peer.html", context)


@member_view(access.can_manage_peers)
@require_POST
def peer_propose(request: HttpRequest, public_id: str) -> HttpResponse:
    """Puts "ally with X" (or "end the alliance with X") to the general meeting."""
    found = access.get_peer_or_404(request.user, public_id)
    try:
        proposal = alliance.put_to_meeting(
            peer=found, by=request.user, ending=request.POST.get("end") == "1"
        )
    except (ValidationError, PermissionDenied) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else ""
        messages.error(request, text or _("Only someone with a vote in the general meeting can."))
        return redirect("confederation:peer", found.public_id)
    messages.success(request, _("The proposal is before the general meeting."))
    return redirect("democracy:proposal", proposal.public_id)


@member_view(access.can_manage_peers)
@require_POST
def rotate_key(request: HttpRequest) -> HttpResponse:
    twoperson.request_action(name=rotation.ACTION, params={}, requested_by=request.user)
    messages.success(
        request,
        _(
            "The new key waits for a second organizer's approval; every peer is told once it "
            "is made."
        ),
    )
    return redirect("confederation:peers")


@member_view(access.can_see_peers)
@require_GET
def what_leaves(request: HttpRequest) -> HttpResponse:
    return render(request, "confederation/what_leaves.html", {"origin": keys.origin()})


# --- the protocol's endpoints ---------------------------------------------------------------


@require_GET
def key_document(request: HttpRequest) -> HttpResponse:
    """This server's public key: what a peer pins after comparing its fingerprint."""
    key = keys.current()
    return JsonResponse(
        {
            "origin": keys.origin(),
            "key": key.public_key,
            "alg": "ed25519",
            "fingerprint": keys.fingerprint(key.public_key),
            "inbox": keys.origin() + keys.INBOX_PATH,
            "protocol": [1],
        }
    )


@csrf_exempt  # signed by the sending server, not a browser's form
@require_http_methods(["POST"])
def inbox_view(request: HttpRequest) -> HttpResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > protocol.MAX_BODY:
        outcome = inbox.refuse(protocol.Rejected("too_large", 413))
    else:
        headers = {name.lower(): value for name, value in request.headers.items()}
        outcome = inbox.receive(method=request.method or "", headers=headers, body=request.body)
    return HttpResponse(
        json.dumps({"result": outcome.code}),
        status=outcome.status,
        content_type="application/json",
    )
