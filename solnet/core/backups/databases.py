"""The database's part of a backup: a consistent copy while SolNet runs, and the restore into
an empty database. Each works from a Django database settings dict, so the restore drill can
restore into a second database beside the one Django uses.

* SQLite: the online backup API copies the database in one step, inside one read transaction,
  so writers carry on (WAL) and the copy is one moment of the database. The copy goes to a
  private temporary file in the data directory (where the database itself is), is compressed
  into the backup and deleted. A restore writes a new file beside the target, checks it
  (`PRAGMA integrity_check`) and puts it in place at once.
* PostgreSQL: `pg_dump --format=custom`, which reads in one repeatable-read snapshot, streamed
  straight into the backup; a restore streams it into `pg_restore --single-transaction`, so a
  failed restore leaves the database as it was. The password goes in the environment, never
  on a command line.
"""

from __future__ import annotations

import abc
import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

BLOCK = 1024 * 1024
Progress = Callable[[str], None]

# What `migrate` writes into a new database by itself (Django's bookkeeping, the general
# meeting that democracy's migrations make, the network's still unnamed row that the first
# page shows): a database holding rows only there is still empty.
FILLED_BY_MIGRATE = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "sqlite_sequence",
        "democracy_body",
        "network_network",
    }
)


class DatabaseToolFailed(Exception):
    """pg_dump failed, or pg_restore (or SQLite's check) refused the backup's database; a
    refused restore keeps nothing."""


