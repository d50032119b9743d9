"""The demo's fights that ended: declined, referred, won, lost, withdrawn, dropped, in
follow-up and archived."""

from __future__ import annotations

from solnet.demo.stories.model import DELIVERED, TAKEN_ON, Demand, FightStory, Response

CLOSED = [
    FightStory(
        key="usedcar",
        title="Dispute over a used car sale",
        subject="Greg P.",
        language="en",
        issue="other",
        channel="email",
        heard_from="online",
        story="The car I bought broke down a week later and the seller won't answer.",
        facts="Bought privately from an individual; no written warranty.",
        goals="His money back.",
        pod="—",
        target=("The seller", "person", ""),
        path=("researching", "proposed", "declined"),
        starts=22,
        motions={
            "declined": "Decline: the seller is not a boss or landlord and has nothing "
            "we can press on; refer Greg to small claims court's self-help desk."
        },
        scores=(1, 0, 1, 1, 1, 0, 2, 2, 1, 2, 0),
    ),
    FightStory(
        key="fall",
        title="Workers' comp claim after a fall",
        subject="Rafael O.",
        language="es",
        issue="unsafe_work",
        channel="voicemail",
        heard_from="poster",
        story="Me caí de un andamio y la compañía no quiere pagar nada.",
        facts="Caída en una obra; la aseguradora rechazó el reclamo.",
        goals="Que cubran sus gastos médicos y los días sin trabajo.",
        pod="—",
        target=("Summit Builders", "company", ""),
        path=("referred",),
        starts=15,
    ),
    FightStory(
        key="apex",
        title="Deposit returned by Apex Realty",
        subject="Thanh N.",
        language="en",
        issue="deposit",
        channel="web",
        heard_from="online",
        story="Apex kept my $1,200 deposit and never sent a statement.",
        facts="No itemized statement; move-out photos show the unit clean.",
        goals="The $1,200 back.",
        pod="His partner.",
        target=("Apex Realty", "company", "1100 Broadway"),
        path=(*DELIVERED, "won"),
        starts=60,
        amount=1200,
        team=("fatima",),
        demands=(
            Demand("amount", "Return the $1,200 deposit", "Devolver el depósito de $1,200", 1200),
        ),
        summary_en=(
            "You kept Thanh Nguyen's deposit of $1,200 without the statement the law requires."
        ),
        responses=(Response("offer", "Apex will return the whole deposit.", 1200),),
        recovered=1200,
        lessons="A crowd at the office on the first day was enough: they paid within ten days.",
    ),
    FightStory(
        key="goldenwok",
        title="Unpaid wages at Golden Wok",
        subject="Wei C.",
        language="en",
        issue="wages",
        channel="in_person",
        heard_from="event",
        story="I worked my last three weeks and got nothing.",
        facts="Line cook; quit after three unpaid weeks; the owner disputes the hours.",
        goals="Three weeks' wages, $3,800.",
        pod="A former coworker who worked the same shifts.",
        target=("Golden Wok", "workplace", "705 S King St"),
        path=(*DELIVERED, "escalating", "partial_win"),
        starts=56,
        amount=3800,
        team=("marcus",),
        demands=(
            Demand(
                "amount",
                "Pay the three weeks of wages owed",
                "Pagar las tres semanas de salario adeudadas",
                3800,
            ),
        ),
        summary_en="Wei Chen worked his last three weeks at Golden Wok and was not paid.",
        responses=(Response("offer", "The owner offers $2,500 and no more.", 2500),),
        recovered=2500,
        lessons=(
            "Wei took the offer to be done with it. The hours he could prove were paid; keep a "
            "record of hours from the first day."
        ),
    ),
    FightStory(
        key="metro",
        title="Firing at Metro Cleaning Services",
        subject="Sofía R.",
        language="es",
        issue="firing",
        channel="call",
        heard_from="word_of_mouth",
        story="Me despidieron al día siguiente de quejarme del producto que nos quema las manos.",
        facts=(
            "Limpiadora de oficinas; despedida un día después de quejarse por escrito de un "
            "producto químico sin guantes."
        ),
        goals="Su puesto de vuelta o tres meses de salario.",
        pod="Dos compañeras del mismo edificio.",
        target=("Metro Cleaning Services", "company", "400 Dexter Ave N"),
        path=(*DELIVERED, "escalating", "lost"),
        starts=58,
        team=("ana",),
        demands=(
            Demand(
                "reinstatement",
                "Reinstate Sofía or pay three months' wages",
                "Reincorporar a Sofía o pagarle tres meses de salario",
            ),
        ),
        summary_en=(
            "Metro Cleaning fired Sofía Ramos the day after she complained in writing about a "
            "chemical used without gloves."
        ),
        summary_es=(
            "Metro Cleaning despidió a Sofía Ramos al día siguiente de que se quejara por "
            "escrito de un producto químico usado sin guantes."
        ),
        responses=(Response("refusal", "Metro says the building owner ended the contract."),),
        lessons=(
            "The company lost the contract and had no storefront to press on. Look for the "
            "building owner's leverage sooner."
        ),
    ),
    FightStory(
        key="valley",
        title="Harassment by a supervisor at Valley Foods",
        subject="Imani D.",
        language="en",
        issue="harassment",
        channel="text",
        heard_from="online",
        story="My supervisor keeps touching me and making comments. HR does nothing.",
        facts="Grocery clerk; repeated harassment by one supervisor; two coworkers witnessed it.",
        goals="The supervisor moved away from her shifts; a written apology.",
        pod="Two coworkers who witnessed it.",
        target=("Valley Foods", "workplace", "2400 E Cherry St"),
        path=(*TAKEN_ON, "demand_drafted", "withdrawn"),
        starts=40,
        risks=("retaliation",),
        team=("ana",),
        demands=(
            Demand(
                "act",
                "Move the supervisor off Imani's shifts",
                "Sacar al supervisor de los turnos de Imani",
            ),
        ),
        summary_en="Imani Davis has reported a supervisor's harassment to your HR twice.",
        motions={"withdrawn": "Imani decided to stop here: she is afraid of losing her job."},
    ),
    FightStory(
        key="parkside",
        title="Overcharged utilities at Parkside Lofts",
        subject="Derek S.",
        language="en",
        issue="other",
        channel="email",
        heard_from="online",
        story=(
            "They bill every tenant for the whole building's water and won't say how they split it."
        ),
        facts="Utility charges tripled in a year; no breakdown given.",
        goals="A fair breakdown and a refund of the overcharge.",
        pod="Two neighbours.",
        target=("Parkside Lofts", "property", "1500 E Madison St"),
        path=(*DELIVERED, "escalating", "dropped"),
        starts=54,
        demands=(
            Demand(
                "act",
                "Give every tenant the breakdown of the utility bills",
                "Entregar a cada inquilino el desglose de las facturas",
            ),
        ),
        summary_en="The utility charges at Parkside Lofts tripled in one year without a breakdown.",
        motions={
            "dropped": "Drop the Parkside fight: the building was sold, the new owner "
            "has agreed to audit the bills, and Derek has moved away."
        },
        lessons=(
            "The sale changed the target under us. Check the county's sales records before "
            "escalating."
        ),
    ),
    FightStory(
        key="northgate",
        title="Final paycheck from Northgate Auto Repair",
        subject="Óscar M.",
        language="es",
        issue="wages",
        channel="call",
        heard_from="past_fight",
        story="Renuncié y no me han pagado el último cheque ni las vacaciones.",
        facts="Mecánico; renunció con aviso; último cheque y vacaciones pendientes.",
        goals="El último cheque y las vacaciones: $1,960.",
        pod="Su primo, que sigue trabajando en el taller.",
        target=("Northgate Auto Repair", "workplace", "10500 Aurora Ave N"),
        path=(*DELIVERED, "escalating", "negotiating", "won", "follow_up"),
        starts=62,
        amount=1960,
        team=("jorge",),
        demands=(
            Demand(
                "amount",
                "Pay Óscar's last paycheck and his vacation",
                "Pagar el último cheque y las vacaciones de Óscar",
                1960,
            ),
        ),
        summary_en=(
            "Óscar Medina left Northgate with notice and was not paid his last check or his "
            "vacation."
        ),
        summary_es=(
            "Óscar Medina renunció con aviso a Northgate y no recibió su último cheque ni sus "
            "vacaciones."
        ),
        responses=(
            (Response("offer", "The owner will pay everything in two installments.", 1960),)
        ),
        recovered=1960,
        lessons="Two pickets on Saturday mornings, the busiest time, moved him.",
        follow_up="Call Óscar's cousin: any retaliation at the shop since the win?",
    ),
    FightStory(
        key="greenlake",
        title="Deposit from Greenlake Apartments",
        subject="Hannah B.",
        language="en",
        issue="deposit",
        channel="call",
        heard_from="poster",
        story="Greenlake kept my $900 deposit for 'carpet' that was already old when I moved in.",
        facts="Move-in photos show the worn carpet.",
        goals="The $900 back.",
        pod="Her roommate.",
        target=("Greenlake Apartments", "property", "7200 Woodlawn Ave NE"),
        path=(*DELIVERED, "won", "follow_up", "archived"),
        starts=68,
        amount=900,
        demands=(
            Demand(
                "amount",
                "Return the $900 kept for the carpet",
                "Devolver los $900 retenidos por la alfombra",
                900,
            ),
        ),
        summary_en=(
            "You kept $900 of Hannah Berg's deposit for carpet that was already worn when she "
            "moved in."
        ),
        responses=(Response("offer", "Greenlake will pay the $900.", 900),),
        recovered=900,
        lessons="Won at the deadline. Hannah now comes to the phone tree.",
    ),
]
