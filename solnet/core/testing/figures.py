"""Figures as data: tests marked `verify` or `bench` report measured figures here, and
`--figures=FILE` writes them as a list of {"name", "value", "unit", "floor", "ratio",
"target", "ok"} records and prints a table. Each later issue adds its figures the same way."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    ok: bool
    floor: float | None = None
    ratio: float | None = None


_FIGURES: list[Figure] = []


def record(
    name: str,
    value: float,
    *,
    unit: str,
    target: str,
    ok: bool,
    floor: float | None = None,
    ratio: float | None = None,
) -> Figure:
    figure = Figure(name, value, unit, target, bool(ok), floor, ratio)
    _FIGURES[:] = [f for f in _FIGURES if f.name != name] + [figure]
    return figure


def ratio_figure(name: str, *, measured: float, floor: float, limit: float, unit: str) -> Figure:
    """A benchmark figure: `measured` against a `floor` timed in the same run; ok when the
    ratio is at most `limit`."""
    ratio = measured / floor if floor > 0 else float("inf")
    return record(
        name,
        round(measured, 6),
        unit=unit,
        floor=round(floor, 6),
        ratio=round(ratio, 3),
        target=f"ratio <= {limit}",
        ok=ratio <= limit,
    )


def seconds(run: Callable[[], object]) -> float:
    """How long one call of `run` took."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_of_interleaved(
    floor: Callable[[], float], measured: Callable[[], float], *, repeat: int
) -> tuple[float, float]:
    """Times a floor and the measured code in turns, `repeat` times each, and keeps the best
    time of each. Each callable does its own setup and returns the seconds of the part that
    counts. Taking turns makes both meet the same load on a shared machine; the best of
    several runs is the one least disturbed, since noise only ever adds time (the reasoning
    of `timeit`). A median of floors timed before the measured runs moved by a third from one
    run of `make bench` to the next, which a ratio cannot survive."""
    floors, runs = [], []
    for _ in range(repeat):
        floors.append(floor())
        runs.append(measured())
    return min(floors), min(runs)


def pytest_addoption(parser) -> None:
    parser.addoption("--figures", default="", help="write measured figures to this JSON file")
    parser.addoption("--figures-title", default="Figures", help="title of the printed table")


def pytest_sessionfinish(session, exitstatus) -> None:
    path = session.config.getoption("--figures")
    if not path:
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(f) for f in _FIGURES], indent=2) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not config.getoption("--figures"):
        return
    write = terminalreporter.write_line
    write("")
    write(config.getoption("--figures-title"))
    header = (
        f"{'figure':<34} {'value':>12} {'unit':<16} {'floor':>10} {'ratio':>7}  target{'':<16} ok"
    )
    write(header)
    write("-" * len(header))
    for f in _FIGURES:
        floor = "" if f.floor is None else f"{f.floor:g}"
        ratio = "" if f.ratio is None else f"{f.ratio:g}"
        write(
            f"{f.name:<34} {f.value:>12g} {f.unit:<16} {floor:>10} {ratio:>7}  "
            f"{f.target:<22} {'yes' if f.ok else 'NO'}"
        )
    write(f"written to {config.getoption('--figures')}")


@pytest.fixture
def figures():
    return record
