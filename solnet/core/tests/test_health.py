"""The health endpoint, with a real worker process consuming the real queue (SQLite storage by
default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

from solnet.core.tasks import HEARTBEAT_CACHE_KEY, heartbeat

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_health_reports_database_worker_and_queue(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["queue"] == "ok" and body["status"] == "ok"
    assert body["worker"] == "unknown"
    assert isinstance(body["queue_depth"], int)


@pytest.mark.django_db
def test_health_says_stale_when_the_worker_stopped_beating(client):
    cache.set(HEARTBEAT_CACHE_KEY, time.time() - 3600)
    assert client.get("/health").json()["worker"] == "stale"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_queued_work_and_reports_in(client, settings):
    HUEY.immediate = False
    HUEY.flush()
    try:
        heartbeat()  # queued, not run: nobody is consuming yet
        heartbeat()
        body = client.get("/health").json()
        assert body["queue_depth"] == 2
        assert body["worker"] == "unknown"
        env = {**os.environ, "SOLNET_HUEY_IMMEDIATE": "false"}
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                body = client.get("/health").json()
                if body["queue_depth"] == 0 and body["worker"] == "ok":
                    break
                time.sleep(0.2)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=10)
        assert body["queue_depth"] == 0, body
        assert body["worker"] == "ok", body
    finally:
        HUEY.immediate = settings.HUEY["immediate"]
        HUEY.flush()


def test_the_worker_runs_the_heartbeat_and_the_retention_purge_on_a_schedule():
    periodic = {task.name for task in HUEY._registry.periodic_tasks}
    assert {"periodic_heartbeat", "purge_expired_records"} <= periodic