def database_errors() -> tuple[type[Exception], ...]:
    """What the drivers raise when a database cannot be reached or read."""
    import psycopg

    return (sqlite3.Error, psycopg.Error)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Database(abc.ABC):
    """One database, described by a Django settings dict; each kind says how it lists its
    tables, reads, dumps and restores."""

    vendor = ""

    def __init__(self, settings_dict: dict[str, Any]) -> None:
        self.settings_dict = settings_dict

    @abc.abstractmethod
    def tables(self) -> list[str]:
        """The names of the database's tables."""

    @abc.abstractmethod
    def query(self, sql: str) -> list[tuple]:
        """The rows one query answers."""

    def tables_with_data(self) -> dict[str, int]:
        """Tables holding rows, with their counts, leaving out what `migrate` writes alone."""
        found = {}
        for table in self.tables():
            if table in FILLED_BY_MIGRATE:
                continue
            count = self.query(f"SELECT COUNT(*) FROM {quote(table)}")[0][0]  # noqa: S608 - a quoted table name the database listed
            if count:
                found[table] = count
        if "network_network" in self.tables():
            founded = self.query(
                "SELECT COUNT(*) FROM network_network WHERE founded_at IS NOT NULL OR name <> ''"
            )[0][0]
            if founded:
                found["network_network"] = founded
        return found

    def master_key_ids(self) -> list[str]:
        """The master keys the data keys are wrapped by (ids only), for the restore to check
        that it can unwrap them."""
        if "core_datakey" not in self.tables():
            return []
        return sorted({row[0] for row in self.query("SELECT master_id FROM core_datakey")})

    def migrations(self) -> list[list[str]]:
        if "django_migrations" not in self.tables():
            return []
        rows = self.query("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [[app, name] for app, name in rows]

    @abc.abstractmethod
    def dump(self, progress: Progress) -> Iterator[bytes]:
        """The whole database as one consistent copy, in blocks, while SolNet writes."""

    @abc.abstractmethod
    def restore(self, blocks: Iterable[bytes], *, replace_tables: bool, progress: Progress):
        """Puts a dump made by `dump` in place of this empty database, all or nothing."""


class SqliteDatabase(Database):
    vendor = "sqlite"

    @property
    def path(self) -> Path:
        return Path(self.settings_dict["NAME"])

    def _connect(self) -> sqlite3.Connection:
        timeout = self.settings_dict.get("OPTIONS", {}).get("timeout", 20)
        return sqlite3.connect(self.path, timeout=timeout)

    def exists(self) -> bool:
        return self.path.exists()

    def tables(self) -> list[str]:
        if not self.exists():
            return []
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in rows]

    def query(self, sql: str) -> list[tuple]:
        connection = self._connect()
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def dump(self, progress: Progress) -> Iterator[bytes]:
        workdir = Path(tempfile.mkdtemp(prefix="backup-", dir=settings.DATA_DIR))
        try:
            copy_path = workdir / "copy.sqlite3"
            source = self._connect()
            target = sqlite3.connect(copy_path)
            try:
                progress(_("Copying the SQLite database (online backup)…"))
                # All pages in one step: one read transaction, so the copy is one moment of
                # the database even while SolNet writes (a copy in steps would start over
                # after every write).
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
                source.close()
            size = copy_path.stat().st_size
            progress(_("Database copied: %(mb).1f MB.") % {"mb": size / 1e6})
            with open(copy_path, "rb") as handle:
                while block := handle.read(BLOCK):
                    yield block
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def restore(self, blocks: Iterable[bytes], *, replace_tables: bool, progress: Progress):
        """Writes the database into a new file beside the target, checks it, and puts it in
        place; the target's journal files go first, so no stale WAL is applied to it."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = self.path.with_name(self.path.name + ".restoring")
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for block in blocks:
                    handle.write(block)
                handle.flush()
                os.fsync(handle.fileno())
            connection = sqlite3.connect(staging)
            try:
                verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                connection.close()
            if verdict != "ok":
                raise DatabaseToolFailed(
                    _("The restored SQLite database fails its integrity check.")
                )
            return lambda: self._put_in_place(staging)
        except BaseException:
            staging.unlink(missing_ok=True)
            raise

    def _put_in_place(self, staging: Path) -> None:
        for suffix in ("-wal", "-shm", "-journal"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        os.replace(staging, self.path)


class PostgresDatabase(Database):
    vendor = "postgresql"

    def _conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        s = self.settings_dict
        parts = {
            "dbname": s.get("NAME") or "",
            "user": s.get("USER") or "",
            "host": s.get("HOST") or "",
            "port": str(s.get("PORT") or ""),
        }
        options = {k: str(v) for k, v in (s.get("OPTIONS") or {}).items()}
        return make_conninfo(**{k: v for k, v in parts.items() if v}, **options)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = self.settings_dict["PASSWORD"]
        return env

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        password = self.settings_dict.get("PASSWORD") or None
        with psycopg.connect(self._conninfo(), password=password) as connection:
            return connection.execute(sql).fetchall()  # type: ignore[arg-type]

    def exists(self) -> bool:
        return True

    def tables(self) -> list[str]:
        rows = self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [name for (name,) in rows]

    def dump(self, progress: Progress) -> Iterator[bytes]:
        progress(_("Dumping the PostgreSQL database (pg_dump)…"))
        with tempfile.TemporaryFile() as errors:
            # A fixed program and options; only the connection string comes from settings.
            process = subprocess.Popen(  # noqa: S603
                [  # noqa: S607 - pg_dump from the PATH, as the documentation says
                    "pg_dump",
                    "--format=custom",
                    "--compress=0",  # the backup compresses it once
                    "--no-owner",
                    "--no-privileges",
                    f"--dbname={self._conninfo()}",
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=self._env(),
            )
            assert process.stdout is not None
            try:
                while block := process.stdout.read(BLOCK):
                    yield block
            finally:
                process.stdout.close()
                code = process.wait()
            if code != 0:
                errors.seek(0)
                raise DatabaseToolFailed(
                    _("pg_dump failed: %(error)s")
                    % {"error": errors.read().decode(errors="replace").strip()}
                )
        progress(_("Database dumped."))

    def restore(self, blocks: Iterable[bytes], *, replace_tables: bool, progress: Progress):
        """Streams the dump into pg_restore in one transaction, which commits only when the
        whole dump was read; returns nothing to do afterwards."""
        command = [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={self._conninfo()}",
        ]
        if replace_tables:
            # Empty tables that `migrate` made: dropped and made again, in the same transaction.
            command[1:1] = ["--clean", "--if-exists"]
        with tempfile.TemporaryFile() as errors:
            # pg_restore from the PATH, as the documentation says; fixed options.
            process = subprocess.Popen(  # noqa: S603
                command, stdin=subprocess.PIPE, stderr=errors, env=self._env()
            )
            assert process.stdin is not None
            try:
                for block in blocks:
                    process.stdin.write(block)
            except BrokenPipeError:
                pass  # pg_restore stopped: its exit code and message say why
            except BaseException:
                process.kill()  # the transaction is rolled back with the connection
                process.wait()
                raise
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
            if process.wait() != 0:
                errors.seek(0)
                raise DatabaseToolFailed(
                    _("pg_restore refused the database: %(error)s")
                    % {"error": errors.read().decode(errors="replace").strip()[-2000:]}
                )
        return None


def database(settings_dict: dict[str, Any]) -> Database:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return SqliteDatabase(settings_dict)
    if engine.endswith("postgresql"):
        return PostgresDatabase(settings_dict)
    raise ValueError(f"backups do not support the database engine {engine}")
