"""`{% minor amount %}`: an amount kept in minor units (cents), written in the network's
currency as the reader's language writes money."""

from __future__ import annotations

from django import template
from django.utils import translation

from solnet.funds import money

register = template.Library()


@register.simple_tag(takes_context=True)
def minor(context: template.Context, amount: int | None) -> str:
    network = context.get("network")
    currency = getattr(network, "currency", None) or money.network_currency()
    return money.shown(amount, currency, translation.get_language())


@register.filter
def absolute(amount: int | None) -> int | None:
    """A credit's size: `{% minor leg.amount|absolute %}`."""
    return None if amount is None else abs(amount)
