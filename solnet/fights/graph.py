"""The picture of a portfolio: its targets on a circle and the links between them, drawn as
SVG in the page (no script, no style attribute: the strict CSP allows it, and it prints)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from solnet.fights.models import Target, TargetLink

SIZE = 400
RADIUS = 150
MAX_NODES = 40


@dataclass
class Node:
    x: float
    y: float
    label: str
    public_id: str
    current: bool
    label_anchor: str

    @property
    def label_y(self) -> float:
        return round(self.y - 16, 1)


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    shared: bool  # joined by a shared name or address rather than a recorded link


def portfolio_picture(target: Target) -> dict:
    """Nodes and edges for the template; at most `MAX_NODES` targets, the current one first."""
    members = (
        list(Target.objects.filter(portfolio=target.portfolio).order_by("pk")[: MAX_NODES + 1])
        if target.portfolio
        else [target]
    )
    more = len(members) > MAX_NODES
    members = sorted(members[:MAX_NODES], key=lambda t: (t.pk != target.pk, t.pk))
    if target not in members:
        members = [target, *members[: MAX_NODES - 1]]
    centre = SIZE / 2
    nodes: dict[int, Node] = {}
    for index, member in enumerate(members):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(members), 1)
        x = centre + (RADIUS if len(members) > 1 else 0) * math.cos(angle)
        y = centre + (RADIUS if len(members) > 1 else 0) * math.sin(angle)
        anchor = "middle" if abs(x - centre) < 20 else ("start" if x > centre else "end")
        label = member.name if len(member.name) <= 22 else member.name[:21] + "…"
        nodes[member.pk] = Node(round(x, 1), round(y, 1), label, member.public_id,
                                member.pk == target.pk, anchor)  # fmt: skip
    edges: list[Edge] = []
    ids = list(nodes)
    linked = set()
    for source_id, other_id in TargetLink.objects.filter(
        source_id__in=ids, other_id__in=ids
    ).values_list("source_id", "other_id"):
        a, b = nodes[source_id], nodes[other_id]
        edges.append(Edge(a.x, a.y, b.x, b.y, shared=False))
        linked.add(frozenset((source_id, other_id)))
    by_key: dict[tuple[str, str], list[int]] = {}
    for member in members:
        for key in (("n", member.name_key), ("a", member.address_key)):
            if key[1]:
                by_key.setdefault(key, []).append(member.pk)
    for group in by_key.values():
        for a_id, b_id in itertools.pairwise(group):
            if frozenset((a_id, b_id)) not in linked:
                a, b = nodes[a_id], nodes[b_id]
                edges.append(Edge(a.x, a.y, b.x, b.y, shared=True))
    return {"nodes": list(nodes.values()), "edges": edges, "more": more, "size": SIZE}
