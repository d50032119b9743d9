"""The demo's fights still open: from a call at intake to a picket being called out. Their
subjects' own words are in their language."""

from __future__ import annotations

from solnet.demo.stories.model import DELIVERED, TAKEN_ON, Demand, FightStory, R, Response

UNDER_WAY = [
    FightStory(
        key="sunrise",
        title="Unpaid overtime at Sunrise Bakery",
        subject="Elena V.",
        language="es",
        issue="wages",
        channel="call",
        heard_from="poster",
        story="Trabajo de 5 a 3 y nunca me pagan las horas extra. Vi su cartel en la lavandería.",
        facts=(
            "Panadera desde hace dos años. Turnos de diez horas, cinco días por semana; los "
            "recibos muestran 40 horas."
        ),
        goals="Las horas extra de los últimos seis meses.",
        pod="Dos compañeras del turno de la mañana, su hermano.",
        target=("Sunrise Bakery", "workplace", "2301 E Union St"),
        path=(),
        starts=3,
        amount=1840,
        risks=("retaliation",),
    ),
    FightStory(
        key="alder",
        title="No heat and mold at 2210 Alder St",
        subject="Curtis B.",
        language="en",
        issue="repairs",
        channel="web",
        heard_from="online",
        story="No heat since November, black mold in the bathroom. Manager stopped answering.",
        facts=(
            "Unit 4 of a sixplex. Space heaters since November; mold on the bathroom ceiling; "
            "two written requests, photos kept."
        ),
        goals="Heat fixed, mold removed properly, a rent credit for the winter.",
        pod="The tenants of units 2 and 5 have the same problems.",
        target=("Alder Street Properties LLC", "llc", "2210 Alder St"),
        path=("researching",),
        starts=7,
        pressure=(
            (
                "regulators",
                "The city's rental inspection program can be called in.",
                "City website",
            ),
        ),
    ),
    FightStory(
        key="harbor",
        title="Deposit kept by Harbor View Rentals",
        subject="Aisha N.",
        language="en",
        issue="deposit",
        channel="call",
        heard_from="past_fight",
        story=(
            "Moved out in January, left it spotless, they kept my whole deposit. A friend said "
            "you got Hannah's back."
        ),
        facts=(
            "Deposit of $1,650. Move-out photos, no itemized statement within 21 days as the "
            "law requires."
        ),
        goals="The whole deposit back.",
        pod="Her roommate at the time; Hannah B., whose fight the network won.",
        target=("Harbor View Rentals", "company", "880 Harbor Ave SW"),
        path=(*R,),
        starts=10,
        amount=1650,
        team=("fatima",),
        pressure=(
            ("listings", "Lists vacancies on three rental sites every month.", "Rental sites"),
            ("reputation", "Reviews already mention kept deposits.", "Review sites"),
        ),
    ),
    FightStory(
        key="molino",
        title="Back wages at El Molino Taquería",
        subject="Julio C.",
        language="es",
        issue="wages",
        channel="in_person",
        heard_from="word_of_mouth",
        story="Me deben cinco semanas. El dueño dice que pague cuando se pueda.",
        facts=(
            "Cocinero. Cinco semanas sin pago en marzo y abril; tiene sus horarios y mensajes "
            "del dueño prometiendo pagar."
        ),
        goals="Las cinco semanas, $4,320.",
        pod="Otro cocinero al que le deben dos semanas; su esposa.",
        target=("El Molino Taquería", "workplace", "1519 Rainier Ave S"),
        path=TAKEN_ON,
        starts=18,
        amount=4320,
        team=("jorge", "ana"),
        point="jorge",
        pressure=(
            (
                "customers",
                "Busy lunch trade from the offices across the street.",
                "Seen at lunch",
            ),
        ),
        scores=(2, 2, 2, 2, 2, 2, 1, 1, 2, 1, 2),
    ),
    FightStory(
        key="cedar",
        title="Rent hike at Cedar Court",
        subject="Linda M.",
        language="en",
        issue="rent_hike",
        channel="call",
        heard_from="word_of_mouth",
        story="Our rent is going up 18 percent in July. Everyone in the building is scared.",
        facts="Forty units, one owner. Notices of an 18% increase went to every unit.",
        goals="No increase above 7% this year.",
        pod="Three neighbours who want to organize the building.",
        target=("Cedar Court Apartments", "property", "4500 Rainier Ave S"),
        path=("researching", "proposed", "deferred"),
        starts=20,
        motions={
            "deferred": "Defer until more Cedar Court tenants have joined: a building "
            "fight needs a tenants' council, not one household."
        },
    ),
    FightStory(
        key="pine",
        title="Repairs at 1400 Pine St",
        subject="Marisol T.",
        language="es",
        issue="repairs",
        channel="in_person",
        heard_from="event",
        story="En el 204 no hay agua caliente desde febrero y hay cucarachas en todo el edificio.",
        facts=(
            "Catorce unidades con problemas: agua caliente en el 204, plagas en todo el "
            "edificio, la puerta de entrada no cierra. El consejo de inquilinos hizo la lista "
            "unidad por unidad."
        ),
        goals="Las reparaciones con fechas, y que nadie sufra represalias por pedirlas.",
        pod="El consejo de inquilinos de Pine Street.",
        target=("Pine Street Holdings LLC", "llc", "1400 Pine St"),
        path=(*TAKEN_ON, "demand_drafted"),
        starts=24,
        team=("lucia",),
        point="lucia",
        pressure=(
            (
                "regulators",
                "The building has two open code complaints from 2023.",
                "City permits database",
            ),
            ("partners", "Summit Property Management runs it for the LLC.", "The lease"),
        ),
        demands=(
            Demand(
                "repair",
                "Hot water working in unit 204",
                "Agua caliente en la unidad 204",
                due_days=7,
            ),
            Demand(
                "repair",
                "Pest treatment of the whole building by a licensed company",
                "Fumigación de todo el edificio por una empresa con licencia",
                due_days=21,
            ),
            Demand(
                "repair",
                "The front door locks again",
                "Que la puerta de entrada vuelva a cerrar con llave",
                due_days=7,
            ),
        ),
        summary_en="The tenants of 1400 Pine St have asked for these repairs for months.",
        summary_es="Los inquilinos de 1400 Pine St llevan meses pidiendo estas reparaciones.",
    ),
    FightStory(
        key="bluedoor",
        title="Stolen tips at Blue Door Café",
        subject="Valeria S.",
        language="es",
        issue="wages",
        channel="text",
        heard_from="word_of_mouth",
        story="El gerente se queda con las propinas de las tarjetas desde diciembre.",
        facts=(
            "Mesera. Las propinas de tarjeta no aparecen en los recibos de pago desde "
            "diciembre; otras dos meseras igual."
        ),
        goals="Las propinas de diciembre a marzo: $2,150.",
        pod="Dos meseras más del turno de la noche.",
        target=("Blue Door Café", "workplace", "620 E Pike St"),
        path=(*TAKEN_ON, "demand_drafted", "demand_delivered"),
        starts=26,
        amount=2150,
        team=("ana",),
        point="ana",
        pressure=(
            (
                "customers",
                "Brunch crowd on weekends; a regular customer base.",
                "Seen on weekends",
            ),
        ),
        demands=(
            Demand(
                "amount",
                "Pay the card tips withheld since December",
                "Pagar las propinas de tarjeta retenidas desde diciembre",
                2150,
            ),
        ),
        summary_en="Since December, the card tips of the servers have not reached their pay.",
        summary_es="Desde diciembre, las propinas de tarjeta de las meseras no llegan a sus pagos.",
    ),
    FightStory(
        key="rainier",
        title="Deposit kept by Rainier Property Group",
        subject="Jamal W.",
        language="en",
        issue="deposit",
        channel="call",
        heard_from="past_fight",
        story="They kept $2,400 of my deposit for 'cleaning' and 'paint'. I lived there six years.",
        facts="Six-year tenancy; charges for normal wear and tear; itemized statement came late.",
        goals="The $2,400 back.",
        pod="His sister, who helped him move out and saw the unit.",
        target=("Rainier Property Group", "company", "3200 Rainier Ave S"),
        path=DELIVERED,
        starts=30,
        amount=2400,
        team=("fatima",),
        pressure=(
            (
                "listings",
                "Rents out about 200 units; vacancies listed every week.",
                "Rental sites",
            ),
            (
                "funders",
                "Its buildings are financed by a local credit union.",
                "County records",
            ),
        ),
        demands=(
            Demand(
                "amount",
                "Return the $2,400 kept from the deposit",
                "Devolver los $2,400 retenidos del depósito",
                2400,
            ),
        ),
        summary_en=(
            "Jamal Wright lived in your building for six years and left his unit in good "
            "condition; you kept $2,400 of his deposit for normal wear and tear."
        ),
        deadline_days=14,
        responses=(Response("promise", "The manager called: 'we will look into it'."),),
    ),
    FightStory(
        key="quickship",
        title="Back pay for the night shift at QuickShip",
        subject="Teresa L.",
        language="es",
        issue="wages",
        channel="call",
        heard_from="word_of_mouth",
        story="A todo el turno de noche no nos pagan el diferencial nocturno desde hace meses.",
        facts=(
            "El diferencial de $1.50 por hora del turno de noche no se paga desde septiembre a "
            "nadie del turno; los recibos lo muestran. Treinta semanas para Teresa: $6,710."
        ),
        goals="El diferencial atrasado para todo el turno de noche, y que se pague desde ahora.",
        pod="El consejo de trabajadores del almacén; doce compañeros del turno de noche.",
        target=("QuickShip Logistics Inc.", "company", "5th Ave S"),
        path=(*DELIVERED, "escalating"),
        starts=50,
        amount=6710,
        risks=("retaliation", "immigration"),
        team=("marcus", "jorge", "lucia"),
        point="marcus",
        pressure=(
            ("customers", "Ships for three large online retailers.", "Shipping labels"),
            ("partners", "Hires through ProStaff Staffing.", "Pay stubs"),
            (
                "regulators",
                "The state's labor department takes wage complaints.",
                "State website",
            ),
        ),
        demands=(
            Demand(
                "amount",
                "Pay Teresa the night differential owed since September",
                "Pagar a Teresa el diferencial nocturno que se le debe desde septiembre",
                6710,
            ),
            Demand(
                "act",
                "Pay the night differential to everyone on the night shift from the next pay day",
                "Pagar el diferencial nocturno a todo el turno de noche a "
                "partir del próximo día de pago",
            ),
        ),
        summary_en=(
            "Since September, QuickShip has not paid the night differential to the workers of "
            "its night shift, although their pay stubs show the hours."
        ),
        summary_es=(
            "Desde septiembre, QuickShip no paga el diferencial nocturno al turno de noche, "
            "aunque los recibos muestran las horas."
        ),
        responses=(
            Response(
                "lawyer",
                "A letter from QuickShip's lawyers: the differential "
                "'was never part of the agreement'.",
            ),
            Response(
                "refusal",
                "The floor manager told the night shift to stop 'talking to outsiders'.",
            ),
        ),
    ),
    FightStory(
        key="union",
        title="Eviction notice at 88 Union Ave",
        subject="Brenda H.",
        language="en",
        issue="eviction",
        channel="call",
        heard_from="poster",
        story="I got a 14-day notice after I asked for the leak to be fixed.",
        facts="Notice to vacate two weeks after a written repair request; rent paid up to date.",
        goals="The notice withdrawn, the leak fixed, no retaliation.",
        pod="Her upstairs neighbour, who has the same leak.",
        target=("Union Ave Apartments LLC", "llc", "88 Union Ave"),
        path=(*DELIVERED, "negotiating"),
        starts=45,
        risks=("retaliation",),
        team=("tom",),
        point="tom",
        demands=(
            Demand("act", "Withdraw the notice to vacate", "Retirar el aviso de desalojo"),
            Demand(
                "repair",
                "Fix the leak in the kitchen ceiling",
                "Reparar la gotera del techo de la cocina",
                due_days=14,
            ),
        ),
        summary_en=(
            "Two weeks after Brenda Hayes asked in writing for the leak to be fixed, she "
            "received a notice to vacate."
        ),
        deadline_days=7,
        responses=(
            Response(
                "offer",
                "The landlord's lawyer offers to withdraw the notice if "
                "Brenda pays $300 of 'late fees'.",
            ),
        ),
    ),
]
