"""A seeded set of targets whose portfolios are known in advance, for the portfolio test and
its benchmark.

Each planned portfolio is a chain of targets joined one to the next in one of three ways: the
same owner's name written differently ("Joe's Diner, LLC" / "JOES DINER L.L.C."), the same
address written differently ("1400 Pine Street, Suite 2" / "1400 pine st ste 2"), or a recorded
link. Every name and address is otherwise unique to its portfolio, so the components are
exactly the planned groups.
"""

from __future__ import annotations

import random

NAME_VARIANTS = [
    lambda n: f"Adler Holdings {n}, LLC",
    lambda n: f"ADLER HOLDINGS {n} L.L.C.",
    lambda n: f"adler holdings {n} inc",
]
ADDRESS_VARIANTS = [
    lambda n: f"{n} Pine Street, Suite 2",
    lambda n: f"{n} pine st ste 2",
    lambda n: f"{n} PINE ST. #2",
]


def seeded(count: int, *, seed: int = 7):
    """(targets, links, plan): targets as (index, name, address) with indexes 0..count-1,
    links as index pairs, plan as the list of planned groups (lists of indexes)."""
    rng = random.Random(seed)
    targets: list[tuple[int, str, str]] = []
    links: list[tuple[int, int]] = []
    plan: list[list[int]] = []
    group = 0
    while len(targets) < count:
        size = min(rng.choice([1, 1, 2, 3, 5, 8, 13, 30]), count - len(targets))
        members = []
        for position in range(size):
            index = len(targets)
            # Unique filler by default; a join to the previous member in one of three ways.
            name, address = f"Solo Owner {group}-{position}", f"{group}-{position} Elm Ave"
            if position:
                way = rng.randrange(3)
                if way == 0:
                    name = rng.choice(NAME_VARIANTS)(group)
                    previous = targets[index - 1]
                    targets[index - 1] = (previous[0], NAME_VARIANTS[0](group), previous[2])
                elif way == 1:
                    address = rng.choice(ADDRESS_VARIANTS)(1000 + group)
                    previous = targets[index - 1]
                    targets[index - 1] = (
                        previous[0],
                        previous[1],
                        ADDRESS_VARIANTS[0](1000 + group),
                    )
                else:
                    links.append((index - 1, index))
            targets.append((index, name, address))
            members.append(index)
        plan.append(members)
        group += 1
    return targets, links, plan
