"""Restoring a backup into an empty installation.

Everything that can refuse a restore is checked before anything is written: the file is a
backup, made for this backup key; the installation is empty (its database holds nothing but
what `migrate` writes, its sealed store no file); the database is of the backup's kind; the
master key that wraps the backup's data keys is configured; the backup is not from a newer
SolNet. Then the whole file is decrypted once and every chunk checked, writing nothing. Only
then is it decrypted again and applied: sealed files into a folder aside, the database (a new
SQLite file put in place at once, or pg_restore in a single transaction), and the sealed
files moved in last.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from solnet.core import crypto
from solnet.core.backups import container
from solnet.core.backups.databases import (
    Database,
    DatabaseToolFailed,
    database,
    database_errors,
)
from solnet.core.backups.making import SEALED_NAME, sealed_dir

Progress = Callable[[str], None]


class RestoreRefused(Exception):
    """The restore was refused before anything was changed; the message says why."""


def _quiet(_message: str) -> None:
    pass


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    sealed_files: int
    seconds: float
    unapplied_migrations: list[str] = field(default_factory=list)


def _refuse_unless_empty(target: Database, data_dir: Path) -> None:
    filled = target.tables_with_data()
    if filled:
        named = ", ".join(
            f"{table} ({count})" for table, count in sorted(filled.items(), key=lambda i: -i[1])[:4]
        )
        raise RestoreRefused(
            _(
                "This installation is not empty: its database holds data (%(tables)s). A "
                "backup is restored only into an empty installation: a new database and a new "
                "data directory. Nothing was changed."
            )
            % {"tables": named}
        )
    store = sealed_dir(data_dir)
    if store.exists() and any(store.iterdir()):
        raise RestoreRefused(
            _(
                "This installation is not empty: its sealed store (%(path)s) holds files. "
                "Nothing was changed."
            )
            % {"path": store}
        )


def _verify(path: Path, secret: X25519PrivateKey, progress: Progress) -> dict[str, Any]:
    """Decrypts the whole file and checks every chunk and entry, writing nothing; returns
    the manifest."""
    manifest = None
    names = set()
    done = 0
    for entry in container.read_entries(container.read_chunks(path, secret)):
        if entry.name in names:
            raise container.DamagedBackup(_("The backup holds an entry twice."))
        names.add(entry.name)
        if entry.name == "manifest.json":
            try:
                manifest = json.loads(entry.read_all())
            except ValueError:
                raise container.DamagedBackup(_("The backup's manifest is damaged.")) from None
        elif entry.name.startswith("sealed/"):
            if not SEALED_NAME.match(entry.name.removeprefix("sealed/")):
                raise container.DamagedBackup(_("The backup names a sealed file wrongly."))
            entry.drain()
        elif entry.name == "database":
            size = entry.drain()
            progress(_("Database checked: %(mb).1f MB.") % {"mb": size / 1e6})
        else:
            raise container.DamagedBackup(_("The backup holds an unknown entry."))
        done += 1
    if not isinstance(manifest, dict) or "database" not in names:
        raise container.DamagedBackup(_("The backup lacks its manifest or its database."))
    progress(_("Every chunk of the backup checked (%(n)s entries).") % {"n": done})
    return manifest


def _refuse_unusable(manifest: dict[str, Any], target: Database) -> None:
    if manifest.get("database") != target.vendor:
        raise RestoreRefused(
            _(
                "This backup is of a %(made)s database; this installation uses %(here)s. "
                "Restore it into the same kind of database. Nothing was changed."
            )
            % {"made": manifest.get("database"), "here": target.vendor}
        )
    missing = sorted(set(manifest.get("master_keys", [])) - set(crypto.known_masters()))
    if missing:
        raise RestoreRefused(
            _(
                "The data keys in this backup are wrapped by master key %(ids)s, which this "
                "installation does not have: set SOLNET_MASTER_KEY (or SOLNET_MASTER_KEY_FILE) "
                "to the master key of the network that made the backup. Nothing was changed."
            )
            % {"ids": ", ".join(missing)}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = [f"{app}.{name}" for app, name in manifest.get("migrations", [])]
    newer = [m for m in newer if tuple(m.split(".", 1)) not in known]
    if newer:
        raise RestoreRefused(
            _(
                "This backup comes from a newer SolNet (it has migrations this one does not, "
                "such as %(names)s): upgrade SolNet first. Nothing was changed."
            )
            % {"names": ", ".join(newer[:3])}
        )
    extra = sorted(set(target.tables()) - set(manifest.get("tables", [])))
    if extra and target.vendor != "sqlite":
        raise RestoreRefused(
            _(
                "The database has tables the backup does not (%(tables)s): restore into a "
                "database made empty with createdb. Nothing was changed."
            )
            % {"tables": ", ".join(extra[:4])}
        )


def _close_connections_to(target: Database) -> None:
    """Django's own connections to a SQLite file about to be replaced."""
    for alias in connections:
        if connections.settings[alias].get("NAME") == target.settings_dict.get("NAME"):
            connections[alias].close()


