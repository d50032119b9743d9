"""The demo network's fights, one story each, from the first call to where it stands today
(`model`, `under_way`, `closed`); the leads not yet taken on; the general meeting's other
decisions. Pure data in English and Spanish; `solnet.demo.story` walks each fight through its
stages. Names, companies and addresses are invented.
"""

from __future__ import annotations

from solnet.demo.stories.closed import CLOSED
from solnet.demo.stories.model import FightStory, Response
from solnet.demo.stories.under_way import UNDER_WAY

# Oldest first: the order they came in.
FIGHTS = sorted([*UNDER_WAY, *CLOSED], key=lambda story: -story.starts)

# Leads still open: someone to call back, a call made, an intake meeting set.
OPEN_LEADS = [
    (
        "Patricia",
        "es",
        "repairs",
        "web",
        "online",
        "new",
        "Cucarachas y una fuga en la cocina desde hace tres meses. El dueño no contesta.",
    ),
    (
        "Dmitri",
        "en",
        "wages",
        "call",
        "word_of_mouth",
        "contacted",
        "Delivery driver paid per stop; says he earns less than minimum wage most weeks.",
    ),
    (
        "Yesenia",
        "es",
        "eviction",
        "voicemail",
        "poster",
        "intake",
        "Le dijeron que tiene que salir del departamento el mes que viene, sin papel.",
    ),
]

# Decisions of the general meeting that are not about a fight: weeks before today, title,
# text, passes?
OTHER_DECISIONS = [
    (
        4,
        "Hold a know-your-rights training in Spanish",
        "A Saturday training on tenants' and workers' rights, in Spanish with English "
        "interpretation, run with the workers' rights clinic.",
        True,
    ),
    (
        2,
        "Move the weekly meeting to Saturday mornings",
        "Some members work evenings; others have children at home on Saturdays.",
        False,
    ),
]


__all__ = ["FIGHTS", "OPEN_LEADS", "OTHER_DECISIONS", "FightStory", "Response"]
