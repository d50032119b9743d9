"""Restores a backup into an empty installation."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core import audit, crypto
from solnet.core.backups import keyring, restoring


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore a backup into this installation, which must be empty: a new database (made "
        "with createdb, or a SQLite file that does not exist yet) and a data directory without "
        "sealed files. Stop the web server and the worker first. Needs the secret backup key "
        "and the master key of the network that made the backup."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("The backup file."))
        parser.add_argument(
            "--key-file",
            type=Path,
            help=gettext_lazy(
                "The file holding the secret backup key (from generate_backup_key). Outside "
                "production without SOLNET_BACKUP_KEY: the quick start's key in the data "
                "directory."
            ),
        )

    def progress(self, message: str) -> None:
        self.stdout.write(message)

    def handle(self, *args, file: Path, key_file: Path | None, **options) -> None:
        key_file = key_file or keyring.default_secret_path()
        if key_file is None:
            raise CommandError(
                _(
                    "Give the secret backup key with --key-file: the file generate_backup_key "
                    "made, kept off the server. Nothing was changed."
                )
            )
        try:
            secret = keyring.read_secret(key_file)
            report = restoring.restore_backup(
                file, secret=secret, data_dir=Path(settings.DATA_DIR), progress=self.progress
            )
        except (keyring.BackupKeyError, restoring.RestoreRefused) as error:
            raise CommandError(str(error)) from None
        crypto.forget_keys()
        audit.forget_head()
        audit.record("backup.restored", made_at=report.manifest.get("made_at"))
        self.stdout.write(
            _("Restored the backup made at %(made)s in %(s).1f s.")
            % {"made": report.manifest.get("made_at"), "s": report.seconds}
        )
        if report.unapplied_migrations:
            self.stdout.write(_("This SolNet is newer than the backup: run manage.py migrate now."))
