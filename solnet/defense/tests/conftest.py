"""Fixtures of the hotline: the stand-in gateway (mobilize's) set up for the hotline's phone
line, with a shift running now whose primary and backup have phones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from solnet.defense.models import Hotline, Slot
from solnet.defense.tests.making import make_slot
from solnet.members.models import Member, Role
from solnet.mobilize.tests.conftest import sms_gateway  # noqa: F401 - a fixture used here

LINE = "+12065550199"
CALLER = "+12065550142"


@dataclass
class Line:
    gateway: object
    hotline: Hotline
    slot: Slot
    primary: Member
    backup: Member
    other: Member  # a dispatcher off shift


def _slot_running_now() -> Slot:
    started = timezone.localtime() - timedelta(hours=1)
    return make_slot(
        weekday=started.weekday(),
        starts=started.time().replace(minute=0, second=0, microsecond=0),
        hours=4,
    )


@pytest.fixture
def phone_line(sms_gateway, personas, settings):  # noqa: F811 - the fixture imported above
    """The hotline's number at the stand-in gateway, its webhooks posted with Django's test
    client, and a shift running now: the persona dispatcher primary, a second backup, a third
    dispatcher off shift; each with a phone."""
    primary = personas["dispatcher"].member
    primary.phone = "+12065550101"
    primary.save()
    backup = make_member(
        "backup_dispatcher",
        roles=(Role.DISPATCHER,),
        phone="+12065550102",
        email="backup@example.org",
    )[0]
    other = make_member(
        "other_dispatcher",
        roles=(Role.DISPATCHER,),
        phone="+12065550103",
        email="other@example.org",
    )[0]
    slot = _slot_running_now()
    slot.primary, slot.backup = primary, backup
    slot.save()
    hotline = Hotline.current()
    hotline.number = LINE
    hotline.ring_seconds = 5
    hotline.save()
    gateway = sms_gateway
    gateway.voice_url = settings.BASE_URL + reverse("defense:voice")
    gateway.inbound_url = settings.BASE_URL + reverse("defense:text")
    gateway.time_scale = 0.05
    webhook_client = Client()

    def post(signed):
        response = signed.post(webhook_client)
        return response.status_code, response.content

    gateway.transport = post
    return Line(gateway, hotline, slot, primary, backup, other)
