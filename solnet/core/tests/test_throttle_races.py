"""Counting attempts under concurrency: tries fired at the same moment each get a number of
their own, so no burst slips more tries past a limit than the limit allows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from solnet.core import throttle

BURST = 40


def fire_together(count: int, attempt: Callable[[], int]) -> list[int]:
    """Runs `attempt` in `count` threads released at the same instant; returns what each got."""
    barrier = threading.Barrier(count)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value = attempt()
        except BaseException as error:  # reported to the test thread below
            with lock:
                errors.append(error)
            return
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_hits_each_get_their_own_count():
    results = fire_together(BURST, lambda: throttle.hit("race-test", "someone", window=60))
    assert sorted(results) == list(range(1, BURST + 1))
    assert throttle.count("race-test", "someone") == BURST


def test_a_burst_gets_no_more_tries_than_the_limit():
    limit = 5
    allowed = fire_together(
        BURST, lambda: int(throttle.hit("race-test", "a burst", window=60) <= limit)
    )
    assert sum(allowed) == limit


def test_the_window_starts_at_the_first_try_and_does_not_slide():
    assert throttle.hit("window-test", "someone", window=2) == 1
    time.sleep(1)
    assert throttle.hit("window-test", "someone", window=2) == 2  # the window did not restart
    time.sleep(1.5)
    assert throttle.count("window-test", "someone") == 0
    assert throttle.hit("window-test", "someone", window=2) == 1


def test_release_gives_back_one_try_and_reset_forgets_all():
    for _ in range(3):
        throttle.hit("release-test", "someone", window=60)
    throttle.release("release-test", "someone")
    assert throttle.count("release-test", "someone") == 2
    throttle.reset("release-test", "someone")
    assert throttle.count("release-test", "someone") == 0
    throttle.release("release-test", "someone")  # nothing to give back: no error, no negative
    assert throttle.count("release-test", "someone") == 0


def test_ipv6_neighbours_count_as_one_source(rf):
    first = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    second = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    elsewhere = rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    mapped = rf.get("/", REMOTE_ADDR="::ffff:198.51.100.7")
    plain = rf.get("/", REMOTE_ADDR="198.51.100.7")
    assert throttle.client_source(first) == throttle.client_source(second)
    assert throttle.client_source(first) != throttle.client_source(elsewhere)
    assert throttle.client_source(mapped) == throttle.client_source(plain)
