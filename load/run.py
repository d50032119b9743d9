"""`make load`: for each database, a fresh load network, the server started as `make run`
starts it, the sign-in storm, then the mixed scenario; a table per page and a JSON file each.

    python -m load.run --databases sqlite postgresql --users 50 --time 3m

SQLite runs with the file cache and huey's SQLite queue, as the quick start does, in
var/load/sqlite/; PostgreSQL runs on a database of its own (dropped and made again; its name
must contain "load") with the cache and the queue on Redis, under keys of their own. Both run
in production mode (SOLNET_PRODUCTION, compressed static files, keys from the environment).
Results: var/load-results-<database>.json; the server's and the worker's output:
var/load/<database>/server.log.
"""

# locust patches the standard library for gevent when it is imported: first, before the rest.
from load import locustfile  # isort: skip

import argparse
import datetime as dt
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import gevent
import locust
from locust.env import Environment

from load import report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CACHE_PREFIX = "solnet-load"
SAMPLE_SECONDS = 0.02
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    args = _arguments()
    results = {}
    for kind in args.databases:
        results[kind] = run_one(kind, args)
    print("\n" + "=" * 79)
    for kind, result in results.items():
        report.print_pages(
            f"{kind}: {result['users']} users for {result['seconds']:.0f} s, "
            f"{result['web_workers']} web workers x {result['threads']} threads, "
            f"load average {result['load_average_before'][0]:.1f} before",
            result,
        )
        report.print_storm(result["sign_in_storm"])
        print(f"Written to {result['file']}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=_seconds, default="3m", help="e.g. 90s, 3m")
    parser.add_argument("--warm-up", type=_seconds, default="15s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/solnet_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    unknown = set(args.databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    if not 1 <= args.users <= 50:
        parser.error("the load network has 50 members: --users from 1 to 50")
    return args


def _seconds(text: str) -> float:
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"a duration such as 90s or 3m, not {text!r}")
    return float(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[found.group(2)]


# --- one database ----------------------------------------------------------------------------


def run_one(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {kind} ==")
    data_dir = ROOT / "var" / "load" / kind
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = _environment(kind, data_dir, args)
    if kind == "postgresql":
        _recreate_database(args.database_url)
        _clear_redis(args.redis_url)
    print("Preparing the database and the load network…")
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage({**env, "SOLNET_HUEY_IMMEDIATE": "true"}, "load_setup")
    plan = json.loads((data_dir / "load-plan.json").read_text())
    try:
        with Server(env, args, data_dir / "server.log") as server:
            result = measure(plan, server, args)
    finally:
        if kind == "postgresql":
            _drop_database(args.database_url)
            _clear_redis(args.redis_url)
    result["database"] = kind
    path = ROOT / "var" / f"load-results-{kind}.json"
    path.write_text(json.dumps(_plain(result), indent=1) + "\n")
    result["file"] = str(path.relative_to(ROOT))
    return result


def _environment(kind: str, data_dir: Path, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SOLNET_DATA_DIR": str(data_dir),
            "SOLNET_PRODUCTION": "true",
            "SOLNET_DEBUG": "false",
            "SOLNET_SECRET_KEY": secrets.token_urlsafe(50),
            "SOLNET_MASTER_KEY": secrets.token_urlsafe(32),
            "SOLNET_MASTER_KEY_FILE": "",
            "SOLNET_BASE_URL": f"http://{args.host}:{args.port}",
            "SOLNET_ALLOWED_HOSTS": args.host,
            "SOLNET_CACHE_PREFIX": CACHE_PREFIX,
            "SOLNET_HUEY_IMMEDIATE": "false",
            # Nothing leaves the machine: no mail server, no SMS gateway.
            "SOLNET_SMTP_HOST": "",
            "SOLNET_SMS_ACCOUNT_SID": "",
            "DATABASE_URL": args.database_url if kind == "postgresql" else "",
            "REDIS_URL": args.redis_url if kind == "postgresql" else "",
        }
    )
    return env


def _manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603  # our own manage.py


def _database_name(url: str) -> str:
    name = urlparse(url).path.lstrip("/")
    # Dropped and made again on every run: never a database that could be a network's.
    if "load" not in name:
        sys.exit(f"The load test drops and recreates its database; {name!r} has no 'load' in it.")
    return name


def _admin_connection(url: str):
    import psycopg

    return psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True)


def _recreate_database(url: str) -> None:
    from psycopg import sql

    name = sql.Identifier(_database_name(url))
    with _admin_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _drop_database(url: str) -> None:
    from psycopg import sql

    name = sql.Identifier(_database_name(url))
    with _admin_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _clear_redis(url: str) -> None:
    """Only the load's own keys: its cache's prefix and its queue's name."""
    import redis

    connection = redis.Redis.from_url(url)
    queue = re.sub(r"[^a-z0-9]", "", CACHE_PREFIX)
    for pattern in (f"{CACHE_PREFIX}:*", f"huey.*.{queue}*"):
        for key in connection.scan_iter(pattern):
            connection.delete(key)


class Server:
    """gunicorn and the huey worker, as `make run` starts them, for the length of a `with`."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace, log: Path):
        self.env, self.args, self.log_path = env, args, log
        self.url = f"http://{args.host}:{args.port}"

    def __enter__(self) -> "Server":
        with socket.socket() as probe:
            if probe.connect_ex((self.args.host, self.args.port)) == 0:
                sys.exit(f"Something already answers on {self.url}: choose another LOAD_PORT.")
        self.log = self.log_path.open("w")
        common = {"cwd": ROOT, "env": self.env, "stdout": self.log, "stderr": subprocess.STDOUT}
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--quiet"], **common
        )
        self.web = subprocess.Popen(  # noqa: S603  # the project's gunicorn
            [
                str(BIN / "gunicorn"),
                "solnet.wsgi",
                "--bind",
                f"{self.args.host}:{self.args.port}",
                "--workers",
                str(self.args.workers),
                "--threads",
                str(self.args.threads),
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
            ],
            **common,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as answer:  # noqa: S310  # loopback
                    if answer.status == 200 and len(self.workers()) == self.args.workers:
                        return self
            except OSError:
                pass
            if self.web.poll() is not None:
                break
            gevent.sleep(0.5)
        self.__exit__()
        sys.exit(f"The server did not start: see {self.log_path}")

    def __exit__(self, *_exc: object) -> None:
        for process, stop in ((self.web, signal.SIGTERM), (self.worker, signal.SIGINT)):
            if process.poll() is None:
                process.send_signal(stop)
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()

    def workers(self) -> list[int]:
        """The web workers: gunicorn's master's children."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.web.pid:
                found.append(int(stat.parent.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the web workers and the worker."""
        total = 0.0
        for pid in [*self.workers(), self.worker.pid]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total


def _memory(pid: int, field: str) -> float:
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM) in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- the measurement -------------------------------------------------------------------------


def measure(plan: dict[str, Any], server: Server, args: argparse.Namespace) -> dict[str, Any]:
    samples = report.Samples()
    environment = Environment(
        user_classes=[locustfile.Organizer, locustfile.Member], host=server.url
    )
    environment.events.request.add_listener(samples.listen)
    locustfile.configure(plan, users=args.users)
    runner = environment.create_local_runner()
    # The sign-in page once through each worker first: the storm times signing in, not the
    # first compilation of a template.
    for _ in range(4 * args.workers):
        urllib.request.urlopen(f"{server.url}/accounts/login/", timeout=30).read()  # noqa: S310  # loopback

    print(f"The sign-in storm: {args.users} members at once…")
    workers = server.workers()
    before = sum(_memory(pid, "VmRSS") for pid in workers)
    peak = {"total": before}

    def sample() -> None:
        while True:
            peak["total"] = max(peak["total"], sum(_memory(pid, "VmRSS") for pid in workers))
            gevent.sleep(SAMPLE_SECONDS)

    sampler = gevent.spawn(sample)
    samples.recording = True
    runner.start(args.users, spawn_rate=args.users)
    signed_in = locustfile.STORM.all_signed_in.wait(timeout=900)
    samples.recording = False
    sampler.kill()
    if not signed_in:
        runner.quit()
        sys.exit("The sign-in storm did not end in 15 minutes.")
    storm = {
        "users": args.users,
        "signed_in": locustfile.STORM.signed_in,
        "seconds": max(samples.times.get(locustfile.SIGN_IN_WHOLE, [0])) / 1000,
        "steps": report.storm_table(samples),
        "memory": {
            "before_mib": round(before, 1),
            "peak_total_mib": round(peak["total"], 1),
            "sample_ms": round(SAMPLE_SECONDS * 1000),
            "worker_peaks_mib": [round(_memory(pid, "VmHWM"), 1) for pid in workers],
        },
        "argon2": _argon2_parameters(),
    }
    report.print_storm(storm)
    if locustfile.STORM.signed_in < args.users:
        print(f"Only {locustfile.STORM.signed_in} of {args.users} signed in; the others stopped.")

    samples.clear()
    print(f"The mixed scenario: {args.warm_up:.0f} s to warm up, then {args.time:.0f} s measured…")
    gevent.sleep(args.warm_up)
    load_before, cpu_before = os.getloadavg(), server.cpu_seconds()
    samples.recording = True
    started = time.monotonic()
    gevent.sleep(args.time)
    samples.recording = False
    seconds = time.monotonic() - started
    cpu = server.cpu_seconds() - cpu_before
    load_after = os.getloadavg()
    runner.quit()
    table = report.pages_table(samples)
    requests = table["all"]["requests"]
    return {
        **table,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "seconds": seconds,
        "warm_up_seconds": args.warm_up,
        "web_workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "requests_per_second": round(requests / seconds, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / requests, 1) if requests else None,
        "locust": locust.__version__,
        "sign_in_storm": storm,
    }


def _argon2_parameters() -> dict[str, int]:
    """The hasher settings.py puts first, with Django's parameters."""
    from django.contrib.auth.hashers import Argon2PasswordHasher as hasher

    return {
        "memory_kib": hasher.memory_cost,
        "parallelism": hasher.parallelism,
        "time_cost": hasher.time_cost,
    }


def _plain(value: Any) -> Any:
    """JSON without NaN: a figure that could not be measured is null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


if __name__ == "__main__":
    main()
