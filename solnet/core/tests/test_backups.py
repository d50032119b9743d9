"""Backups: the restore drill (R-6) — a network with data in its tables and sealed files is
backed up while it runs, restored into an empty installation, and compared table by table, row
by row, and file by file —, and the refusals: a wrong backup key, a tampered or cut-off file,
an installation that is not empty. Then the worker's daily backup keeping the network's days.

The data is committed (`transactional_db`): the backup reads the database from outside the
test's connection, as it reads a running SolNet's. On PostgreSQL the restore goes into a second
database beside the test database; on SQLite into a new file."""

from __future__ import annotations

import filecmp
import io
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from solnet.core import sealed
from solnet.core.backups import container, keyring, making, restoring
from solnet.core.backups.databases import Database, database, quote
from solnet.network.models import Network


@pytest.fixture
def backup_key(settings, tmp_path):
    """A backup key of the test's own: the public half configured, the secret half returned."""
    secret, public = keyring.new_pair()
    settings.BACKUP_KEY = public
    settings.BACKUP_DIR = tmp_path / "backups"
    return keyring.parse_secret(secret)


@pytest.fixture
def empty_target(tmp_path, transactional_db):
    """An empty installation beside the test's: a database that does not exist yet (SQLite)
    or was just made with CREATE DATABASE (PostgreSQL), and a data directory."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}, tmp_path / "restored-data"
        return
    import psycopg

    name = f"{source['NAME']}_restore"
    admin = database({**source, "NAME": "postgres"})
    with psycopg.connect(admin._conninfo(), password=source.get("PASSWORD") or None) as conn:
        conn.autocommit = True
        conn.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {quote(name)}")
    try:
        yield {**source, "NAME": name}, tmp_path / "restored-data"
    finally:
        with psycopg.connect(admin._conninfo(), password=source.get("PASSWORD") or None) as conn:
            conn.autocommit = True
            conn.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


def _rows(db: Database, table: str) -> list[tuple]:
    count = len(db.query(f"SELECT * FROM {quote(table)} LIMIT 1")[0]) if _has_rows(db, table) else 0
    if not count:
        return []
    order = ", ".join(str(i) for i in range(1, count + 1))
    return db.query(f"SELECT * FROM {quote(table)} ORDER BY {order}")


def _has_rows(db: Database, table: str) -> bool:
    return bool(db.query(f"SELECT COUNT(*) FROM {quote(table)}")[0][0])


def _add_sealed_files(owner) -> list[str]:
    """A kept file and a short-lived one, of several chunks, through the sealed store."""
    names = []
    for lifetime, size in ((None, 200_000), (sealed.LIFETIME, 70_000)):
        item = sealed.create_sealed_file(
            owner=owner,
            purpose="export",
            filename="people.csv",
            content_type="text/csv",
            total=1,
            lifetime=lifetime,
        )
        with sealed.writing(item) as writer:
            writer.write(os.urandom(size))
        sealed.mark_ready(item, size=writer.size, done=1)
        names.append(f"{item.public_id}.sealed")
    return names


def _add_the_books(objects) -> None:
    """The network's money as the authorization matrix makes it: funds, the ledger (whose
    database rules a restore must keep), donations, aid requests, statements, supplies and
    matching."""
    from solnet.funds.tests import (
        matrix_aid,
        matrix_books,
        matrix_matching,
        matrix_online,
        matrix_reports,
        matrix_statements,
        matrix_supplies,
    )

    for area in (
        matrix_books,
        matrix_online,
        matrix_reports,
        matrix_aid,
        matrix_statements,
        matrix_supplies,
        matrix_matching,
    ):
        for row in [*area.PAGES.values(), *area.API_OPERATIONS.values()]:
            row.kwargs(objects)


def _add_the_hotline(objects) -> None:
    """The hotline as the authorization matrix makes it: a slot, reports, a verification, a
    conversation on the line, an incident's field notes with a sealed photo, a jail-support
    case."""
    from solnet.defense.tests import matrix_defense

    for row in matrix_defense.PAGES.values():
        row.kwargs(objects)


def _sealed_differences(source_dir: Path, target_dir: Path) -> list[str]:
    source = sorted(p.name for p in source_dir.iterdir())
    target = sorted(p.name for p in target_dir.iterdir()) if target_dir.exists() else []
    if source != target:
        return [f"files {source} != {target}"]
    return [n for n in source if not filecmp.cmp(source_dir / n, target_dir / n, shallow=False)]


def _nothing_in(target_settings: dict, data_dir: Path) -> bool:
    target = database(target_settings)
    if target.vendor == "sqlite" and not target.exists():
        tables: list[str] = []
    else:
        tables = target.tables()
    sealed_files = (data_dir / "sealed").exists() and any((data_dir / "sealed").iterdir())
    return not tables and not sealed_files


@pytest.mark.verify
def test_restore_drill_gives_back_every_table_and_file(
    objects, personas, backup_key, empty_target, figures, django_capture_on_commit_callbacks
):
    """R-6: backup → restore into an empty installation → every table equal, row by row, and
    every sealed file equal, byte by byte."""
    with django_capture_on_commit_callbacks(execute=True):
        kept = _add_sealed_files(personas["organizer"].member)
        _add_the_books(objects)
        _add_the_hotline(objects)
    target_settings, data_dir = empty_target
    source = database(connection.settings_dict)
    tables = [t for t in source.tables() if t != "sqlite_sequence"]
    # The source as the backup sees it: the backup's own audit event comes after.
    before = {t: _rows(source, t) for t in tables}
    out = io.StringIO()
    report = making.make_backup(progress=out.write)
    assert "Backup written" in out.getvalue()
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.path.parent.stat().st_mode) == 0o700

    restoring.restore_backup(
        report.path, secret=backup_key, database_settings=target_settings, data_dir=data_dir
    )

    target = database(target_settings)
    assert sorted(target.tables()) == sorted(source.tables())
    filled = [t for t in tables if before[t]]
    unequal = [t for t in tables if before[t] != _rows(target, t)]
    differing_files = _sealed_differences(Path(settings.DATA_DIR) / "sealed", data_dir / "sealed")
    equal = 100 * (len(tables) - len(unequal)) / len(tables)
    figures(
        f"R-6.tables_equal.{connection.vendor}",
        equal,
        unit="%",
        target="100 %",
        ok=equal == 100 and not differing_files,
    )
    assert not unequal, unequal
    assert not differing_files
    assert all((data_dir / "sealed" / name).exists() for name in kept)
    # Representative: most tables hold rows.
    assert len(filled) >= 0.6 * len(tables), (len(filled), len(tables))


@pytest.fixture
def small_backup(network, personas, backup_key, django_capture_on_commit_callbacks, monkeypatch):
    """A backup of a small network with a sealed file, in chunks of 64 KiB so that even a
    small backup has several (one of them can be moved)."""
    monkeypatch.setattr(container, "CHUNK", 64 * 1024)
    with django_capture_on_commit_callbacks(execute=True):
        _add_sealed_files(personas["organizer"].member)
    return making.make_backup().path


def test_a_wrong_backup_key_is_refused_and_changes_nothing(small_backup, empty_target):
    target_settings, data_dir = empty_target
    other = keyring.parse_secret(keyring.new_pair()[0])
    with pytest.raises(restoring.RestoreRefused, match=r"made for backup key .* Nothing was"):
        restoring.restore_backup(
            small_backup, secret=other, database_settings=target_settings, data_dir=data_dir
        )
    assert _nothing_in(target_settings, data_dir)


@pytest.mark.parametrize(
    "damage", ["a byte in the middle", "the header", "cut off", "a chunk moved"]
)
def test_a_tampered_backup_is_refused_and_changes_nothing(
    small_backup, backup_key, empty_target, damage
):
    target_settings, data_dir = empty_target
    data = bytearray(small_backup.read_bytes())
    start = len(container.MAGIC) + 4 + int.from_bytes(data[len(container.MAGIC) :][:4], "big")
    if damage == "a byte in the middle":
        data[len(data) // 2] ^= 0x01
    elif damage == "the header":
        data[start - 3] ^= 0x01
    elif damage == "cut off":
        del data[len(data) - container.CHUNK // 2 :]
    else:  # the first chunk put after the second
        first = 4 + int.from_bytes(data[start : start + 4], "big")
        second = 4 + int.from_bytes(data[start + first : start + first + 4], "big")
        assert len(data) > start + first + second  # a third chunk: the last is not one moved
        data[start : start + first + second] = (
            data[start + first : start + first + second] + data[start : start + first]
        )
    small_backup.write_bytes(bytes(data))
    with pytest.raises(restoring.RestoreRefused, match="Nothing was changed"):
        restoring.restore_backup(
            small_backup, secret=backup_key, database_settings=target_settings, data_dir=data_dir
        )
    assert _nothing_in(target_settings, data_dir)


def test_restoring_into_an_installation_with_data_is_refused(
    transactional_db, small_backup, backup_key, tmp_path
):
    key_file = tmp_path / "restore.key"
    keyring.write_secret(key_file, keyring.SECRET_PREFIX + _secret_text(backup_key))
    source = database(connection.settings_dict)
    before = {t: _rows(source, t) for t in ("members_member", "core_auditevent")}
    with pytest.raises(CommandError, match="not empty: its database holds data"):
        call_command("restore", str(small_backup), "--key-file", str(key_file))
    assert before == {t: _rows(source, t) for t in before}


def _secret_text(secret) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = secret.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return keyring._b64e(raw)


def test_the_daily_backup_keeps_the_networks_number_of_days(network, backup_key):
    from solnet.network.tasks import daily_backup

    Network.objects.filter(pk=network.pk).update(backup_days=3)
    folder = making.backup_dir()
    now = datetime.now(UTC)
    for days in range(1, 7):
        stamp = (now - timedelta(days=days, minutes=1)).strftime("%Y%m%dT%H%M%SZ")
        (folder / f"solnet-{stamp}.backup").write_bytes(b"an older backup")
    (folder / "notes.txt").write_text("not a backup: never deleted")
    daily_backup.call_local()
    kept = making.list_backups(folder)
    assert len(kept) == 3  # today's, and those of one and two days ago
    assert [making.made_at(p) > now - timedelta(days=3) for p in kept] == [True] * 3
    assert (folder / "notes.txt").exists()
    assert container.read_header(kept[-1])["key"] == keyring.key_id(backup_key.public_key())


def test_a_new_backup_key_is_written_private_and_never_over_another(tmp_path):
    path = tmp_path / "backup.key"
    out = io.StringIO()
    call_command("generate_backup_key", "--secret-file", str(path), stdout=out)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = out.getvalue().strip().splitlines()[-1]
    assert keyring.key_id(keyring.parse_public(public)) == keyring.key_id(
        keyring.read_secret(path).public_key()
    )
    with pytest.raises(CommandError, match="exists already"):
        call_command("generate_backup_key", "--secret-file", str(path), stdout=io.StringIO())
