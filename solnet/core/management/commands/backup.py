"""Makes an encrypted backup of the database and the sealed store while SolNet runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core.backups import keyring, making
from solnet.core.backups.databases import DatabaseToolFailed, database_errors


class Command(BaseCommand):
    help = gettext_lazy(
        "Write an encrypted backup of the database and the sealed files into SOLNET_BACKUP_DIR "
        "(or --directory), encrypted to the backup key (SOLNET_BACKUP_KEY). SolNet keeps "
        "running meanwhile."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            help=gettext_lazy("Write the backup here instead of SOLNET_BACKUP_DIR."),
        )

    def progress(self, message: str) -> None:
        self.stdout.write(message)

    def handle(self, *args, directory: Path | None, **options) -> None:
        if directory is not None:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            making.make_backup(directory=directory, progress=self.progress)
        except keyring.BackupKeyError as error:
            raise CommandError(str(error)) from None
        except DatabaseToolFailed as error:
            raise CommandError(str(error)) from None
        except database_errors() as error:
            raise CommandError(
                _("Cannot read the database: %(error)s") % {"error": error}
            ) from None
        except OSError as error:
            raise CommandError(_("Cannot write the backup: %(error)s") % {"error": error}) from None
