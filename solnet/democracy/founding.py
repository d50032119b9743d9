"""When the network is founded, its general meeting exists from the start, with the quorum
and notice the founder chose (the network's founding listener)."""

from __future__ import annotations

from typing import Any

from solnet.core import audit
from solnet.democracy.models import Body


def set_up_general_meeting(*, network, general_meeting: dict[str, Any]) -> Body:
    body = Body.objects.general()
    fields = [name for name in ("quorum_percent", "quorum_minimum", "notice_hours")]
    for name in fields:
        if name in general_meeting:
            setattr(body, name, general_meeting[name])
    body.full_clean()
    body.save(update_fields=fields)
    audit.record(
        "democracy.general_meeting_founded",
        target=body,
        quorum_percent=body.quorum_percent,
        quorum_minimum=body.quorum_minimum,
        notice_hours=body.notice_hours,
    )
    return body
