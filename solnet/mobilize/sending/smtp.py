"""Email, exactly once, over one SMTP connection a run: every line of a message but its last goes
out before the delivery is committed as HANDED_OVER (see the package's docstring); what a
server says back is kept without the addresses it echoes."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from email import quoprimime
from email.header import Header
from email.utils import formatdate

from django.conf import settings


class Steps:
    """Work done a step at a time while the server answers a command (`step()`), and all of
    what is left when it must be done (`finish()`)."""

    def __init__(self, steps: Iterator[None]):
        self.steps = steps

    def step(self) -> None:
        next(self.steps, None)

    def finish(self) -> None:
        for _step in self.steps:
            pass


def email_bytes(*, from_header: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    """One plain-text message as it goes on the wire (CRLF line ends, not dot-stuffed).

    Written with the email package's encoders rather than by `EmailMessage`, whose header
    parser takes about 1.6 ms for a two-line message, three times what the whole SMTP
    exchange for it costs: the subject is RFC 2047 encoded when it is not ASCII (`Header`),
    the body quoted-printable when it is not 7-bit clean or has a line too long for SMTP,
    and the recipient must be a plain ASCII address (no header can be smuggled in). The
    tests read every message back with the email parser."""
    if not to.isascii() or any(c in to for c in "\r\n<>,; \t") or "@" not in to:
        raise ValueError("not an address SolNet sends to")
    subject = " ".join(subject.split())[:900]  # a header is one line (998 at most)
    if not subject.isascii():
        subject = Header(subject, "utf-8", maxlinelen=76).encode(linesep="\r\n")
    lines = body.splitlines()
    if body.isascii() and all(len(line) <= 998 for line in lines):
        encoding, payload = "7bit", "\r\n".join(lines)
    else:
        encoding = "quoted-printable"
        utf8 = "\n".join(lines).encode("utf-8").decode("latin-1")  # what quoprimime expects
        payload = quoprimime.body_encode(utf8, 76, eol="\r\n")
    return (
        f"From: {from_header}\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {formatdate(usegmt=True)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n"
        "\r\n"
        f"{payload}\r\n"
    ).encode("ascii")


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# Servers and gateways echo the address in their refusals; the error is shown to organizers
# beside a display name, so addresses and numbers are taken out of it.
ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?|\+?\d(?:[\s().-]?\d){6,}")


def scrub(error: str) -> str:
    return ADDRESS.sub("…", error)[:200]


class Smtp:
    """One SMTP connection, spoken one step at a time so that a message's final line is
    written apart from the rest of it."""

    def __init__(self):
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 20
        host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
        if getattr(settings, "EMAIL_USE_SSL", False):
            self.conn: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            self.conn = smtplib.SMTP(host, port, timeout=timeout)
        if self.conn.sock is None:
            raise smtplib.SMTPConnectError(-1, f"no mail server at {host!r}")
        # The final line is a write of its own: without this, Nagle's algorithm holds it back
        # until the server acknowledges the rest, which delayed acknowledgements make slow.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn.ehlo()
        if settings.EMAIL_USE_TLS:
            self.conn.starttls(context=ssl.create_default_context())
            self.conn.ehlo()
        if settings.EMAIL_HOST_USER:
            self.conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)

    def begin(self, sender: str, to: str, meanwhile: Steps) -> tuple[int, str]:
        """MAIL FROM, RCPT TO, DATA; (354, …) when the server waits for the message. A step
        of `meanwhile` runs while the server answers each command (one command at a time:
        no pipelining, which not every server offers)."""
        # The commands as smtplib's mail() and rcpt() write them, without their parsing the
        # addresses again each time (email_bytes() has checked the recipient; the sender is
        # the operator's setting).
        for command, argument, wanted in (
            ("MAIL", f"FROM:<{sender}>", (250,)),
            ("RCPT", f"TO:<{to}>", (250, 251)),
            ("DATA", "", (354,)),
        ):
            self.conn.putcmd(command, argument)
            meanwhile.step()
            code, reply = self.conn.getreply()
            if code not in wanted:
                break
        return code, reply.decode(errors="replace")

    def write(self, data: bytes) -> None:
        """The message, dot-stuffed, with its line ends but without the final ".\\r\\n"."""
        data = re.sub(rb"(?m)^\.", b"..", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        self.conn.send(data)

    def finish(self) -> tuple[int, str]:
        self.conn.send(b".\r\n")
        code, reply = self.conn.getreply()
        return code, reply.decode(errors="replace")

    def reset(self) -> bool:
        """Ends a refused transaction; False when the connection is gone with it."""
        try:
            return self.conn.rset()[0] == 250
        except (OSError, smtplib.SMTPException):
            self.abort()
            return False

    def quit(self) -> None:
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            self.abort()

    def abort(self) -> None:
        """Drops the connection; a message without its final line is thrown away."""
        self.conn.close()
