"""Counting attempts without keeping who made them.

Keys are HMAC(daily key, kind + value): the cache never holds an address or a handle in clear,
and yesterday's keys cannot be linked to today's. Entries expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac
import time

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
    entry = cache.get(_cache_key(kind, value))
    if entry is None or entry[1] <= time.time():
        return 0
    return int(entry[0])


def hit(kind: str, value: str, *, window: int) -> int:
    """Counts one attempt; the window starts at the first attempt and does not slide."""
    key = _cache_key(kind, value)
    now = time.time()
    entry = cache.get(key)
    if entry is None or entry[1] <= now:
        cache.set(key, (1, now + window), timeout=window)
        return 1
    attempts, ends = entry[0] + 1, entry[1]
    cache.set(key, (attempts, ends), timeout=max(1, int(ends - now)))
    return attempts


def reset(kind: str, value: str) -> None:
    cache.delete(_cache_key(kind, value))


def client_address(request) -> str:
    """The address to throttle by; used only inside the keyed hash above."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
