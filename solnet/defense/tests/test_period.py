"""The hotline's period changes only under the two-person rule: a dispatcher cannot shorten
it (destroying what families and lawyers need) or lengthen it alone — not by approving their
own request, nor through an account they invited, nor from the settings page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core import twoperson
from solnet.core.models import ApprovalRequest
from solnet.defense import period
from solnet.defense.models import Hotline
from solnet.members.models import Role

pytestmark = pytest.mark.django_db


def test_one_dispatcher_alone_cannot_change_the_period(personas):
    dispatcher = personas["dispatcher"].member
    client = sign_in(Client(), dispatcher)
    response = client.post(
        reverse("defense:hotline"), {"report_days": 2, "ring_seconds": 20, "legal_contact": ""}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Hotline.current().report_days == 30  # asked, not changed
    approval = ApprovalRequest.objects.get(action=period.ACTION)
    invitee = make_member("invited_dispatcher", roles=(Role.DISPATCHER,))[0]
    invitee.invited_by = dispatcher
    invitee.save()
    for approver in (dispatcher, invitee, personas["member"].member):
        with pytest.raises(PermissionDenied):
            twoperson.approve_request(approval=approval, approver=approver)
    assert Hotline.current().report_days == 30
    other = make_member("other_dispatcher", roles=(Role.DISPATCHER,))[0]
    twoperson.approve_request(approval=approval, approver=other)
    assert Hotline.current().report_days == 2


def test_a_period_out_of_range_or_unchanged_is_refused(personas):
    dispatcher = personas["dispatcher"].member
    for days in (0, 366, 30):
        with pytest.raises(ValidationError):
            period.request_change(days=days, by=dispatcher)
    with pytest.raises(PermissionDenied):
        period.request_change(days=10, by=personas["organizer"].member)
    assert not ApprovalRequest.objects.filter(action=period.ACTION).exists()
