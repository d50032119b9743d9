"""Fixtures of mobilizing: the stand-in SMS gateway (solnet/mobilize/testing/gateway.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from solnet.mobilize.testing.gateway import Gateway


@pytest.fixture
def sms_gateway(settings):
    """A Twilio-speaking gateway on loopback, with SolNet's settings pointing at it.

    Its status callbacks are not posted (Django's test client cannot receive them): take them
    from `sms_gateway.callbacks` and `.post(client)` them; `signed_inbound()` makes a signed
    inbound webhook to post the same way. For real posts use `live_sms_gateway`."""
    gateway = Gateway().start()
    settings.SOLNET_SMS_API_BASE = gateway.base_url
    settings.SOLNET_SMS_ACCOUNT_SID = gateway.account_sid
    settings.SOLNET_SMS_AUTH_TOKEN = gateway.auth_token
    gateway.inbound_url = settings.BASE_URL + reverse("mobilize:sms_inbound")
    yield gateway
    gateway.stop()


@pytest.fixture
def live_sms_gateway(sms_gateway, live_server, settings):
    """The gateway posting its webhooks over HTTP to a live server, as Twilio would."""
    settings.BASE_URL = live_server.url
    sms_gateway.inbound_url = live_server.url + reverse("mobilize:sms_inbound")
    sms_gateway.post_callbacks = True
    return sms_gateway


@contextmanager
def serving_smtp(handler) -> Iterator:
    """An aiosmtpd server on a free loopback port with `handler` answering; `handler.port`
    says where."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
