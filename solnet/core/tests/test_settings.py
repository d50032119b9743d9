"""The one settings file: typed environment helpers that refuse bad values, and SQLite tuned
for a small server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from solnet import settings as solnet_settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("helper", "raw"),
    [
        (lambda: solnet_settings.env_bool("SOLNET_PROBE"), "perhaps"),
        (lambda: solnet_settings.env_int("SOLNET_PROBE", 1), "ten"),
        (lambda: solnet_settings.env_int("SOLNET_PROBE", 1, minimum=1), "0"),
    ],
)
def test_bad_values_are_refused_with_the_variables_name(monkeypatch, helper, raw):
    monkeypatch.setenv("SOLNET_PROBE", raw)
    with pytest.raises(ImproperlyConfigured, match="SOLNET_PROBE"):
        helper()


def test_a_database_url_of_another_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        solnet_settings._database_from_url("mysql://root@localhost/solnet")


def test_a_postgres_url_is_understood():
    db = solnet_settings._database_from_url("postgres://u:p%40ss@db.example:5433/solnet")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "solnet",
        "u",
        "p@ss",
        "db.example",
        "5433",
    )


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOLNET_")},
        "SOLNET_PRODUCTION": "true",
        "SOLNET_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SOLNET_SECRET_KEY is required in production" in result.stderr
    assert not (tmp_path / "master.key").exists()


@pytest.mark.django_db
def test_sqlite_runs_with_wal_a_busy_timeout_and_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        # DATABASE_URL chose PostgreSQL: what matters there is that it is what runs.
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def _production_check(tmp_path: Path, base_url: str) -> subprocess.CompletedProcess:
    key_file = tmp_path / "master.key"
    key_file.write_text("p" * 48)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOLNET_")},
        "SOLNET_PRODUCTION": "true",
        "SOLNET_SECRET_KEY": "prod-" + "k9Zq" * 16,
        "SOLNET_MASTER_KEY_FILE": str(key_file),
        "SOLNET_BASE_URL": base_url,
        "SOLNET_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "base_url", ["http://solnet.example.org", "http://203.0.113.7:8000", "ftp://solnet.example.org"]
)
def test_production_refuses_a_base_url_without_https(tmp_path, base_url):
    result = _production_check(tmp_path, base_url)
    assert result.returncode != 0
    assert "SOLNET_BASE_URL must start with https:// in production" in result.stderr


@pytest.mark.parametrize(
    "base_url",
    [
        "https://solnet.example.org",
        "http://127.0.0.1:8000",
        "http://localhost:8011",
        "http://[::1]:8000",
    ],
)
def test_production_accepts_https_and_plain_http_on_loopback(tmp_path, base_url):
    result = _production_check(tmp_path, base_url)
    assert result.returncode == 0, result.stderr
