"""gunicorn's settings for SolNet: `gunicorn solnet.wsgi --config python:solnet.gunicorn_conf`.

SolNet keeps no IP address (SECURITY.md), but gunicorn names the client in some of its own log
lines, e.g. `Invalid request from ip=…` for every malformed request. Its logger here takes every
IP address out of what it writes, whatever the line and wherever it goes (stderr, a file,
syslog). The access log is off, as it would record who fetched which page.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[address]"

# Candidates only: what looks like an address is checked by `ipaddress` before it goes, so a
# time of day ("12:30:45") stays. IPv6 first, for the IPv4 tail of "::ffff:192.0.2.1".
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})"
    r"(?![0-9A-Za-z:.])"
)
_IPV4 = re.compile(r"(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9.])")


def _redact_ipv6(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(match.group())
    except ValueError:
        return match.group()
    return REDACTED


def without_addresses(text: str) -> str:
    """`text` with every IPv4 and IPv6 address replaced by `REDACTED`."""
    return _IPV4.sub(REDACTED, _IPV6.sub(_redact_ipv6, text))


class _AddressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = without_addresses(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = without_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = without_addresses(record.stack_info)
        return True


class PrivateLogger(Logger):
    """gunicorn's logger, with addresses taken out of every line on each of its handlers."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, _AddressFilter) for f in handler.filters):
                    handler.addFilter(_AddressFilter())


logger_class = PrivateLogger
accesslog = None
