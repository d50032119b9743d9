"""Counting attempts without keeping who made them.

Keys are HMAC(daily key, kind + value): the cache never holds an address or a handle in clear,
and yesterday's keys cannot be linked to today's. Entries expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def _daily_key() -> bytes:
    day = timezone.now().date().isoformat()
    return hmac.new(settings.SECRET_KEY.encode(), f"throttle:{day}".encode(), "sha256").digest()


def _cache_key(kind: str, value: str) -> str:
    digest = hmac.new(_daily_key(), f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return f"throttle:{kind}:{digest[:32]}"


def count(kind: str, value: str) -> int:
    return int(cache.get(_cache_key(kind, value), 0))


def hit(kind: str, value: str, *, window: int) -> int:
    key = _cache_key(kind, value)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def reset(kind: str, value: str) -> None:
    cache.delete(_cache_key(kind, value))


def client_address(request) -> str:
    """The address to throttle by; used only inside the keyed hash above."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
