"""Rotates encryption keys without losing a value."""

from django.core.management.base import BaseCommand, CommandError

from solnet.core import audit, keys


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under the current master key (SOLNET_MASTER_KEY), make a new "
        "field key and re-encrypt every value with it. To change the master key: set the new "
        "one as SOLNET_MASTER_KEY, list the old one in SOLNET_OLD_MASTER_KEYS, run this, then "
        "drop the old one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--rewrap-only",
            action="store_true",
            help="Only re-wrap data keys under the current master key; keep the field key.",
        )
        parser.add_argument(
            "--destroy-retired",
            action="store_true",
            help="Afterwards destroy retired field keys that no value uses any more.",
        )

    def progress(self, what: str, done: int, total: int) -> None:
        self.stdout.write(f"  {what}: {done}/{total} re-encrypted")

    def handle(self, *args, rewrap_only: bool, destroy_retired: bool, **options) -> None:
        try:
            report = keys.rotate_keys(data_keys=not rewrap_only, progress=self.progress)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        audit.record(
            "keys.rotated",
            rewrapped=report.rewrapped,
            reencrypted=report.reencrypted,
            new_key=report.new_key_id,
        )
        self.stdout.write(
            f"Re-wrapped {report.rewrapped} data keys; re-encrypted {report.reencrypted} values "
            f"under field key {report.new_key_id}."
        )
        if destroy_retired:
            destroyed, kept = keys.destroy_retired_keys()
            audit.record("keys.destroyed", destroyed=len(destroyed), kept=len(kept))
            self.stdout.write(f"Destroyed {len(destroyed)} retired keys; {len(kept)} still in use.")
