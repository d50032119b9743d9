"""Figures as data: tests marked `verify` or `bench` report measured figures here, and
`--figures=FILE` writes them as a list of {"name", "value", "unit", "floor", "ratio",
"target", "ok"} records and prints a table. Each later issue adds its figures the same way.

`SOLNET_BENCH_SCALE` (a fraction, at most 1; 1 by default) shrinks the benchmarks' sizes
through `scaled`, for a smoke run that still writes every figure: CI's. A scaled run says so
in the table's title and in every record's "scale", so that nobody reads its figures as the
real ones."""

from __future__ import annotations

import json
import math
import os
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
SCALE_VARIABLE = "SOLNET_BENCH_SCALE"


def bench_scale() -> float:
    """The fraction of their sizes the benchmarks run at: `SOLNET_BENCH_SCALE`, 1 if unset."""
    raw = os.environ.get(SCALE_VARIABLE, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        scale = math.nan
    if not 0 < scale <= 1:  # also refuses nan and inf
        raise ValueError(
            f"{SCALE_VARIABLE}={raw!r}: give a number above 0 and at most 1, the fraction of "
            "the benchmarks' sizes to run at (1, the default, is the full run; 0.05 a smoke run)"
        )
    return scale


def scaled(n: int, *, least: int = 1) -> int:
    """`n` at the run's scale (`SOLNET_BENCH_SCALE`), and never below `least`: the size a
    benchmark's own checks need to mean something."""
    return max(least, round(n * bench_scale()))


def _scale_note(scale: float) -> str:
    """How a scaled run's title says it: "(smoke run at 1/20 of the sizes)"."""
    whole = round(1 / scale)
    share = f"1/{whole}" if math.isclose(1 / scale, whole, rel_tol=1e-9) else f"{scale:g}"
    return f"(smoke run at {share} of the sizes)"


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


# Figures that many tests add to (the failures among the cases each one tried), summed over the
# tests, and over pytest-xdist's workers by the controller.
_SUMS: dict[str, dict] = {}


def add_up(name: str, *, failed: int, tried: int, unit: str, cases: str) -> Figure:
    """Adds one test's share to a figure counting failures: its value is the sum of `failed`,
    its target "0 (in N `cases`)" with N the sum of `tried`, ok when nothing failed."""
    part = _SUMS.setdefault(name, {"failed": 0, "tried": 0, "unit": unit, "cases": cases})
    part["failed"] += failed
    part["tried"] += tried
    return _summed(name)


def _summed(name: str) -> Figure:
    part = _SUMS[name]
    return record(
        name,
        part["failed"],
        unit=part["unit"],
        target=f"0 (in {part['tried']} {part['cases']})",
        ok=part["failed"] == 0,
    )


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


def percentile_figures(
    name: str, *, runs: list[float], floors: list[float], limit: float, median_name: str = ""
) -> tuple[Figure, Figure]:
    """For runs timed in turns with their floors: the median as an informative figure
    (`median_name`, else `name_median`), and the ratio of the 95th percentiles as the figure
    `name`, ok at most `limit`."""
    runs, floors = sorted(runs), sorted(floors)
    middle, index = len(runs) // 2, int(0.95 * len(runs)) - 1
    median = record(
        median_name or f"{name}_median",
        round(runs[middle], 5),
        unit="s",
        target="informative",
        ok=True,
        floor=round(floors[middle], 5),
    )
    p95 = ratio_figure(name, measured=runs[index], floor=floors[index], limit=limit, unit="s")
    return median, p95


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


def pytest_configure(config) -> None:
    try:
        bench_scale()  # a wrong value stops the run before anything is measured
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def _records() -> list[dict]:
    """The figures as written: each with the run's "scale" when the run was scaled."""
    scale = bench_scale()
    records = [asdict(f) for f in _FIGURES]
    if scale != 1:
        for item in records:
            item["scale"] = scale
    return records


def pytest_sessionfinish(session, exitstatus) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # A pytest-xdist worker: its figures go to the controller, which writes them all.
        workeroutput["figures"] = [asdict(f) for f in _FIGURES]
        workeroutput["figure_sums"] = _SUMS
        return
    path = session.config.getoption("--figures")
    if not path:
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_records(), indent=2) + "\n")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller: a worker's figures join the run's. A figure is measured
    whole by one test, except those many tests add up (`add_up`), which are summed here."""
    output = getattr(node, "workeroutput", {})
    for item in output.get("figures", []):
        record(**item)
    for name, part in output.get("figure_sums", {}).items():
        mine = _SUMS.setdefault(name, {**part, "failed": 0, "tried": 0})
        mine["failed"] += part["failed"]
        mine["tried"] += part["tried"]
    for name in _SUMS:
        _summed(name)  # the whole sum, over the worker's partial one


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not config.getoption("--figures"):
        return
    write = terminalreporter.write_line
    write("")
    title, scale = config.getoption("--figures-title"), bench_scale()
    write(title if scale == 1 else f"{title} {_scale_note(scale)}")
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