def restore_backup(
    path: Path,
    *,
    secret: X25519PrivateKey,
    database_settings: dict[str, Any] | None = None,
    data_dir: Path,
    progress: Progress = _quiet,
) -> RestoreReport:
    """Restores a backup into an empty installation: the database of `database_settings`
    (Django's default one if not given) and the data directory `data_dir`. Raises
    RestoreRefused, having changed nothing, when it cannot."""
    started = time.monotonic()
    path = Path(path)
    target = database(database_settings or connections["default"].settings_dict)
    data_dir = Path(data_dir)
    try:
        header = container.read_header(path)
        if header.get("database") not in {None, target.vendor}:
            raise RestoreRefused(
                _(
                    "This backup is of a %(made)s database; this installation uses %(here)s. "
                    "Nothing was changed."
                )
                % {"made": header.get("database"), "here": target.vendor}
            )
        _refuse_unless_empty(target, data_dir)
        progress(_("Checking every chunk of %(path)s…") % {"path": path})
        manifest = _verify(path, secret, progress)
    except (container.DamagedBackup, container.WrongKey) as error:
        raise RestoreRefused(_("%(problem)s Nothing was changed.") % {"problem": error}) from None
    except OSError as error:
        raise RestoreRefused(
            _("Cannot read %(path)s: %(error)s. Nothing was changed.")
            % {"path": path, "error": error.strerror}
        ) from None
    except database_errors() as error:
        raise RestoreRefused(
            _("Cannot read the database: %(error)s. Nothing was changed.") % {"error": error}
        ) from None
    _refuse_unusable(manifest, target)

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix="restore-sealed-", dir=data_dir))
    put_in_place = None
    sealed = 0
    try:
        replace_tables = bool(target.tables())
        for entry in container.read_entries(container.read_chunks(path, secret)):
            if entry.name.startswith("sealed/"):
                name = entry.name.removeprefix("sealed/")
                descriptor = os.open(aside / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    for block in entry.blocks:
                        handle.write(block)
                sealed += 1
            elif entry.name == "database":
                progress(_("Restoring the database…"))
                _close_connections_to(target)
                put_in_place = target.restore(
                    entry.blocks, replace_tables=replace_tables, progress=progress
                )
                progress(_("Database restored."))
        # Only now, with the last chunk checked again, does anything become visible.
        if put_in_place is not None:
            put_in_place()
        store = sealed_dir(data_dir)
        store.mkdir(mode=0o700, exist_ok=True)
        for file in aside.iterdir():
            os.replace(file, store / file.name)
        progress(
            ngettext("%(n)s sealed file restored.", "%(n)s sealed files restored.", sealed)
            % {"n": sealed}
        )
    except (container.DamagedBackup, container.WrongKey) as error:
        raise RestoreRefused(
            _("%(problem)s The backup changed while it was being restored.") % {"problem": error}
        ) from None
    except DatabaseToolFailed as error:
        raise RestoreRefused(_("%(problem)s Nothing was changed.") % {"problem": error}) from None
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    applied = {tuple(m) for m in manifest.get("migrations", [])}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unapplied = sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)
    return RestoreReport(manifest, sealed, time.monotonic() - started, unapplied)
