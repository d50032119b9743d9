"""The parameters of a Checkout Session as Stripe reads them, for the stand-in processor
(`processor`): Stripe's form encoding (`line_items[0][price_data][currency]=usd`), and each
parameter checked the way Stripe answers a bad one (400, `type: invalid_request_error`, with
the parameter and a code)."""

from __future__ import annotations

import re
from typing import Any

# Currencies Stripe charges in (a part of its list: enough for any network a test makes).
CURRENCIES = {
    "usd", "eur", "gbp", "cad", "aud", "nzd", "mxn", "brl", "ars", "clp", "cop", "pen", "uyu",
    "jpy", "krw", "inr", "zar", "chf", "sek", "nok", "dkk", "pln", "czk", "huf", "ron", "try",
    "php", "sgd", "hkd", "twd", "thb", "idr", "myr", "ils", "aed", "kwd", "bhd", "jod",
}  # fmt: skip
KEY_PATH = re.compile(r"^([a-z_]+(?:\[[^\[\]]*\])*)$")
ZERO_DECIMAL = {"jpy", "krw", "clp", "huf", "twd", "isk", "ugx", "vnd", "xaf", "xof"}
# Stripe's minimum charge per currency, in minor units (others: a nominal 1).
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "mxn": 1000, "jpy": 50}
LOCALES = {
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil",
    "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl",
    "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK",
    "zh-TW",
}  # fmt: skip
SUBMIT_TYPES = {"auto", "book", "donate", "pay", "subscribe"}
# The parameters of a Checkout Session the stand-in knows (Stripe knows many more; anything
# else is an unknown parameter here, which catches a misspelled one in the app).
KNOWN = {
    "mode", "submit_type", "line_items", "client_reference_id", "customer_email", "metadata",
    "payment_intent_data", "locale", "success_url", "cancel_url", "expires_at",
}  # fmt: skip
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _ParamError(Exception):
    def __init__(self, message: str, *, param: str = "", code: str = ""):
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs as nested objects; an object whose keys are all indexes becomes a
    list, as Stripe reads them."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        if not KEY_PATH.match(key):
            raise _ParamError(f"Invalid parameter name: {key}", param=key)
        head, _, rest = key.partition("[")
        path = [head, *(part for part in rest.rstrip("]").split("][") if rest)]
        node = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise _ParamError(f"Invalid object: {key}", param=key)
            node = child
        node[path[-1]] = value

    def listify(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        value = {k: listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
        return value

    return listify(root)


def _integer(value: Any, param: str, *, minimum: int = 0) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+", value):
        raise _ParamError(
            f"Invalid integer: {value}", param=param, code="parameter_invalid_integer"
        )
    number = int(value)
    if number < minimum:
        raise _ParamError(
            f"This value must be greater than or equal to {minimum}.",
            param=param,
            code="parameter_invalid_integer",
        )
    return number


def _required(obj: dict[str, Any], name: str, param: str) -> Any:
    value = obj.get(name)
    if value in (None, ""):
        raise _ParamError(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    return value


def _money(minor: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{minor} {currency}"
    return f"{minor / 100:.2f} {currency}"


def _metadata(value: Any, param: str) -> dict[str, str]:
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise _ParamError("Invalid object", param=param)
    if len(value) > 50:
        raise _ParamError("Metadata can have up to 50 keys.", param=param)
    for key, item in value.items():
        if len(key) > 40:
            raise _ParamError("Metadata keys can be up to 40 characters long.", param=param)
        if not isinstance(item, str) or len(item) > 500:
            raise _ParamError("Metadata values can be up to 500 characters long.", param=param)
    return dict(value)


def checked_session(form: dict[str, Any]) -> dict[str, Any]:
    """The session's parameters, checked; raises `_ParamError` as Stripe refuses them."""
    for name in form:
        if name not in KNOWN:
            raise _ParamError(f"Received unknown parameter: {name}", param=name)
    mode = _required(form, "mode", "mode")
    if mode not in ("payment", "setup", "subscription"):
        raise _ParamError(
            "Invalid mode: must be one of payment, setup, or subscription", param="mode"
        )
    if mode != "payment":
        raise _ParamError("The stand-in takes payment mode only.", param="mode")
    success_url = _required(form, "success_url", "success_url")
    for name in ("success_url", "cancel_url"):
        if name in form and not re.match(r"^https?://[^\s]+$", form[name]):
            raise _ParamError("Not a valid URL", param=name, code="url_invalid")
    items = form.get("line_items")
    if not items:
        raise _ParamError(
            "Missing required param: line_items.", param="line_items", code="parameter_missing"
        )
    if not isinstance(items, list):
        raise _ParamError("Invalid array", param="line_items")
    total, currency = 0, None
    for index, item in enumerate(items):
        where = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise _ParamError("Invalid object", param=where)
        unknown = set(item) - {"price_data", "quantity"}
        if unknown:
            name = sorted(unknown)[0]
            raise _ParamError(
                f"Received unknown parameter: {where}[{name}]", param=f"{where}[{name}]"
            )
        price = _required(item, "price_data", f"{where}[price_data]")
        if not isinstance(price, dict):
            raise _ParamError("Invalid object", param=f"{where}[price_data]")
        unknown = set(price) - {"currency", "unit_amount", "product_data"}
        if unknown:
            name = f"{where}[price_data][{sorted(unknown)[0]}]"
            raise _ParamError(f"Received unknown parameter: {name}", param=name)
        code = _required(price, "currency", f"{where}[price_data][currency]")
        if code not in CURRENCIES:
            raise _ParamError(
                f"Invalid currency: {code}. Stripe currently supports these currencies: "
                + ", ".join(sorted(CURRENCIES)),
                param=f"{where}[price_data][currency]",
            )
        if currency is not None and code != currency:
            raise _ParamError(
                "All line items must have the same currency.",
                param=f"{where}[price_data][currency]",
            )
        currency = code
        unit = _integer(
            _required(price, "unit_amount", f"{where}[price_data][unit_amount]"),
            f"{where}[price_data][unit_amount]",
        )
        product = _required(price, "product_data", f"{where}[price_data][product_data]")
        if not isinstance(product, dict):
            raise _ParamError("Invalid object", param=f"{where}[price_data][product_data]")
        _required(product, "name", f"{where}[price_data][product_data][name]")
        quantity = _integer(
            _required(item, "quantity", f"{where}[quantity]"), f"{where}[quantity]", minimum=1
        )
        total += unit * quantity
    assert currency is not None
    minimum = MINIMUM.get(currency, 1)
    if total < minimum:
        raise _ParamError(
            "The Checkout Session's total amount due must add up to at least "
            f"{_money(minimum, currency)}",
            param="line_items",
            code="amount_too_small",
        )
    if total > 99_999_999:
        raise _ParamError(
            "The Checkout Session's total amount due must be no more than "
            f"{_money(99_999_999, currency)}",
            param="line_items",
            code="amount_too_large",
        )
    locale = form.get("locale", "auto")
    if locale not in LOCALES:
        raise _ParamError(
            f"Invalid locale: must be one of {', '.join(sorted(LOCALES))}", param="locale"
        )
    submit_type = form.get("submit_type")
    if submit_type is not None and submit_type not in SUBMIT_TYPES:
        raise _ParamError(
            f"Invalid submit_type: must be one of {', '.join(sorted(SUBMIT_TYPES))}",
            param="submit_type",
        )
    email = form.get("customer_email")
    if email is not None and not EMAIL.match(email):
        raise _ParamError(
            f"Invalid email address: {email}", param="customer_email", code="email_invalid"
        )
    reference = form.get("client_reference_id")
    if reference is not None and not (0 < len(reference) <= 200):
        raise _ParamError(
            "client_reference_id must be 1 to 200 characters", param="client_reference_id"
        )
    metadata = _metadata(form.get("metadata", {}), "metadata")
    payment_metadata: dict[str, str] = {}
    intent = form.get("payment_intent_data")
    if intent is not None:
        if not isinstance(intent, dict) or set(intent) - {"metadata"}:
            raise _ParamError("Received unknown parameter", param="payment_intent_data")
        payment_metadata = _metadata(intent.get("metadata", {}), "payment_intent_data[metadata]")
    return {
        "mode": mode,
        "success_url": success_url,
        "total": total,
        "currency": currency,
        "locale": locale,
        "submit_type": submit_type,
        "email": email,
        "reference": reference,
        "metadata": metadata,
        "payment_metadata": payment_metadata,
    }
