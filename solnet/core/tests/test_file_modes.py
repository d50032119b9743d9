"""What SolNet writes under its data directory (the SQLite database, huey's queue, the cache,
sealed files, the quick-start keys) is readable by the server's user alone: another account on
the machine reads nothing of it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(data_dir: Path, *command: str) -> None:
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SOLNET_") and k not in {"DATABASE_URL", "REDIS_URL"}
        },
        "SOLNET_DATA_DIR": str(data_dir),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        # The usual umask of a shell or a service: files 0644, folders 0755 unless SolNet says
        # otherwise.
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr


def _open_to_others(data_dir: Path) -> list[str]:
    found = []
    for path in [data_dir, *data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(data_dir.parent)} {mode:o}")
    return found


def test_a_new_data_directory_and_its_files_are_private(tmp_path):
    data_dir = tmp_path / "data"
    _manage(data_dir, "migrate", "--noinput", "--verbosity", "0")
    # A command that writes to the cache, as the web server and the worker do.
    _manage(data_dir, "shell", "-c", "from django.core.cache import cache; cache.set('k', 1)")
    assert (data_dir / "solnet.sqlite3").exists() and (data_dir / "huey.sqlite3").exists()
    assert any((data_dir / "cache").iterdir())
    assert _open_to_others(data_dir) == []
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_an_existing_data_directory_is_made_private_at_start(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "solnet.sqlite3"
    database.touch()
    database.chmod(0o644)
    _manage(data_dir, "check")
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
