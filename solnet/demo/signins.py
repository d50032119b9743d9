"""The demo's two sign-ins: made with random passwords and authenticator secrets, printed
once, and kept in a file beside the quick start's keys so that running the command again
can print them again (the database keeps only a password's hash)."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

FILE_NAME = "demo-sign-ins.json"

# Short, plain words: a password someone can type from the terminal into the sign-in page.
WORDS = [
    "amber",
    "anchor",
    "banner",
    "basket",
    "beacon",
    "bridge",
    "candle",
    "canyon",
    "carbon",
    "cedar",
    "cinder",
    "copper",
    "cotton",
    "crane",
    "delta",
    "ember",
    "falcon",
    "fern",
    "garnet",
    "harbor",
    "hazel",
    "island",
    "jasper",
    "kettle",
    "lantern",
    "linen",
    "maple",
    "marble",
    "meadow",
    "mortar",
    "nickel",
    "olive",
    "orchard",
    "pepper",
    "pillar",
    "quarry",
    "raven",
    "ribbon",
    "river",
    "saddle",
    "salmon",
    "signal",
    "silver",
    "spruce",
    "summit",
    "thistle",
    "timber",
    "tulip",
    "velvet",
    "walnut",
    "willow",
    "window",
    "winter",
    "yarrow",
    "zephyr",
]


def new_password() -> str:
    """Four random words and two digits, e.g. "maple-signal-harbor-ember-42"."""
    words = [secrets.choice(WORDS) for _ in range(4)]
    return "-".join([*words, f"{secrets.randbelow(90) + 10}"])


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    display_name: str
    language: str
    password: str
    totp_secret: str

    def otpauth_uri(self, issuer: str) -> str:
        label = quote(f"{issuer}:{self.username}")
        return f"otpauth://totp/{label}?secret={self.totp_secret}&issuer={quote(issuer)}"

    def code_now(self) -> tuple[str, int]:
        """The authenticator's code at this moment and the seconds it stays valid."""
        now = time.time()
        return format_hotp_value(hotp_value(self.totp_secret, int(now // 30))), 30 - int(now % 30)


def sign_ins_file() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def save(sign_ins: list[SignIn]) -> Path:
    """Written readable by its owner alone, like the quick start's keys beside it."""
    path = sign_ins_file()
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump([asdict(s) for s in sign_ins], handle, ensure_ascii=False, indent=1)
    return path


def load() -> list[SignIn]:
    try:
        return [SignIn(**item) for item in json.loads(sign_ins_file().read_text())]
    except (FileNotFoundError, ValueError, TypeError):
        return []


def shown_path(path: Path) -> str:
    """The file's place as the operator would type it from the project's directory."""
    try:
        return str(path.relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return str(path)


def codes_command() -> str:
    """How to ask for the codes of this moment, with this demo's data directory."""
    data_dir = Path(settings.DATA_DIR)
    if data_dir == Path(settings.BASE_DIR) / "var":
        return "manage.py demo --codes"
    return f"SOLNET_DATA_DIR={shown_path(data_dir)} manage.py demo --codes"


def describe(sign_ins: list[SignIn], *, base_url: str, issuer: str) -> list[str]:
    """The lines the command prints: where to go, each sign-in, how to use the secrets."""
    lines = [f"Open {base_url}/ and sign in.", ""]
    for sign_in in sign_ins:
        lines += [
            f"  {sign_in.role}: {sign_in.display_name}",
            f"    sign-in name:          {sign_in.username}",
            f"    password:              {sign_in.password}",
            f"    authenticator secret:  {sign_in.totp_secret}",
            f"    or open in an authenticator app: {sign_in.otpauth_uri(issuer)}",
            "",
        ]
    lines += [
        "After the password SolNet asks for a six-digit code. Add a secret above to an",
        "authenticator app (Aegis, FreeOTP, Google Authenticator, 1Password…): type it in as a",
        "time-based key, or open its otpauth:// link on the phone. No app at hand?",
        f"`{codes_command()}` prints the codes of this moment.",
        "",
        "These sign-ins are for this demo only. Everything in it is made up: never use this",
        "database for a real network.",
    ]
    return lines
