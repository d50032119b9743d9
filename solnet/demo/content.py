"""What the demo network is made of: its members, the people it knows, its councils, in
English and Spanish (the fights are in `solnet.demo.fight_stories`). Pure data;
`solnet.demo.build` brings it to life through the apps' services.

Every name, number and address here is invented. Phone numbers are in the range 555-0100 to
555-0199 kept for fiction, email addresses are at example.org.
"""

from __future__ import annotations

from dataclasses import dataclass

from solnet.members.models import Tier

NETWORK_NAME = "Eastside Tenants & Workers (demo)"
CITY = "Seattle"
MEETING_PLACE = "Casa del Pueblo, 1622 S Jackson St"
LEGAL_CONTACT = "Eastside Workers' Rights Clinic (demo)"


def phone(number: int) -> str:
    """A number in the range kept for fiction, +1 206 555 0100 to 0199, in E.164 as SolNet
    keeps numbers."""
    return f"+1206555{100 + number:04d}"


# --- accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    language: str  # the language SolNet speaks to them
    languages: tuple[str, ...]  # the languages they speak, on their own record
    invited_by: str | None  # the founder has no inviter
    approved_by: str | None = None  # who vouched for them once the founding phase was over
    joined_day: int = 0  # days after the founding


ORGANIZER = "dana"
MEMBER = "lucia"

ACCOUNTS = [
    Account("dana", "Dana", "en", ("en",), None),
    Account("lucia", "Lucía", "es", ("es", "en"), "dana", joined_day=3),
    Account("marcus", "Marcus", "en", ("en",), "dana", joined_day=5),
    Account("ana", "Ana", "es", ("es", "en"), "dana", joined_day=8),
    Account("tom", "Tom", "en", ("en",), "dana", joined_day=11),
    # Joined once the founding group was complete: someone outside the inviter's circle
    # approved each of them.
    Account("fatima", "Fatima", "en", ("en",), "marcus", approved_by="dana", joined_day=25),
    Account("jorge", "Jorge", "es", ("es",), "lucia", approved_by="ana", joined_day=33),
]

# Where members stand in the councils (unit, or department and shift), and their skills.
ACCOUNT_PLACES = {
    "lucia": ("pine", "305", "", "organizing"),
    "marcus": ("warehouse", "Shipping", "Day shift", "organizing"),
    "jorge": ("warehouse", "Picking", "Night shift", "member"),
}
ACCOUNT_SKILLS = {
    "dana": ("facilitator", "caller"),
    "lucia": ("interpreter", "caller"),
    "marcus": ("marshal_captain", "marshal"),
    "ana": ("facilitator", "note_taker", "interpreter"),
    "tom": ("legal_observer", "driver"),
    "fatima": ("researcher", "poster_crew"),
    "jorge": ("marshal",),
}


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Someone:
    name: str
    languages: tuple[str, ...]
    tier: int
    # ("pine", unit) or ("warehouse", department, shift), or () for a supporter.
    place: tuple[str, ...] = ()
    email: bool = False
    skills: tuple[str, ...] = ()
    interpreter: bool = False
    transport: str = ""
    notice: str = ""
    notes: str = ""
    support: int = 2  # the council's assessment, 1 (leader) to 5 (hostile)


S, P = Tier.SUPPORTER, Tier.PHONE_TREE

PEOPLE = [
    # Tenants of 1400 Pine St.
    Someone(
        "Rosa M.",
        ("es",),
        P,
        ("pine", "101"),
        support=1,
        notes="Knows every family on the first floor.",
    ),
    Someone("Samuel O.", ("en",), P, ("pine", "102"), email=True, support=2),
    Someone(
        "Guadalupe R.", ("es",), S, ("pine", "103"), interpreter=True, notice="one_day", support=3
    ),
    Someone("Kevin T.", ("en",), P, ("pine", "201"), skills=("poster_crew",), support=2),
    Someone("Mei L.", ("en",), S, ("pine", "202"), email=True, support=3),
    Someone("Héctor V.", ("es",), P, ("pine", "203"), transport="car", support=2),
    Someone(
        "Brianna W.",
        ("en",),
        S,
        ("pine", "301"),
        support=4,
        notes="Worried about her lease renewal in June.",
    ),
    Someone("Abdi H.", ("en",), P, ("pine", "302"), skills=("driver",), transport="car", support=2),
    Someone("Carmen S.", ("es",), P, ("pine", "303"), support=1),
    Someone("Luis P.", ("es", "en"), S, ("pine", "401"), skills=("interpreter",), support=2),
    Someone(
        "Janelle K.", ("en",), S, ("pine", "402"), email=True, notice="several_days", support=3
    ),
    Someone("Yolanda F.", ("es",), P, ("pine", "403"), transport="needs_ride", support=2),
    # Workers at QuickShip's warehouse.
    Someone("Andre J.", ("en",), P, ("warehouse", "Receiving", "Day shift"), support=1),
    Someone("Maribel C.", ("es",), P, ("warehouse", "Picking", "Swing shift"), support=1),
    Someone("Trevor B.", ("en",), S, ("warehouse", "Shipping", "Night shift"), support=3),
    Someone("Esperanza G.", ("es",), P, ("warehouse", "Picking", "Day shift"), support=2),
    Someone("DeShawn M.", ("en",), P, ("warehouse", "Shipping", "Swing shift"), support=2),
    Someone(
        "Noemí A.",
        ("es",),
        S,
        ("warehouse", "Receiving", "Night shift"),
        interpreter=True,
        support=3,
    ),
    Someone(
        "Paul N.",
        ("en",),
        S,
        ("warehouse", "Picking", "Night shift"),
        support=5,
        notes="Lead hand; reports to the floor manager.",
    ),
    Someone(
        "Francisco D.",
        ("es",),
        P,
        ("warehouse", "Shipping", "Day shift"),
        transport="transit",
        support=2,
    ),
    Someone(
        "Tasha R.", ("en",), P, ("warehouse", "Receiving", "Swing shift"), email=True, support=2
    ),
    Someone("Ramón E.", ("es",), S, ("warehouse", "Picking", "Swing shift"), support=4),
    Someone("Kim N.", ("en",), S, ("warehouse", "Shipping", "Day shift"), support=3),
    Someone(
        "Alejandra Q.",
        ("es", "en"),
        P,
        ("warehouse", "Receiving", "Day shift"),
        skills=("caller",),
        support=2,
    ),
    # Supporters around the network.
    Someone("Pat G.", ("en",), P, email=True, skills=("legal_observer", "driver"), transport="car"),
    Someone("Miguel Á.", ("es",), P, skills=("copwatch",), transport="bike_walk"),
    Someone("Sarah L.", ("en",), S, email=True, notice="one_week"),
    Someone("Omar F.", ("en",), P, skills=("medic",)),
    Someone("Irene C.", ("es", "en"), P, email=True, skills=("interpreter", "caller")),
    Someone("Joe D.", ("en",), S, email=True, transport="transit"),
]

