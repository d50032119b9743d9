"""The stand-in gateway's voice: `place_call(from_, to)` is someone calling one of our numbers.
It posts Twilio's signed incoming-call webhook to `voice_url` and plays the TwiML answered, as
Twilio's voice engine does: `<Say>` is heard by the caller; `<Dial>` rings its `<Number>`s
(all at once), showing them the Dial's `callerId`, for its `timeout` seconds (times
`time_scale`), each phone answering or not as `phones` says; then it posts the Dial's `action`
with DialCallStatus (completed, no-answer, busy) and plays what that answers; `<Hangup/>` ends
the call. The `PlacedCall` returned says who was rung, in which order and when, who answered,
and everything the caller's side received."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from solnet.mobilize.testing.wire import API_VERSION, SignedRequest, e164


@dataclass
class Ring:
    """One phone a Dial rang: its number, the caller id it showed, when (time.monotonic())
    and how it ended ("answered", "no-answer", "busy")."""

    number: str
    shown_caller_id: str
    at: float
    result: str = ""


@dataclass
class PlacedCall:
    """A call `place_call()` made, as the voice engine saw it."""

    sid: str
    from_: str
    to: str
    rings: list[Ring]
    caller_side: list[str]  # what the caller's phone received: words said, ringing, connected
    answers: list[bytes]  # each TwiML document our server answered, in order
    answered_by: str = ""
    timeouts: list[int] | None = None
    statuses: list[int] | None = None

    @property
    def rung(self) -> list[str]:
        return [ring.number for ring in self.rings]


class VoiceMixin:
    """The voice half of the stand-in gateway (gateway.Gateway)."""

    account_sid: str
    _lock: threading.Lock

    if TYPE_CHECKING:  # the gateway's own, which signs and posts webhooks

        def _signed(self, url: str, params: dict[str, str]) -> SignedRequest: ...

        def deliver(self, signed: SignedRequest) -> SignedRequest: ...

    def _init_voice(self) -> None:
        # Where incoming calls are posted, how each phone answers ("answer", "no-answer" —
        # the default —, "busy"), and how fast rung seconds pass here.
        self.voice_url = ""
        self.phones: dict[str, str] = {}
        self.time_scale = 1.0
        self.calls: list[PlacedCall] = []

    def _call_params(self, sid: str, from_: str, to: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": sid,
            "CallStatus": "ringing",
            "Called": e164(to),
            "Caller": e164(from_),
            "Direction": "inbound",
            "From": e164(from_),
            "FromCountry": "US",
            "To": e164(to),
            "ToCountry": "US",
        }

    def signed_call(self, from_: str, to: str, *, sid: str | None = None) -> SignedRequest:
        """The webhook Twilio posts when `from_` calls our number `to`."""
        sid = sid or "CA" + secrets.token_hex(16)
        return self._signed(self.voice_url, self._call_params(sid, from_, to))

    def place_call(self, from_: str, to: str, *, max_steps: int = 10) -> PlacedCall:
        """`from_` calls our number `to`; the call is played to its end (see the module's
        description) and returned."""
        assert self.voice_url, "set voice_url first"
        first = self.deliver(self.signed_call(from_, to))
        call = PlacedCall(
            sid=first.params["CallSid"],
            from_=e164(from_),
            to=e164(to),
            rings=[],
            caller_side=[],
            answers=[],
            timeouts=[],
            statuses=[first.status or 0],
        )
        with self._lock:
            self.calls.append(call)
        answer = first.answer if first.status == 200 else b""
        for _ in range(max_steps):
            if not answer:
                call.caller_side.append("call failed")
                break
            call.answers.append(answer)
            follow = self._play(call, answer, self._call_params(call.sid, from_, to))
            if follow is None:
                break
            answer = follow
        return call

    def _play(self, call: PlacedCall, twiml: bytes, params: dict[str, str]) -> bytes | None:
        """Plays one TwiML document; returns the next one (a Dial's action answer) or None
        when the call ended."""
        root = SafeElementTree.fromstring(twiml)
        assert root.tag == "Response", twiml
        for verb in root:
            if verb.tag == "Say":
                call.caller_side.append(f"said: {verb.text or ''}")
            elif verb.tag == "Hangup":
                call.caller_side.append("hung up")
                return None
            elif verb.tag == "Dial":
                status = self._dial(call, verb)
                action = verb.get("action", "")
                if not action:
                    return None if status == "completed" else b"<Response/>"
                signed = self._signed(
                    action,
                    {
                        **params,
                        "CallStatus": "in-progress",
                        "DialCallSid": "CA" + secrets.token_hex(16),
                        "DialCallStatus": status,
                        "DialCallDuration": "30" if status == "completed" else "0",
                    },
                )
                self.deliver(signed)
                assert call.statuses is not None
                call.statuses.append(signed.status or 0)
                return signed.answer if signed.status == 200 else b""
        call.caller_side.append("hung up")
        return None

    def _dial(self, call: PlacedCall, verb: ElementTree.Element) -> str:
        """Rings the Dial's numbers at once; the first that answers takes the call."""
        timeout = int(verb.get("timeout", "30"))
        assert call.timeouts is not None
        call.timeouts.append(timeout)
        shown = verb.get("callerId") or call.from_
        now = time.monotonic()
        rings = [Ring(e164(n.text or ""), shown, now) for n in verb if n.tag == "Number"]
        call.rings.extend(rings)
        call.caller_side.append("ringing")
        for ring in rings:
            ring.result = self.phones.get(ring.number, "no-answer")
        answered = next((ring for ring in rings if ring.result == "answer"), None)
        if answered is not None:
            answered.result = "answered"
            call.answered_by = answered.number
            call.caller_side.append("connected")
            return "completed"
        if rings and all(ring.result == "busy" for ring in rings):
            return "busy"
        time.sleep(timeout * self.time_scale)
        return "no-answer"
