"""Three real SolNet servers for the confederation tests: each its own gunicorn serving HTTPS
on its own loopback address (127.0.0.2, .3, .4), its own database (SQLite in its own folder,
or its own PostgreSQL database when the suite runs on PostgreSQL), its own master key, secret
key and signing key, and its own huey worker. Their certificates come from a local
certificate authority (trustme) that each server, and the test, trust — and nothing else
does. They talk to each other over real HTTPS, through SolNet's SSRF-guarded client, which
lets them reach one another only because each lists the others' addresses in
SOLNET_OUTBOUND_ALLOWED_HOSTS.

The database is migrated once and copied (SQLite) or cloned from a template (PostgreSQL).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import trustme

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
ADDRESSES = {"a": "127.0.0.2", "b": "127.0.0.3", "c": "127.0.0.4"}
# Variables of the test process that must not reach a server (each has its own).
NOT_INHERITED = ("SOLNET_", "DATABASE_URL", "REDIS_URL", "SSL_CERT_FILE", "DJANGO_SETTINGS")


def _free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


@dataclass
class Instance:
    name: str
    address: str
    port: int
    data_dir: Path
    env: dict[str, str]
    context: ssl.SSLContext
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    control: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"https://{self.address}:{self.port}"

    def manage(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"{self.name}: manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def script(self, function: str, *args: Any) -> Any:
        """Runs `instance_scripts.<function>(*args)` inside this server; returns its result."""
        if self.control is None or self.control.poll() is not None:
            self.control = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "--no-imports",
                    "-c",
                    "from solnet.confederation.tests import instance_scripts as s; s.serve()",
                ],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self.control.stdin is not None and self.control.stdout is not None
        self.control.stdin.write(json.dumps([function, list(args)]) + "\n")
        self.control.stdin.flush()
        line = self.control.stdout.readline()
        if not line:
            raise AssertionError(f"{self.name}: the control process stopped\n{self.tail()}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"{self.name}: {function} failed:\n{answer['error']}")
        return answer["result"]

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers=None
    ) -> tuple[int, bytes]:
        import http.client

        connection = http.client.HTTPSConnection(
            self.address, self.port, context=self.context, timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def wait_until(self, check, *, timeout: float = 60, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: waited {timeout} s for {what}\n{self.tail()}")
            time.sleep(0.5)

    def tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.logs if log.exists()
        )


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def _postgres(base: str, names: list[str]) -> Iterator[list[str]]:
    """A database per server, cloned from the first once it is migrated."""
    import psycopg

    admin = _database_url(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        yield [_database_url(base, name) for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clone_postgres(base: str, template: str, names: list[str]) -> None:
    import psycopg

    with psycopg.connect(_database_url(base, "postgres"), autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _start(instance: Instance) -> None:
    server_log = instance.data_dir / "server.log"
    worker_log = instance.data_dir / "worker.log"
    instance.logs = [server_log, worker_log]
    certs = instance.data_dir.parent / "certs"
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "solnet.wsgi",
            "--config",
            "python:solnet.gunicorn_conf",
            "--bind",
            f"{instance.address}:{instance.port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--certfile",
            str(certs / "server.pem"),
            "--keyfile",
            str(certs / "server.key"),
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=instance.env,
        stdout=subprocess.DEVNULL,
        stderr=server_log.open("w"),
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--quiet"],
        cwd=ROOT,
        env=instance.env,
        stdout=subprocess.DEVNULL,
        stderr=worker_log.open("w"),
    )
    instance.processes = [server, worker]


def _wait_listening(instance: Instance) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for process in instance.processes:
            if process.poll() is not None:
                raise AssertionError(f"{instance.name} stopped:\n{instance.tail()}")
        try:
            status, _body = instance.request("GET", "/health")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{instance.name} did not start:\n{instance.tail()}")


def _stop(instance: Instance) -> None:
    if instance.control is not None and instance.control.poll() is None:
        assert instance.control.stdin is not None
        instance.control.stdin.close()
        instance.processes.append(instance.control)
    for process in instance.processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in instance.processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def three_servers(directory: Path, names: tuple[str, ...] = ("a", "b", "c")):
    """Starts the servers; yields {name: Instance}; stops them and drops their databases."""
    authority = trustme.CA()
    certificate = authority.issue_cert(*(ADDRESSES[name] for name in names))
    certs = directory / "certs"
    certs.mkdir(parents=True)
    certificate.private_key_pem.write_to_path(str(certs / "server.key"))
    certificate.cert_chain_pems[0].write_to_path(str(certs / "server.pem"))
    authority.cert_pem.write_to_path(str(certs / "ca.pem"))
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))

    base_env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    postgres_base = os.environ.get("DATABASE_URL", "")
    db_names = [f"solnet_fed_{worker}_{name}" for name in names]
    instances: dict[str, Instance] = {}
    with (
        _postgres(postgres_base, db_names)
        if postgres_base
        else contextlib.nullcontext([""] * len(names))
    ) as urls:
        for name, url in zip(names, urls, strict=True):
            address = ADDRESSES[name]
            port = _free_port(address)
            data_dir = directory / name
            data_dir.mkdir()
            env = {
                **base_env,
                "SOLNET_DATA_DIR": str(data_dir),
                "SOLNET_BASE_URL": f"https://{address}:{port}",
                "SOLNET_ALLOWED_HOSTS": address,
                "SOLNET_OUTBOUND_ALLOWED_HOSTS": ",".join(ADDRESSES[n] for n in names),
                "SOLNET_HUEY_IMMEDIATE": "false",
                "SOLNET_CACHE_PREFIX": f"fed-{worker}-{name}",
                "SSL_CERT_FILE": str(certs / "ca.pem"),
            }
            if url:
                env["DATABASE_URL"] = url
            instances[name] = Instance(name, address, port, data_dir, env, context)
        first, *others = instances.values()
        if postgres_base:
            import psycopg

            with psycopg.connect(_database_url(postgres_base, "postgres"), autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{db_names[0]}"')
            first.manage("migrate", "--noinput", "--verbosity", "0")
            _clone_postgres(postgres_base, db_names[0], db_names[1:])
        else:
            first.manage("migrate", "--noinput", "--verbosity", "0")
            for other in others:
                shutil.copy(first.data_dir / "solnet.sqlite3", other.data_dir / "solnet.sqlite3")
        try:
            for instance in instances.values():
                _start(instance)
            for instance in instances.values():
                _wait_listening(instance)
            yield instances
        finally:
            for instance in instances.values():
                _stop(instance)
