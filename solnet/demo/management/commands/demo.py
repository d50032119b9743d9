"""Makes a demo network with made-up people, councils, fights, votes and actions, and prints
sign-ins for an organizer and a member. Never on a database that holds a network."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from solnet.demo import safety, signins
from solnet.network.models import Network

DEMO_SERVER_FLAG = "--yes-this-is-a-demo-server"


class Command(BaseCommand):
    help = (
        "Make a demo network (made-up data in English and Spanish) on an empty database and "
        "print sign-ins for an organizer and a member. It refuses any database that holds a "
        "network; run again on its own demo, it only prints the sign-ins again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            DEMO_SERVER_FLAG,
            action="store_true",
            dest="demo_server",
            help="Allow the demo on a server in production mode (SOLNET_PRODUCTION): for a "
            "public demo server, never for a real network's.",
        )
        parser.add_argument(
            "--codes",
            action="store_true",
            help="Print the authenticator codes of the demo's sign-ins at this moment.",
        )

    def handle(self, *args, **options) -> None:
        if options["codes"]:
            self._print_codes()
            return
        if safety.demo_is_here():
            self.stdout.write("A demo network is already here; nothing was changed.")
            self._print_sign_ins(signins.load())
            return
        found = safety.what_is_here()
        if found:
            raise CommandError(
                "This database already holds a network, so the demo will not touch it. Give "
                "the demo a database of its own (`make demo` uses var/demo/). Found: "
                + ", ".join(found)
            )
        if settings.PRODUCTION and not options["demo_server"]:
            raise CommandError(
                "SolNet runs in production mode here (SOLNET_PRODUCTION). A demo network "
                "belongs on a server of its own: if this is one, run again with "
                f"{DEMO_SERVER_FLAG}."
            )
        from solnet.demo.build import build_demo

        self.stdout.write("Making the demo network: made-up people, councils, fights, votes…")
        sign_ins = build_demo()
        path = signins.save(sign_ins)
        self.stdout.write(
            self.style.SUCCESS(f"The demo network “{Network.objects.current().name}” is ready.")
        )
        self._print_sign_ins(sign_ins)
        self.stdout.write(f"(Kept, readable by you alone, in {signins.shown_path(path)}.)")

    def _print_sign_ins(self, sign_ins: list[signins.SignIn]) -> None:
        if not sign_ins:
            self.stdout.write(
                f"Its sign-ins were printed when it was made; the file that kept them "
                f"({signins.shown_path(signins.sign_ins_file())}) is not here."
            )
            return
        self.stdout.write("")
        issuer = Network.objects.current().name or "SolNet"
        for line in signins.describe(sign_ins, base_url=settings.BASE_URL, issuer=issuer):
            self.stdout.write(line)

    def _print_codes(self) -> None:
        sign_ins = signins.load() if safety.demo_is_here() else []
        if not sign_ins:
            raise CommandError("There is no demo network here, or its sign-ins file is gone.")
        for sign_in in sign_ins:
            code, seconds = sign_in.code_now()
            self.stdout.write(f"{sign_in.username}: {code} (for {seconds} more seconds)")
