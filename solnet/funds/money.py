"""Amounts in the network's currency: integers of the currency's minor unit (cents), never
floats. What a person types is read here, with an error in their language for anything that
is not an amount this currency can hold."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The most a single amount may be: far above any grant, and far below a 64-bit column.
LARGEST = 10**13


def check_amount(amount_minor: int) -> None:
    """An amount a service is handed (already minor units): a whole number above zero, and
    not beyond LARGEST."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise ValidationError(_("Amounts are whole minor units."), code="amount")
    if amount_minor <= 0:
        raise ValidationError(_("An amount must be more than zero."), code="zero")
    if amount_minor > LARGEST:
        raise ValidationError(_("That amount is too large."), code="large")


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code in list_currencies()


def digits(currency: str) -> int:
    """How many decimals the currency has (2 for USD, 0 for JPY, 3 for KWD)."""
    if not is_currency(currency):
        raise ValidationError(_("“%(code)s” is not a currency.") % {"code": currency})
    return get_currency_precision(currency)


def to_minor(value: Decimal | str | int, currency: str, *, allow_zero: bool = False) -> int:
    """`value` in `currency` as an integer of its minor unit. Refuses a negative amount, zero
    (unless allowed), more decimals than the currency has, and what is not a number."""
    places = digits(currency)
    if isinstance(value, float):
        raise TypeError("amounts are never floats")
    text = str(value).strip().replace(",", "") if isinstance(value, str) else value
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("Write an amount such as 25 or 25.50."), code="amount") from None
    if not amount.is_finite():
        raise ValidationError(_("Write an amount such as 25 or 25.50."), code="amount")
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")
    if amount == 0 and not allow_zero:
        raise ValidationError(_("An amount must be more than zero."), code="zero")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValidationError(
            _("%(currency)s amounts have at most %(places)s decimals.")
            % {"currency": currency, "places": places},
            code="decimals",
        )
    minor = int(amount.scaleb(places))
    if minor > LARGEST:
        raise ValidationError(_("That amount is too large."), code="large")
    return minor


def to_decimal(minor: int, currency: str) -> Decimal:
    """The amount an integer of minor units stands for."""
    return Decimal(minor).scaleb(-digits(currency))


def plain(minor: int, currency: str) -> str:
    """The amount without a currency sign or grouping, as a form or a file writes it."""
    places = digits(currency)
    return f"{to_decimal(minor, currency):.{places}f}"


def network_currency() -> str:
    from solnet.network.models import Network

    return Network.objects.current().currency or "USD"


def shown(minor: int | None, currency: str | None = None, language: str | None = None) -> str:
    """Minor units written as the reader's locale writes money ("$300.00", "300,00 US$")."""
    if minor is None:
        return ""
    from solnet.network import places

    currency = currency or network_currency()
    return places.money(to_decimal(minor, currency), currency, language)
