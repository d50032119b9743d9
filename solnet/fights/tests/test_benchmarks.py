"""Benchmark of the fights app (`make bench`): the portfolio grouping of 10,000 seeded targets
against a bare networkx run on the same data.

Ours starts from the rows (id, name key, address key) and the recorded links, as `refresh()`
has them; the floor is networkx given the same graph already as an edge list (the links, and
each target joined to the first one sharing its name or address) and asked only for its
connected components. Both results are checked against the known portfolios."""

from __future__ import annotations

import networkx as nx
import pytest

from solnet.core.testing.figures import (
    best_of_interleaved,
    ratio_figure,
    record,
    scaled,
    seconds,
)
from solnet.fights import portfolios
from solnet.fights.models import Target, TargetLink
from solnet.fights.tests.portfolio_data import seeded

pytestmark = [pytest.mark.bench]
COUNT = scaled(10_000, least=100)  # fewer in a smoke run (SOLNET_BENCH_SCALE)


def _edges(rows, links):
    first: dict[tuple[str, str], int] = {}
    edges = list(links)
    for pk, name, address in rows:
        for key in (("n", name), ("a", address)):
            if key[1]:
                edges.append((first.setdefault(key, pk), pk))
    return edges


@pytest.mark.django_db(transaction=True)
def test_portfolios_of_10k_targets():
    targets, links, plan = seeded(COUNT)
    rows = [
        (pk, portfolios.name_key(name), portfolios.address_key(address))
        for pk, name, address in targets
    ]
    edges = _edges(rows, links)
    expected = {frozenset(group) for group in plan}
    results = {}

    def ours() -> float:
        return seconds(lambda: results.__setitem__("ours", portfolios.components(rows, links)))

    def floor() -> float:
        def run():
            graph = nx.Graph()
            graph.add_nodes_from(pk for pk, _n, _a in rows)
            graph.add_edges_from(edges)
            results["networkx"] = list(nx.connected_components(graph))

        return seconds(run)

    floor_time, ours_time = best_of_interleaved(floor, ours, repeat=7)
    groups: dict[int, set[int]] = {}
    for pk, portfolio in results["ours"].items():
        groups.setdefault(portfolio, set()).add(pk)
    assert {frozenset(g) for g in groups.values()} == expected
    assert {frozenset(c) for c in results["networkx"]} == expected
    print(
        ratio_figure(
            "fights.portfolio_10k", measured=ours_time, floor=floor_time, limit=2, unit="s"
        )
    )

    # The whole refresh as a page pays it: read 10,000 targets, compute, write every number.
    made = Target.objects.bulk_create(
        Target(name=n, kind="company", address=a, name_key=nk, address_key=ak)
        for (_i, n, a), (_p, nk, ak) in zip(targets, rows, strict=True)
    )
    TargetLink.objects.bulk_create(
        TargetLink(source=made[a], kind="owns", other=made[b]) for a, b in links
    )
    first = seconds(portfolios.refresh)
    again = seconds(portfolios.refresh)
    print(record("fights.portfolio_10k.refresh_first", round(first, 3), unit="s",
                 target="informative", ok=True))  # fmt: skip
    print(record("fights.portfolio_10k.refresh_unchanged", round(again, 3), unit="s",
                 target="informative", ok=True))  # fmt: skip
