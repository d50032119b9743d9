"""The one outbound HTTP client: no private addresses unless vouched for, http(s) only, no
redirects, one deadline, a size cap — against a real server on loopback."""

from __future__ import annotations

import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from solnet.core import http


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict]
    release: threading.Event

    def log_message(self, format, *args):
        pass

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.seen.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
        if self.path == "/big":
            self._reply(200, b"x" * 5000)
        elif self.path == "/big-chunked":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/stall":
            self.release.wait(10)
            self._reply(200, b"late")
        elif self.path == "/drip":
            # One byte at a time: every read gets something, only the deadline ends it.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                if self.release.wait(0.05):
                    return
                try:
                    self.wfile.write(b"z")
                    self.wfile.flush()
                except OSError:
                    return
        elif self.path == "/redirect":
            self._reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
        else:
            self._reply(200, b"hello")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.seen.append(
            {"method": "POST", "path": self.path, "headers": dict(self.headers), "form": body}
        )
        self._reply(201, b'{"ok": true}', {"Content-Type": "application/json"})


@pytest.fixture
def server():
    release = threading.Event()

    class Handler(_Handler):
        pass

    Handler.seen = []
    Handler.release = release
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.seen = Handler.seen
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.port = httpd.server_address[1]
    yield httpd
    release.set()
    httpd.shutdown()
    httpd.server_close()


def test_loopback_is_refused_by_default_and_nothing_is_sent(server):
    for url in (server.url + "/", f"http://localhost:{server.port}/"):
        with pytest.raises(http.DestinationRefused):
            http.get(url)
    with pytest.raises(http.DestinationRefused):
        http.post_form(server.url + "/", {"a": "b"})
    assert server.seen == []


def test_loopback_is_reached_when_the_caller_vouches_for_the_host(server):
    status, headers, body = http.get(server.url + "/hello", trusted_host=True)
    assert (status, body) == (200, b"hello")
    assert headers["content-length"] == "5"
    assert server.seen[0]["path"] == "/hello"


def test_a_host_the_operator_allowed_is_reached(server, settings):
    settings.SOLNET_OUTBOUND_ALLOWED_HOSTS = ["localhost"]
    status, _headers, body = http.get(f"http://localhost:{server.port}/", params={"q": "1"})
    assert (status, body) == (200, b"hello")
    assert server.seen[0]["path"] == "/?q=1"
    # Only that host: the loopback address itself is still refused.
    with pytest.raises(http.DestinationRefused):
        http.get(server.url + "/")


def test_a_form_post_carries_its_fields_and_basic_auth(server):
    response = http.post_form(
        server.url + "/post",
        {"To": "+12065550100", "Body": "Picket at 5 & bring friends"},
        auth=("AC123", "secret"),
        trusted_host=True,
    )
    assert response.status == 201 and response.body == b'{"ok": true}'
    seen = server.seen[0]
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen["headers"]["Authorization"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert parse_qs(seen["form"]) == {
        "To": ["+12065550100"],
        "Body": ["Picket at 5 & bring friends"],
    }


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared (carrier-grade NAT)
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "[::1]",
        "[fe80::1]",
        "[fc00::1]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped loopback
        "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    ],
)
def test_private_and_special_addresses_are_refused_before_connecting(address):
    with pytest.raises(http.DestinationRefused):
        http.get(f"http://{address}/")


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    """A name answering with a public and a private address could land on either."""

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(http.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(http.DestinationRefused):
        http.get("http://rebinding.example/")


def test_public_addresses_pass_the_guard():
    assert http.is_public_address("93.184.216.34")
    assert http.is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    assert not http.is_public_address("127.0.0.1")


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    """The name is resolved once: a second, different answer is never used."""
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", server.port))]])

    def resolve_once(host, port, *args, **kwargs):
        return next(answers)  # a second lookup would raise StopIteration

    monkeypatch.setattr(http.socket, "getaddrinfo", resolve_once)
    status, _headers, _body = http.get(f"http://gateway.internal:{server.port}/", trusted_host=True)
    assert status == 200
    assert server.seen[0]["headers"]["Host"] == f"gateway.internal:{server.port}"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "//127.0.0.1/",
        "http://user:password@127.0.0.1/",
    ],
)
def test_other_schemes_and_credentials_in_the_address_are_refused(url):
    with pytest.raises(http.DestinationRefused):
        http.get(url, trusted_host=True)


def test_redirects_are_not_followed(server):
    status, headers, _body = http.get(server.url + "/redirect", trusted_host=True)
    assert status == 302
    assert headers["location"].startswith("http://169.254.169.254/")
    assert [seen["path"] for seen in server.seen] == ["/redirect"]


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_an_answer_longer_than_the_cap_is_refused(server, path):
    with pytest.raises(http.ResponseTooLarge):
        http.get(server.url + path, trusted_host=True, max_bytes=1000)
    status, _headers, body = http.get(server.url + path, trusted_host=True, max_bytes=20_000)
    assert status == 200 and len(body) in (5000, 10_000)


def test_a_server_that_does_not_answer_times_out(server):
    with pytest.raises(http.OutboundTimeout):
        http.get(server.url + "/stall", trusted_host=True, timeout=0.3)


def test_a_server_dripping_its_answer_is_cut_off_at_the_deadline(server):
    """Each byte comes well within any per-read timeout; only the one deadline stops it."""
    with pytest.raises(http.OutboundTimeout):
        http.get(server.url + "/drip", trusted_host=True, timeout=0.5)


def test_a_refused_connection_is_a_connection_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(http.ConnectionFailed):
        http.get(f"http://127.0.0.1:{port}/", trusted_host=True)


# --- TLS: the certificate is checked against the host name ------------------------------------


def _certificate(tmp_path, host: str):
    """A self-made certificate authority and a server certificate for `host`, signed by it."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (tmp_path / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server(server, tmp_path):
    """The same server behind TLS, with a certificate for "localhost" from a private CA."""
    import ssl

    ca_file, cert_file, key_file = _certificate(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server.RequestHandlerClass)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.port = httpd.server_address[1]
    httpd.ca_file = ca_file
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_certificate_nobody_vouches_for_is_refused(tls_server):
    with pytest.raises(http.ConnectionFailed):
        http.get(f"https://localhost:{tls_server.port}/", trusted_host=True)


def test_https_checks_the_certificate_against_the_name_not_the_address(tls_server, monkeypatch):
    import ssl

    original = ssl.create_default_context

    def trusting_our_ca():
        return original(cafile=str(tls_server.ca_file))

    monkeypatch.setattr(http.ssl, "create_default_context", trusting_our_ca)
    status, _headers, body = http.get(f"https://localhost:{tls_server.port}/", trusted_host=True)
    assert (status, body) == (200, b"hello")
    # The same server by its address: the certificate does not name it.
    with pytest.raises(http.ConnectionFailed):
        http.get(f"https://127.0.0.1:{tls_server.port}/", trusted_host=True)
