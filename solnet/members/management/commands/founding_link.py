"""Prints a one-time founding invitation link while the network has no member yet."""

from django.core.management.base import BaseCommand

from solnet.members.services import invitation_url, issue_founding_invitation


class Command(BaseCommand):
    help = "Print a founding invitation link (only while the network has no members)."

    def handle(self, *args, **options) -> None:
        issued = issue_founding_invitation()
        if issued is None:
            self.stdout.write("The network has members: sign in with your sign-in name.")
            return
        _invitation, token = issued
        self.stdout.write("No one has joined yet. Open this one-time founding link to begin:")
        self.stdout.write(f"  {invitation_url(token)}")
        self.stdout.write("It works once; running this again replaces it.")
