"""Counting attempts without keeping who made them.

Keys are HMAC(daily key, kind + value): the cache never holds an address or a handle in clear,
and yesterday's keys cannot be linked to today's. Entries expire with their window.

Every count is a reservation: `hit` adds the try and answers its number in one atomic step, and
the caller compares that number with the limit *before* checking the password or code. Tries
fired at the same instant each get a number of their own, so a burst gets no more checks than
the limit (reading the count first and adding to it after the check would let them all through).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import ipaddress
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

# Backends whose `add` and `incr` are atomic and whose `incr` keeps the entry's expiry.
_ATOMIC_BACKENDS = (RedisCache, LocMemCache, BaseMemcachedCache)
_LOCK_NAME = "throttle.lock"


def _daily_key() -> bytes:
    day = timezone.now().date().isoformat()
    return hmac.new(settings.SECRET_KEY.encode(), f"throttle:{day}".encode(), "sha256").digest()


def _cache_key(kind: str, value: str) -> str:
    digest = hmac.new(_daily_key(), f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
    # "n": entries counted with `incr`, under names of their own so that `incr` never meets an
    # entry of another shape (a pickled pair), which Redis would refuse.
    return f"throttle:n:{kind}:{digest[:32]}"


def _backend() -> BaseCache:
    return caches[DEFAULT_CACHE_ALIAS]


@contextmanager
def _locked(backend: BaseCache) -> Iterator[None]:
    """One writer at a time, across the processes and threads sharing a file cache.

    The file cache's `add` and `incr` read and write in two steps, so on SQLite setups the
    count is read and written under an exclusive lock on a file next to the cache's own."""
    # FileBasedCache keeps its directory in `_dir`; other non-atomic backends fall back to the
    # data directory, which this host's processes share too.
    directory = getattr(backend, "_dir", None) or str(settings.DATA_DIR)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    descriptor = os.open(os.path.join(directory, _LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _entry_count(entry: object, now: float) -> int:
    """Atomic backends keep a bare number that expires with the entry; the file cache keeps
    (number, end of window), because rewriting it would otherwise restart its expiry."""
    if isinstance(entry, int):
        return entry
    if isinstance(entry, tuple) and entry[1] > now:
        return int(entry[0])
    return 0


def count(kind: str, value: str) -> int:
    return _entry_count(_backend().get(_cache_key(kind, value)), time.time())


def hit(kind: str, value: str, *, window: int) -> int:
    """Counts one attempt and answers its number, atomically; the window starts at the first
    attempt and does not slide."""
    key = _cache_key(kind, value)
    backend = _backend()
    if isinstance(backend, _ATOMIC_BACKENDS):
        while True:
            backend.add(key, 0, timeout=window)
            try:
                attempts = backend.incr(key)
            except ValueError:  # the entry expired between the two calls: start a new window
                continue
            if attempts == 1:
                # The first attempt: make sure its window is set even if the entry was made
                # again by `incr` after expiring between Redis's own two steps.
                backend.touch(key, timeout=window)
            return int(attempts)
    with _locked(backend):
        now = time.time()
        entry = backend.get(key)
        attempts = _entry_count(entry, now) + 1
        ends = entry[1] if attempts > 1 and isinstance(entry, tuple) else now + window
        backend.set(key, (attempts, ends), timeout=max(1, math.ceil(ends - now)))
        return attempts


def release(kind: str, value: str) -> None:
    """Gives back one attempt that `hit` counted and that turned out not to be a failure."""
    key = _cache_key(kind, value)
    backend = _backend()
    if isinstance(backend, _ATOMIC_BACKENDS):
        try:
            if backend.decr(key) < 0:
                backend.incr(key)
        except ValueError:  # already expired or reset: nothing to give back
            pass
        return
    with _locked(backend):
        now = time.time()
        entry = backend.get(key)
        attempts = _entry_count(entry, now)
        if attempts > 0 and isinstance(entry, tuple):
            backend.set(key, (attempts - 1, entry[1]), timeout=max(1, math.ceil(entry[1] - now)))


def reset(kind: str, value: str) -> None:
    _backend().delete(_cache_key(kind, value))


def client_address(request) -> str:
    """The address to throttle by; used only inside the keyed hash above."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_source(request) -> str:
    """Where an attempt comes from, for limits per place: the address, except that an IPv6
    address stands for its /64 network, which one household or one server holds whole (counting
    each of its addresses apart would give an attacker billions of places). Used only inside
    the keyed hash above, like the address."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
