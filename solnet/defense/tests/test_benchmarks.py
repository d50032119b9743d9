"""Benchmark of the hotline's phone line (`make bench`): the webhook that answers an inbound
call (`defense:voice`: check the gateway's signature, keep the call encrypted in its
conversation, count the number's calls for the flood limit, read the rota, and answer the
TwiML that rings the dispatcher on shift) against the floor of a bare Django view that says
hello, on the same live HTTP server, each request on a connection of its own. The two are timed
in turns; the figure is the ratio of their 95th percentiles. Each call comes from another
number, with a rota of three shifts a day and six dispatchers."""

from __future__ import annotations

import http.client
import time
from datetime import time as clock
from urllib.parse import urlencode, urlsplit

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from conftest import make_member
from solnet.core.testing.figures import percentile_figures, scaled
from solnet.defense.models import CallOutcome, Hotline, HotlineCall, Slot
from solnet.members.models import Role
from solnet.mobilize.testing.gateway import Gateway

pytestmark = [pytest.mark.bench]
RUNS = scaled(400, least=40)
LINE = "+12065550199"


def hello(request):
    return HttpResponse("Hello", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello), path("", include("solnet.urls"))]


def _rota() -> None:
    dispatchers = [
        make_member(f"bench_dispatcher_{n}", roles=(Role.DISPATCHER,), phone=f"+1206555{n:04d}")[0]
        for n in range(6)
    ]
    for weekday in range(7):
        for n, hour in enumerate((0, 8, 16)):
            Slot.objects.create(
                weekday=weekday,
                starts=clock(hour),
                hours=8,
                primary=dispatchers[(weekday + n) % 6],
                backup=dispatchers[(weekday + n + 1) % 6],
            )


@pytest.mark.django_db(transaction=True)
def test_the_call_webhook_against_a_bare_hello_view(network, live_server, settings):
    settings.ROOT_URLCONF = __name__
    settings.BASE_URL = live_server.url
    gateway = Gateway().start()
    try:
        settings.SOLNET_SMS_API_BASE = gateway.base_url
        settings.SOLNET_SMS_ACCOUNT_SID = gateway.account_sid
        settings.SOLNET_SMS_AUTH_TOKEN = gateway.auth_token
        gateway.voice_url = live_server.url + reverse("defense:voice")
        hotline = Hotline.current()
        hotline.number = LINE
        hotline.save()
        _rota()
        parts = urlsplit(live_server.url)

        def timed(method: str, url: str, body: bytes = b"", headers=None) -> tuple[float, bytes]:
            # A connection of its own, as the gateway's posts come: a kept-alive one would
            # time the server's small writes waiting on delayed acknowledgements instead.
            start = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            connection.request(method, url, body=body, headers=headers or {})
            answer = connection.getresponse()
            content = answer.read()
            connection.close()
            took = time.perf_counter() - start
            assert answer.status == 200, (url, answer.status, content[:200])
            return took, content

        floors, runs = [], []
        for n in range(RUNS + 5):
            signed = gateway.signed_call(f"+1253{n:07d}", LINE)
            body = urlencode(signed.params).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signed.signature,
            }
            floor, _ = timed("GET", "/bench-hello/")
            measured, twiml = timed("POST", signed.path, body, headers)
            assert b"<Dial" in twiml and b"<Number>+1206555" in twiml
            if n >= 5:  # the first few warm the server up
                floors.append(floor)
                runs.append(measured)
    finally:
        gateway.stop()
    assert HotlineCall.objects.filter(outcome=CallOutcome.RINGING).count() == RUNS + 5
    for figure in percentile_figures("defense.hotline_ring", runs=runs, floors=floors, limit=3):
        print(figure)
