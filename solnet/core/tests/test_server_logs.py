"""gunicorn, configured as SolNet runs it (`solnet.gunicorn_conf`), keeps no client address in
its logs: SolNet keeps no IP address anywhere (SECURITY.md, Minimize)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def _wait_until_listening(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {server.communicate()[1]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start listening")


def test_a_malformed_request_leaves_no_client_address_in_the_logs(tmp_path):
    port = _free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SOLNET_") and k not in {"DATABASE_URL", "REDIS_URL"}
        },
        "SOLNET_DATA_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # The options of the Makefile's SERVE line.
    command = [
        str(GUNICORN),
        "solnet.wsgi",
        "--config",
        "python:solnet.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "2",
        "--access-logfile",
        "/dev/null",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_listening(server, port)
        refused = _exchange(port, b"NOT AN HTTP REQUEST\r\n\r\n")
        bad_header = _exchange(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken\r\n\r\n")
        served = _exchange(
            port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        _out, log = server.communicate(timeout=30)
    assert refused.startswith(b"HTTP/1.1 400") and bad_header.startswith(b"HTTP/1.1 400")
    assert served.startswith(b"HTTP/1.1 200"), served[:200]
    # The operator still learns that malformed requests came, and why; not from where.
    assert log.count("Invalid request from") == 2, log
    assert "127.0.0.1" not in log, log


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Invalid request from ip=203.0.113.9: bad", "Invalid request from ip=[address]: bad"),
        ("peer ('198.51.100.4', 51234) left", "peer ('[address]', 51234) left"),
        ("from ::1 and [2001:db8::7]:443", "from [address] and [[address]]:443"),
        ("mapped ::ffff:192.0.2.1 here", "mapped [address] here"),
        ("fe80::1%eth0", "[address]%eth0"),
        ("took 12:30:45 and 3.5 s", "took 12:30:45 and 3.5 s"),
    ],
)
def test_addresses_are_taken_out_of_any_message(message, expected):
    from solnet.gunicorn_conf import without_addresses

    assert without_addresses(message) == expected
