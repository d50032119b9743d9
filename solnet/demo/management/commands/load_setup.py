"""Makes the network `make load` measures, on an empty database of its own."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from solnet.demo import safety
from solnet.demo.load_network import build_load_network, save_plan


class Command(BaseCommand):
    help = (
        "Make the load test's network (50 members with an authenticator app, 2,000 people, "
        "councils, fights, votes, an action with a call list) on an empty database, and write "
        "the plan its simulated members follow into the data directory. `make load` runs it "
        "on databases it makes for itself; it refuses any database that holds a network."
    )

    def handle(self, *args, **options) -> None:
        found = safety.what_is_here()
        if found:
            raise CommandError(
                "This database already holds a network, so the load test will not touch it. "
                "`make load` makes databases of its own. Found: " + ", ".join(found)
            )
        started = time.monotonic()
        plan = build_load_network()
        path = save_plan(plan)
        self.stdout.write(
            f"The load network is ready in {time.monotonic() - started:.0f} s: "
            f"{len(plan['accounts'])} members; the plan is in {path.name} in the data directory."
        )
