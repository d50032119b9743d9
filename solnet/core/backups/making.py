"""Making a backup while SolNet runs, and keeping the network's number of days of them.

A backup holds, in this order: ``manifest.json`` (when, which database, the tables, the
migrations applied, the ids of the master keys that wrap the data keys), ``database`` (the
consistent copy, compressed) and ``sealed/<name>.sealed`` for every file of the sealed store
(already encrypted under their own keys, which live in the database).

The sealed files are hard-linked aside before the database is copied and again after it: a
file whose row the copy holds was complete before its row said so (`core.sealed`), so it is in
one of the two sets even if it is deleted meanwhile. A file newer than the copy has no row in
it; the restored installation's purge removes it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.core.backups import container, keyring
from solnet.core.backups.databases import database

Progress = Callable[[str], None]
NAME = re.compile(r"^solnet-(\d{8}T\d{6}Z)(?:-\d+)?\.backup$")
SEALED_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}\.sealed$")
_REPORT_EVERY = 64 * 1024 * 1024


def _quiet(_message: str) -> None:
    pass


def backup_dir() -> Path:
    """Where backups go (`SOLNET_BACKUP_DIR`), made private to the server's user."""
    path = Path(settings.BACKUP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def sealed_dir(data_dir: Path) -> Path:
    """The sealed store's folder (`core.sealed.directory()`, without making it)."""
    return Path(data_dir) / "sealed"


def made_at(path: Path) -> datetime | None:
    """When a backup was made, from its name; None for a file that is not one of ours."""
    match = NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def list_backups(directory: Path | None = None) -> list[Path]:
    """The backups in the folder, oldest first."""
    directory = directory or Path(settings.BACKUP_DIR)
    if not directory.exists():
        return []
    found = [p for p in directory.iterdir() if made_at(p) is not None]
    return sorted(found, key=lambda p: (made_at(p), p.name))


def _new_path(directory: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"solnet-{stamp}.backup"
    number = 1
    while path.exists():
        number += 1
        path = directory / f"solnet-{stamp}-{number}.backup"
    return path


def _link_sealed(source: Path, aside: Path) -> int:
    """Hard-links (or copies, across file systems) the sealed files not yet set aside."""
    if not source.exists():
        return 0
    count = 0
    for entry in source.iterdir():
        if not SEALED_NAME.match(entry.name) or (aside / entry.name).exists():
            continue
        try:
            os.link(entry, aside / entry.name)
        except FileNotFoundError:
            continue  # deleted meanwhile
        except OSError:
            try:
                shutil.copy2(entry, aside / entry.name)
            except FileNotFoundError:
                continue
        count += 1
    return count


def _counted(blocks: Iterator[bytes], what: str, progress: Progress) -> Iterator[bytes]:
    done = reported = 0
    for block in blocks:
        yield block
        done += len(block)
        if done - reported >= _REPORT_EVERY:
            reported = done
            progress(_("%(what)s: %(mb).0f MB written…") % {"what": what, "mb": done / 1e6})


def _file_blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(container.CHUNK):
            yield block


@dataclass
class BackupReport:
    path: Path
    size: int
    database_bytes: int
    sealed_files: int
    seconds: float


def make_backup(
    *,
    directory: Path | None = None,
    database_settings: dict | None = None,
    data_dir: Path | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> BackupReport:
    """Writes an encrypted backup of the database and the sealed store into `directory`
    (`SOLNET_BACKUP_DIR` by default) and records it to the audit log."""
    started = time.monotonic()
    recipient = keyring.configured_public_key()
    key_id = keyring.key_id(recipient)
    directory = directory or backup_dir()
    data_dir = Path(data_dir or settings.DATA_DIR)
    source = database(database_settings or connections["default"].settings_dict)
    now = now or datetime.now(UTC)
    path = _new_path(directory, now)
    manifest = {
        "made_at": now.isoformat(),
        "database": source.vendor,
        "tables": source.tables(),
        "migrations": source.migrations(),
        "master_keys": source.master_key_ids(),
    }
    aside = Path(tempfile.mkdtemp(prefix="backup-sealed-", dir=data_dir))
    writer = container.BackupWriter(
        path,
        recipient=recipient,
        header={"made_at": manifest["made_at"], "database": source.vendor},
    )
    try:
        progress(_("Writing %(path)s (backup key %(key)s).") % {"path": path, "key": key_id})
        _link_sealed(sealed_dir(data_dir), aside)
        entries = container.EntryWriter(writer)
        entries.entry("manifest.json", iter([json.dumps(manifest).encode()]))
        database_bytes = entries.entry(
            "database",
            _counted(source.dump(progress), _("database"), progress),
            compress=True,
        )
        _link_sealed(sealed_dir(data_dir), aside)
        files = sorted(aside.iterdir())
        progress(_("Adding %(n)s sealed files…") % {"n": len(files)})
        for number, file in enumerate(files, start=1):
            entries.entry(f"sealed/{file.name}", _file_blocks(file))
            if number % 500 == 0:
                progress(
                    _("%(done)s of %(n)s sealed files added…") % {"done": number, "n": len(files)}
                )
        entries.finish()
        size = writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    report = BackupReport(path, size, database_bytes, len(files), time.monotonic() - started)
    audit.record("backup.made", size=size, sealed_files=len(files), key=key_id)
    progress(
        _("Backup written: %(path)s, %(mb).1f MB, %(files)s sealed files, in %(s).1f s.")
        % {"path": path, "mb": size / 1e6, "files": len(files), "s": report.seconds}
    )
    return report


def prune_backups(
    *, keep_days: int, directory: Path | None = None, now: datetime | None = None
) -> list[Path]:
    """Deletes the backups made more than `keep_days` days ago (by the time in their names),
    and unfinished ones a day old; never anything else in the folder. Returns what went."""
    directory = directory or Path(settings.BACKUP_DIR)
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=keep_days)
    deleted = []
    for path in list_backups(directory):
        when = made_at(path)
        if when is not None and when < cutoff:
            path.unlink(missing_ok=True)
            deleted.append(path)
    stale = now.timestamp() - 86400
    for path in directory.glob("solnet-*.backup.part") if directory.exists() else []:
        if path.stat().st_mtime < stale:
            path.unlink(missing_ok=True)
            deleted.append(path)
    if deleted:
        audit.record("backup.pruned", count=len(deleted), keep_days=keep_days)
    return deleted