# People are recorded from this many days after the founding, one every day or two; the
# members' trainings (marshals, legal observers) were held on TRAINED_DAY.
PEOPLE_FROM_DAY = 36
TRAINED_DAY = 72


# --- councils --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilPlan:
    key: str
    name: str
    kind: str
    site: str
    site_kind: str
    sections: tuple[str, ...]  # units, or departments
    shifts: tuple[str, ...] = ()
    committee: str = ""
    purpose: str = ""
    committee_people: tuple[str, ...] = ()
    day: int = 0  # days after the founding


COUNCILS = [
    CouncilPlan(
        "pine",
        "Pine Street Tenants' Council",
        "tenant",
        "Pine Street Apartments, 1400 Pine St",
        "building",
        (
            "101",
            "102",
            "103",
            "201",
            "202",
            "203",
            "204",
            "301",
            "302",
            "303",
            "305",
            "401",
            "402",
            "403",
        ),
        committee="Repairs committee",
        purpose="Keeps the list of repairs, unit by unit, and checks each one when it is done.",
        committee_people=("Lucía", "Rosa M.", "Kevin T.", "Carmen S."),
        day=58,
    ),
    CouncilPlan(
        "warehouse",
        "Warehouse Workers' Council",
        "industrial",
        "QuickShip Warehouse, 5th Ave S",
        "workplace",
        ("Receiving", "Picking", "Shipping"),
        shifts=("Day shift", "Swing shift", "Night shift"),
        committee="Safety committee",
        purpose="Heat, breaks, the pace of the line: what workers see, written down.",
        committee_people=("Marcus", "Maribel C.", "Andre J."),
        day=64,
    ),
]

ONE_ON_ONES = [
    # council, person, days after the founding, good?, notes, follow-up, support after
    (
        "pine",
        "Rosa M.",
        66,
        True,
        "Habló de los cuatro años sin calefacción en el 101. Está dispuesta a tocar puertas en "
        "el primer piso.",
        "Llevarla a la reunión del consejo",
        1,
    ),
    (
        "pine",
        "Brianna W.",
        74,
        False,
        "Afraid the landlord won't renew her lease if she signs anything. Listened; no ask made.",
        "Check in after her lease renewal",
        4,
    ),
    (
        "pine",
        "Guadalupe R.",
        79,
        True,
        "Quiere que las reuniones tengan interpretación. Su hijo puede ayudar.",
        "",
        2,
    ),
    (
        "warehouse",
        "Maribel C.",
        72,
        True,
        "Tracks every missed break on the swing shift in a notebook. Wants a safety committee.",
        "Bring her notebook to the safety committee",
        1,
    ),
    (
        "warehouse",
        "Ramón E.",
        96,
        True,
        "Dice que el supervisor de la noche amenaza con reducir horas. Tiene miedo pero quiere "
        "escuchar más.",
        "Invitarlo a la próxima reunión del turno",
        3,
    ),
    (
        "warehouse",
        "Kim N.",
        118,
        True,
        "Moved to the day shift in January; was never paid the differential for her nights.",
        "",
        2,
    ),
]


ACTION_DESCRIPTION = (
    "Picket at the shift change for the night shift's back pay. Signs and flyers in English "
    "and Spanish; marshals and legal observers meet 30 minutes early.\n\n"
    "Piquete en el cambio de turno por el pago atrasado del turno de noche. Carteles y "
    "volantes en inglés y español."
)
CALL_SCRIPT = (
    "Hi, this is [your name] from Eastside Tenants & Workers. The night shift at QuickShip "
    "is owed months of pay; we picket at the shift change on the date above. Can you come, "
    "even for an hour? / Hola, soy [tu nombre], de Eastside. Al turno de noche de QuickShip "
    "le deben meses de pago: ¿puedes venir al piquete, aunque sea una hora?"
)
MINUTES = (
    "Reports from the fight teams; decisions as recorded on each proposal. "
    "Interpretation into Spanish throughout."
)
