"""Money in the network's currency, written the way the reader's language writes it:
`{% money amount %}` ("$6,710.00" in English, "6710,00 US$" in Spanish)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from solnet.network import places, times
from solnet.network.models import Network

register = template.Library()


@register.simple_tag(takes_context=True)
def money(context: template.Context, amount: Decimal | int | float | None) -> str:
    network = context.get("network") or Network.objects.current()
    return places.money(amount, network.currency or "USD", translation.get_language())


@register.filter
def moment(value) -> str:
    """A date and time, one way per language: "Thu, Dec 10, 12:00 PM" / "jue, 10 dic,
    12:00 p.m." (solnet.network.times)."""
    if not value:
        return ""
    return times.moment(value, translation.get_language())
