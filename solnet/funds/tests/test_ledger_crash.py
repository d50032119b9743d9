"""A process killed (kill -9) in the middle of posting to the ledger leaves it balanced, with
every entry whole and every acknowledged entry kept (SECURITY.md R-1), on SQLite and
PostgreSQL. The child posts split entries (three legs, two funds) as fast as it can and
prints each entry's id once its transaction has committed; it is killed at a random moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum

from solnet.core import audit
from solnet.funds import ledger
from solnet.funds.models import Entry, Leg
from solnet.funds.tests.making import make_fund

ROOT = Path(__file__).resolve().parents[3]
KILLS = 3
POSTER = """
import sys, datetime, django
django.setup()
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
from solnet.funds import ledger
from solnet.funds.models import Fund
from solnet.funds.ledger import Line
strike, hardship = Fund.objects.get(name="Strike"), Fund.objects.get(name="Hardship")
bank, cash = ledger.standard_account("Assets:Bank"), ledger.standard_account("Assets:Cash")
income = ledger.standard_account("Income:Donations")
n = 0
while True:
    n += 1
    entry = ledger.post_entry(
        kind="donation",
        date=datetime.date(2026, 12, 7),
        lines=[
            Line(bank, 100 + n, strike),
            Line(cash, 7, hardship),
            Line(income, -(100 + n), strike),
            Line(income, -7, hardship),
        ],
        memo=f"gift {n}",
    )
    print(entry.pk, flush=True)
"""


def _whole() -> None:
    assert ledger.trial_balance() == 0
    unbalanced = (
        Leg.objects.values("entry_id", "fund_id").annotate(t=Sum("amount")).exclude(t=0).order_by()
    )
    assert not unbalanced.exists()
    assert not Leg.objects.values("entry_id").annotate(n=Count("id")).exclude(n=4).exists()
    assert set(Leg.objects.values_list("entry_id", flat=True)) == set(
        Entry.objects.values_list("pk", flat=True)
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"


@pytest.mark.verify
@pytest.mark.django_db(transaction=True)
def test_a_poster_killed_mid_entry_leaves_the_ledger_whole(figures):
    make_fund("Strike")
    make_fund("Hardship")
    for code in ("Assets:Bank", "Assets:Cash", "Income:Donations"):
        ledger.standard_account(code)
    lost = 0
    for kill in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", POSTER, str(connection.settings_dict["NAME"])],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "solnet.settings"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            before = Entry.objects.count()
            deadline = time.monotonic() + 60
            while Entry.objects.count() < before + 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(random.uniform(0, 0.3))  # somewhere inside an entry, or between two
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
            out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
        acknowledged = {int(line) for line in out.decode().split()}
        assert len(acknowledged) >= 20, f"kill {kill}: the poster hardly posted"
        kept = set(Entry.objects.filter(pk__in=acknowledged).values_list("pk", flat=True))
        lost += len(acknowledged - kept)
        _whole()
    assert audit.verify_chain().ok
    figures(
        f"R-1.ledger_entries_lost.{connection.vendor}",
        lost,
        unit="entries",
        target="0",
        ok=lost == 0,
    )
    assert lost == 0
