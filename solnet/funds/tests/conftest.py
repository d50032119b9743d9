"""Fixtures of the funds: the stand-in payment processor (solnet/funds/testing/processor.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from solnet.funds.testing.processor import Processor


@pytest.fixture
def stripe(settings):
    """A Stripe-speaking processor on loopback, with SolNet's settings pointing at it.

    Its webhook events are not posted (Django's test client cannot receive them): take them
    from what `complete()` and `refund()` return (or `stripe.events`) and `.post(client)`
    them. For real posts use `live_stripe`."""
    processor = Processor().start()
    settings.SOLNET_STRIPE_API_BASE = processor.base_url
    settings.SOLNET_STRIPE_SECRET_KEY = processor.secret_key
    settings.SOLNET_STRIPE_WEBHOOK_SECRET = processor.webhook_secret
    processor.webhook_url = settings.BASE_URL + reverse("funds:processor_webhook")
    yield processor
    processor.stop()


@pytest.fixture
def live_stripe(stripe, live_server, settings):
    """The processor posting its webhooks over HTTP to a live server, as Stripe would."""
    settings.BASE_URL = live_server.url
    stripe.webhook_url = live_server.url + reverse("funds:processor_webhook")
    stripe.post_events = True
    return stripe
