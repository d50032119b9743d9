"""Verifies the audit chain; exits with status 1 when it is broken."""

from django.core.management.base import BaseCommand, CommandError

from solnet.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check that no audit event was edited, deleted, reordered or inserted."

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event {report.seq}: {report.problem} "
                f"({report.checked} events verified before it)."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} events verified.")
