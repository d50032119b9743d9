"""What a load run measured, as tables and as data: each page's requests, p50, p95, p99,
errors and its p95 as a multiple of the floor's, measured on the same server in the same run;
and the sign-in storm with the memory of the web workers."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from load.locustfile import FLOOR, SIGN_IN, SIGN_IN_WHOLE

# SECURITY.md, R-5: 50 users on loopback, a mixed scenario.
R5_P95_MS = 300
R5_P99_MS = 1000
# The pages' target in this run: each page's p95 at most this many times the floor's.
FLOOR_LIMIT = 4


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Samples:
    """Response times (ms) and errors by request name, while `recording` is on."""

    recording: bool = False
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: dict[str, str] = field(default_factory=dict)

    def listen(self, *, name: str, response_time: float, exception, **_: Any) -> None:
        if not self.recording:
            return
        self.times[name].append(response_time)
        if exception is not None:
            self.errors[name] += 1
            self.error_examples.setdefault(name, str(exception)[:200])

    def clear(self) -> None:
        self.times.clear()
        self.errors.clear()
        self.error_examples.clear()


def row(name: str, times: list[float], errors: int) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "page": name,
        "requests": len(ordered),
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1) if ordered else math.nan,
        "errors": errors,
    }


def pages_table(samples: Samples) -> dict[str, Any]:
    """One row per page, the floor first, then the slowest p95 first; a row for all pages."""
    names = [n for n in samples.times if n not in SIGN_IN]
    rows = [row(n, samples.times[n], samples.errors.get(n, 0)) for n in names]
    floor = next((r for r in rows if r["page"] == FLOOR), None)
    floor_p95 = floor["p95_ms"] if floor else math.nan
    for r in rows:
        r["p95_x_floor"] = round(r["p95_ms"] / floor_p95, 2) if floor_p95 else math.nan
    rows.sort(key=lambda r: (r["page"] != FLOOR, -r["p95_ms"]))
    every = [t for n in names for t in samples.times[n]]
    total = row("all pages", every, sum(samples.errors.get(n, 0) for n in names))
    total["p95_x_floor"] = round(total["p95_ms"] / floor_p95, 2) if floor_p95 else math.nan
    over = [r["page"] for r in rows if r["p95_x_floor"] > FLOOR_LIMIT]
    return {
        "floor": FLOOR,
        "floor_p95_ms": floor_p95,
        "pages": rows,
        "all": total,
        "over_limit": over,
        "r5": {
            "p95_ms": total["p95_ms"],
            "p99_ms": total["p99_ms"],
            "error_rate": round(total["errors"] / total["requests"], 5)
            if total["requests"]
            else math.nan,
            "ok": total["p95_ms"] <= R5_P95_MS
            and total["p99_ms"] <= R5_P99_MS
            and total["errors"] == 0,
        },
        "error_examples": {n: e for n, e in samples.error_examples.items() if n not in SIGN_IN},
    }


def storm_table(samples: Samples) -> list[dict[str, Any]]:
    return [
        row(name, samples.times.get(name, []), samples.errors.get(name, 0))
        for name in SIGN_IN
        if name in samples.times
    ]


def print_pages(title: str, table: dict[str, Any]) -> None:
    print(f"\n{title}")
    header = f"{'page':<28}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(header + f"{'errors':>8}{'p95 / floor':>13}")
    print("-" * (len(header) + 21))
    for r in [*table["pages"], table["all"]]:
        flag = "  > limit" if r["page"] in table["over_limit"] else ""
        print(
            f"{r['page']:<28}{r['requests']:>9}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
            f"{r['p99_ms']:>9.0f}{r['errors']:>8}{r['p95_x_floor']:>12.1f}x{flag}"
        )
    r5 = table["r5"]
    print(
        f"Every page's p95 at most {FLOOR_LIMIT}x the floor's: "
        + ("yes" if not table["over_limit"] else "no, " + ", ".join(table["over_limit"]))
    )
    print(
        f"R-5 (p95 <= {R5_P95_MS} ms, p99 <= {R5_P99_MS} ms, no errors): p95 {r5['p95_ms']:.0f}"
        f" ms, p99 {r5['p99_ms']:.0f} ms, error rate {100 * r5['error_rate']:.2f} %: "
        + ("met" if r5["ok"] else "not met")
    )
    for name, example in table["error_examples"].items():
        print(f"  errors on {name}, e.g.: {example}")


def print_storm(storm: dict[str, Any]) -> None:
    print(f"\nSign-in storm: {storm['users']} members sign in at once")
    print(f"{'step':<22}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}")
    for r in storm["steps"]:
        print(
            f"{r['page']:<22}{r['requests']:>9}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
            f"{r['max_ms']:>9.0f}{r['errors']:>8}"
        )
    whole = next((r for r in storm["steps"] if r["page"] == SIGN_IN_WHOLE), None)
    if whole:
        print(f"All signed in after {storm['seconds']:.1f} s; {storm['signed_in']} succeeded.")
    memory = storm["memory"]
    print(
        f"Web workers' memory: {memory['before_mib']:.0f} MiB before, at most "
        f"{memory['peak_total_mib']:.0f} MiB together during the storm (sampled every "
        f"{memory['sample_ms']} ms); each worker's peak RSS: "
        + ", ".join(f"{m:.0f}" for m in memory["worker_peaks_mib"])
        + " MiB"
    )
