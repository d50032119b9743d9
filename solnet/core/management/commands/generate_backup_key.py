"""Makes a new backup key: a secret half to keep off the server, a public half for it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core.backups import keyring


class Command(BaseCommand):
    help = gettext_lazy(
        "Make a new backup key. The public half goes in SOLNET_BACKUP_KEY on the server; the "
        "secret half restores the backups and is kept off the server."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--secret-file",
            type=Path,
            help=gettext_lazy(
                "Write the secret half into this new file (readable by you only) instead of "
                "printing it: a path on a USB stick or another machine, not on the server."
            ),
        )

    def handle(self, *args, secret_file: Path | None, **options) -> None:
        secret, public = keyring.new_pair()
        if secret_file is not None:
            try:
                keyring.write_secret(secret_file, secret)
            except FileExistsError:
                raise CommandError(
                    _("%(path)s exists already: it may hold a key; choose another file.")
                    % {"path": secret_file}
                ) from None
            self.stdout.write(_("Secret backup key written to %(path)s.") % {"path": secret_file})
        else:
            self.stdout.write(_("Secret backup key (keep it off the server; it restores):"))
            self.stdout.write(secret)
        self.stdout.write(_("Public backup key, for SOLNET_BACKUP_KEY on the server:"))
        self.stdout.write(public)
