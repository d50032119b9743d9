"""Prints a new random master key for SOLNET_MASTER_KEY or a key file."""

import secrets

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new random master key (256 bits)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(secrets.token_urlsafe(32))
