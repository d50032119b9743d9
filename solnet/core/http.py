"""The one outbound HTTP client of SolNet (SECURITY.md: every outbound request through one
SSRF-guarded client with timeouts and size caps).

Everything SolNet fetches or posts to another server goes through `request()` (or its
shorthands `get()` and `post_form()`):

- only http:// and https://, and no user name or password in the address;
- the host is resolved once, and every address it resolves to must be a public one: loopback,
  private, link-local, multicast, reserved and unspecified addresses are refused (an address
  that hides one of those, IPv4-mapped, 6to4 or NAT64, too) unless the caller vouches for the
  host (`trusted_host=True`, for a host taken from the operator's settings and never from a
  user) or the operator listed it in `SOLNET_OUTBOUND_ALLOWED_HOSTS`;
- the connection goes to the address that was checked, not to a second lookup of the name (so
  a DNS answer that changes in between cannot point it elsewhere); TLS still verifies the
  certificate against the host name;
- redirects are never followed: a 3xx comes back to the caller as it is;
- connecting and the whole exchange have one deadline (`timeout`, in seconds), however slowly
  the other side drips its answer (looking the name up is left to the system resolver and its
  own timeouts), and the answer is cut off past `max_bytes`;
- no proxy from the environment is used.

The standard library does the work (urllib.parse and http.client, which is what
urllib.request uses underneath): no dependency to keep up to date.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from django.conf import settings

USER_AGENT = "SolNet"
CHUNK = 64 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """Anything that kept an outbound request from getting an answer."""


class DestinationRefused(OutboundError):
    """The address is not one SolNet may reach: nothing was sent."""


class OutboundTimeout(OutboundError):
    """No complete answer before the deadline."""


class ConnectionFailed(OutboundError):
    """The name did not resolve, the connection or TLS failed, or the answer was not HTTP."""


class ResponseTooLarge(OutboundError):
    """The answer was longer than the caller accepts."""


class Response(NamedTuple):
    """What came back; unpacks as `status, headers, body`. Header names are lower case."""

    status: int
    headers: dict[str, str]
    body: bytes


# --- where a request may go -------------------------------------------------------------------


def _hidden_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for, where it stands for one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    multicast, reserved, unspecified, shared (CGNAT) and documentation addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _hidden_ipv4(ip)
        if inner is not None and not is_public_address(str(inner)):
            return False
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in getattr(settings, "SOLNET_OUTBOUND_ALLOWED_HOSTS", [])}


def _addresses(host: str, port: int, *, trusted: bool) -> list[tuple[int, tuple[Any, ...]]]:
    """Resolves the host once; refuses it if any of its addresses is not public (a name that
    answers with one public and one private address is refused: the connection could land on
    either)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectionFailed(f"could not resolve {host}: {error}") from error
    if not found:
        raise ConnectionFailed(f"{host} has no address")
    addresses: list[tuple[int, tuple[Any, ...]]] = [
        (family, tuple(sockaddr)) for family, _type, _proto, _name, sockaddr in found
    ]
    if not trusted:
        for _family, sockaddr in addresses:
            if not is_public_address(str(sockaddr[0])):
                raise DestinationRefused(f"{host} resolves to a non-public address")
    return addresses


def _connect(addresses: list[tuple[int, tuple[Any, ...]]], timeout: float) -> socket.socket:
    last: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as error:
            sock.close()
            last = error
            continue
        return sock
    assert last is not None
    raise last


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, *, addresses, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self._connect_timeout = timeout

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self._connect_timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, addresses, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses
        self._connect_timeout = timeout

    def connect(self) -> None:
        sock = _connect(self._addresses, self._connect_timeout)
        try:
            # The certificate is checked against the host name, not the address.
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        except BaseException:
            sock.close()
            raise


# --- the request ------------------------------------------------------------------------------


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 1_000_000,
    trusted_host: bool = False,
) -> Response:
    """Sends one request and returns its answer, whatever its status (4xx, 5xx and 3xx come
    back as answers; redirects are not followed). Raises an `OutboundError` when there is no
    answer to give: `DestinationRefused` before anything was sent."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DestinationRefused(f"only http and https addresses may be reached, not {scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("no credentials in the address: pass auth= instead")
    host = (parts.hostname or "").lower()
    if not host:
        raise DestinationRefused("the address has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise DestinationRefused(f"bad port in the address: {error}") from error
    if timeout <= 0:
        raise ValueError("timeout must be positive")

    deadline = time.monotonic() + timeout
    trusted = trusted_host or host in _allowed_hosts()
    addresses = _addresses(host, port, trusted=trusted)

    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    sent_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if auth is not None:
        user, password = auth
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        sent_headers["Authorization"] = f"Basic {token}"
    sent_headers.update(headers or {})

    remaining = max(deadline - time.monotonic(), 0.001)
    kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = kind(host, port, addresses=addresses, timeout=remaining)
    # One deadline for the whole exchange: socket timeouts alone restart with every byte, so
    # a server sending one byte a second would hold the worker forever. At the deadline the
    # socket is shut, which wakes whatever read is waiting.
    expired = threading.Event()

    def _expire() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(remaining, _expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(method.upper(), target, body=body, headers=sent_headers)
        answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise ResponseTooLarge(f"the answer is {length} bytes, more than {max_bytes}")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = answer.read(min(CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"the answer is longer than {max_bytes} bytes")
        if expired.is_set():
            raise OutboundTimeout(f"no complete answer within {timeout} s")
        return Response(
            answer.status,
            {name.lower(): value for name, value in answer.getheaders()},
            b"".join(chunks),
        )
    except OutboundError:
        raise
    except TimeoutError as error:
        raise OutboundTimeout(f"no complete answer within {timeout} s") from error
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise OutboundTimeout(f"no complete answer within {timeout} s") from error
        raise ConnectionFailed(f"{host}: {error.__class__.__name__}: {error}") from error
    finally:
        watchdog.cancel()
        connection.close()


def get(
    url: str,
    *,
    params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 1_000_000,
    trusted_host: bool = False,
) -> Response:
    """GET `url`, with `params` added to its query. Unpacks as `status, headers, body`."""
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(params, doseq=True)
    return request(
        "GET",
        url,
        headers=headers,
        auth=auth,
        timeout=timeout,
        max_bytes=max_bytes,
        trusted_host=trusted_host,
    )


def post_form(
    url: str,
    data: Mapping[str, Any] | Sequence[tuple[str, Any]],
    *,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 1_000_000,
    trusted_host: bool = False,
) -> Response:
    """POST `data` form-encoded (application/x-www-form-urlencoded; a list value sends the
    name once per item). Unpacks as `status, headers, body`."""
    return request(
        "POST",
        url,
        body=urlencode(data, doseq=True).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        auth=auth,
        timeout=timeout,
        max_bytes=max_bytes,
        trusted_host=trusted_host,
    )
