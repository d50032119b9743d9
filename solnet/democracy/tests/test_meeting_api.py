"""The API of meetings, delegates and proxies: what the pages do, by a script, under the same
rules — and nothing more for a token than for the page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from solnet.democracy import services
from solnet.democracy.models import Attendance, DelegateVote, Proxy
from solnet.democracy.testing import time_until_it_starts
from solnet.members.models import ApiScope
from solnet.members.testing.api import ApiClient

pytestmark = pytest.mark.django_db

READ, TAKE_PART = ApiScope.MEETINGS_READ, ApiScope.MEETINGS_TAKE_PART


def test_a_member_reads_a_meeting_says_they_are_here_and_puts_their_hand_up(personas, objects):
    meeting = objects["meeting"]
    api = ApiClient(personas["member"].member, READ, TAKE_PART)
    listed = api.get("/api/decisions/meetings").json()
    assert [m["public_id"] for m in listed["items"]] == [meeting.public_id]
    url = f"/api/decisions/meetings/{meeting.public_id}"
    shown = api.get(url).json()
    assert [item["title"] for item in shown["agenda"]] == ["Report back"]
    assert shown["may_attend"] is True and shown["attending"] is None

    assert api.post(f"{url}/attendance", {"mode": "remote"}).status_code == 200
    shown = api.get(url).json()
    assert shown["attending"] == "remote"
    assert shown["attendance"] == [{"name": "Member", "mode": "remote"}]

    early = api.post(f"{url}/speakers")
    assert early.status_code == 422 and "opens with the meeting" in early.json()["detail"]
    services.open_meeting(meeting=time_until_it_starts(meeting), by=personas["organizer"].member)
    assert api.post(f"{url}/speakers").status_code == 200
    assert api.get(url).json()["speakers"] == ["Member"]
    assert api.post(f"{url}/speakers", {"withdraw": True}).status_code == 200
    assert api.get(url).json()["speakers"] == []


def test_a_token_that_only_reads_takes_no_part(personas, objects):
    api = ApiClient(personas["member"].member, READ)
    url = f"/api/decisions/meetings/{objects['meeting'].public_id}/attendance"
    assert api.post(url, {"mode": "in_person"}).status_code == 403
    assert not Attendance.objects.exists()


def test_who_does_not_see_the_body_neither_reads_nor_attends_its_meeting(personas, objects):
    api = ApiClient(personas["supporter"].member, READ, TAKE_PART)
    url = f"/api/decisions/meetings/{objects['meeting'].public_id}"
    assert api.get(url).status_code == 404
    assert api.post(f"{url}/attendance", {"mode": "in_person"}).status_code == 404
    assert api.get("/api/decisions/meetings").json()["items"] == []
    assert not Attendance.objects.exists()


def test_only_the_delegate_reports_their_vote_and_not_one_in_the_future(personas, objects):
    delegate = objects["delegate"]
    url = f"/api/decisions/delegates/{delegate.public_id}"
    vote = {"voted_on": "2026-11-30", "motion": "Joint rent strike", "vote": "for"}
    organizer = ApiClient(personas["organizer"].member, READ, TAKE_PART)
    assert organizer.get(url).json()["mandate"] == "Vote for the joint rent strike"
    assert organizer.post(f"{url}/votes", vote).status_code == 404
    delegate_api = ApiClient(personas["member"].member, READ, TAKE_PART)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = delegate_api.post(f"{url}/votes", {**vote, "voted_on": tomorrow})
    assert refused.status_code == 422 and "future" in refused.json()["detail"]
    assert not DelegateVote.objects.exists()

    assert delegate_api.post(f"{url}/votes", vote).status_code == 200
    assert organizer.get(url).json()["votes"] == [
        {"voted_on": "2026-11-30", "motion": "Joint rent strike", "vote": "for"}
    ]


def test_a_vote_given_by_proxy_is_listed_for_both_and_taken_back(personas, objects):
    body = objects["general_body"]
    url = f"/api/decisions/bodies/{body.public_id}/proxy"
    giver = ApiClient(personas["member"].member, READ, TAKE_PART)
    body.allow_proxies = False
    body.save(update_fields=["allow_proxies"])
    refused = giver.put(url, {"holder": "organizer"})
    assert refused.status_code == 422 and "do not allow proxy" in refused.json()["detail"]
    body.allow_proxies = True
    body.save(update_fields=["allow_proxies"])
    assert giver.put(url, {"holder": "nobody-by-that-name"}).status_code == 422
    assert giver.put(url, {"holder": "member"}).status_code == 422  # not to oneself
    assert not Proxy.objects.exists()

    assert giver.put(url, {"holder": "organizer"}).status_code == 200
    given = giver.get("/api/decisions/proxies").json()
    assert [(p["body"], p["holder"]) for p in given["given"]] == [(body.public_id, "Organizer")]
    holder = ApiClient(personas["organizer"].member, READ)
    assert [p["giver"] for p in holder.get("/api/decisions/proxies").json()["held"]] == ["Member"]

    assert giver.delete(url).status_code == 200
    assert giver.get("/api/decisions/proxies").json() == {"given": [], "held": []}
    assert Proxy.objects.get().revoked_at is not None
