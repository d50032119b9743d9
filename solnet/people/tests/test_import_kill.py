"""A killed import leaves nobody behind: the import runs in another OS process against the
same database file, is killed with SIGKILL half-way, and the database holds no person and no
contact channel from it; the page says the import was interrupted, and it can be started
again and then imports everyone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from conftest import sign_in
from solnet.core import audit
from solnet.people.imports import files, progress
from solnet.people.imports import services as import_services
from solnet.people.models import ContactChannel, ImportStatus, Person, PersonImport, Tag
from solnet.people.tests.importing import checked, upload

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
ROWS = 12_000

# The worker, as another process: the same settings and keys (inherited environment), the
# test database file instead of the installation's.
WORKER = (
    "import sys, django; django.setup(); "
    "from django.conf import settings; settings.DATABASES['default']['NAME'] = sys.argv[1]; "
    "from django.core.management import call_command; "
    "call_command('run_person_import', sys.argv[2])"
)


def _csv(rows: int) -> str:
    lines = ["first_name,last_name,email,can2_phone,can2_user_tags"]
    lines += [
        f"Person,Number {n},person{n}@example.org,+1206{200 + n // 10000}{n % 10000:04d},"
        f"shift {n % 4}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def _queued_without_a_worker(person_import: PersonImport, organizer) -> None:
    """Starts the import, with the in-process worker switched off: nobody takes it yet."""
    HUEY.immediate = False
    try:
        import_services.start_import(
            person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
        )
    finally:
        HUEY.immediate = True
        HUEY.flush()


def test_a_killed_import_leaves_nobody_and_can_be_started_again(organizer):
    before = (Person.objects.count(), ContactChannel.objects.count(), Tag.objects.count())
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)
    assert person_import.status == ImportStatus.READY
    _queued_without_a_worker(person_import, organizer)
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.QUEUED

    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            str(connection.settings_dict["NAME"]),
            person_import.public_id,
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "solnet.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline and worker.poll() is None:
            done = progress.progress_of(person_import)["done"]
            if done >= files.BATCH:
                break
            time.sleep(0.02)
        assert 0 < done < ROWS, f"the worker never got half-way: {done} rows done"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == -signal.SIGKILL, output  # killed, not finished

    # Nobody from the file: the whole write was one transaction, never committed.
    assert (Person.objects.count(), ContactChannel.objects.count(), Tag.objects.count()) == before
    if connection.vendor == "sqlite":  # PostgreSQL checks its own pages on every read
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
    assert audit.verify_chain().ok
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.RUNNING  # what the worker said before it died
    assert progress.is_interrupted(person_import)

    client = sign_in(Client(), organizer)
    page = client.get(reverse("people:import_detail", args=[person_import.public_id]))
    assert 'id="import-failed"' in page.content.decode()
    assert 'id="import-restart"' in page.content.decode()

    # Started again (the worker runs in this process now), it imports everyone once.
    response = client.post(reverse("people:import_restart", args=[person_import.public_id]))
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE, person_import.failure
    assert Person.objects.count() == before[0] + ROWS
    assert ContactChannel.objects.count() == before[1] + 2 * ROWS
    assert Tag.objects.count() == before[2] + 4
    assert Person.objects.matching(contact="person11999@example.org").count() == 1
    assert audit.verify_chain().ok
