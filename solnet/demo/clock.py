"""The demo's clock: the story of the demo network is told in order, on a clock set back to
the day each step happened.

Every date SolNet writes comes from `django.utils.timezone` (`timezone.now()`,
`timezone.localdate()`, and the model fields whose default is one of them), and that module
reads the time through its own `datetime.now`. While the story is told, that one name is
replaced by a class whose `now()` runs behind the real clock; everything else about it is
the ordinary `datetime`. So each service writes the dates it would have written had the
network really lived those weeks — a meeting called with its notice and opened on the day,
a member past the waiting period when they vote — and no row is edited afterwards.

Only the demo command uses this, in one process, before any server starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.utils import timezone as django_timezone


class _Datetime(type):
    """The replacement class counts every datetime as its own, as `datetime` itself does."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, dt.datetime)

    def __subclasscheck__(cls, subclass) -> bool:
        return issubclass(subclass, dt.datetime)


class StoryClock:
    """Where the story is: `at` moves the clock (never past the real time)."""

    def __init__(self) -> None:
        self.behind = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) - self.behind

    def at(self, moment: dt.datetime) -> dt.datetime:
        """Sets the clock to `moment` (aware); the real time if `moment` is later."""
        self.behind = max(dt.timedelta(0), dt.datetime.now(dt.UTC) - moment)
        return self.now()

    def back_to_now(self) -> None:
        self.behind = dt.timedelta(0)


class Timeline:
    """The steps of the story, each at its moment; `tell` takes them in order of time (steps
    at the same moment in the order they were added)."""

    def __init__(self) -> None:
        self._steps: list[tuple[dt.datetime, int, Callable[[], object]]] = []

    def at(self, moment: dt.datetime, step: Callable[..., object], *args: object) -> None:
        """`step(*args)` at `moment`."""
        self._steps.append((moment, len(self._steps), partial(step, *args)))

    def tell(self, clock: StoryClock) -> None:
        for moment, _order, step in sorted(self._steps, key=lambda s: (s[0], s[1])):
            clock.at(moment)
            step()


@contextmanager
def story_clock() -> Iterator[StoryClock]:
    clock = StoryClock()

    class ClockedDatetime(dt.datetime, metaclass=_Datetime):
        @classmethod
        def now(cls, tz=None):
            # A plain datetime, never this class: what is stored and compared stays ordinary.
            return dt.datetime.now(tz) - clock.behind

    real = django_timezone.datetime
    django_timezone.datetime = ClockedDatetime  # type: ignore[misc]  # the story's clock
    try:
        yield clock
    finally:
        django_timezone.datetime = real  # type: ignore[misc]
