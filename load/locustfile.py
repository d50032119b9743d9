"""The members of the load network (solnet/demo/load_network.py) as locust users.

Each user takes one account of the plan, waits until every user is there, signs in with the
password and the authenticator code of this moment (all at once: the sign-in storm), waits
until everyone has, then uses the pages for as long as the run lasts. Organizers keep the
people list; everyone reads fights, votes, calls their share of the phone tree and opens the
public pages. Every request is named after its page: `load.run` makes one row of each name.

`load.run` drives this file (`configure`, then a locust runner); it is not meant for the
locust command line.
"""

# ruff: noqa: S311  # which page a simulated member opens next is no secret
from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import struct
import time
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, task
from locust.contrib.fasthttp import FastHttpSession
from locust.exception import StopUser

FLOOR = "floor: approvals list"
SIGN_IN_FORM = "sign-in: form"
SIGN_IN_FIRST = "sign-in: password"
SIGN_IN_SECOND = "sign-in: code"
SIGN_IN_WHOLE = "sign-in: whole"
SIGN_IN = (SIGN_IN_FORM, SIGN_IN_FIRST, SIGN_IN_SECOND, SIGN_IN_WHOLE)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PEOPLE_FILTERS = [
    {"language": "es"},
    {"tier": "20"},
    {"language": "es", "tier": "20"},
    {"last_contact": "not_month"},
    {"skill": "driver"},
    {"weekday": "5"},
    {"q": "Ana"},
]


class Storm:
    """What the users share: the plan, the accounts still free, and two barriers — everyone
    here before anyone signs in, everyone signed in before anyone uses a page."""

    def __init__(self) -> None:
        self.configure({"accounts": []}, users=0)

    def configure(self, plan: dict[str, Any], *, users: int) -> None:
        self.plan = plan
        self.users = users
        self.free = {
            role: [a for a in plan["accounts"] if a["role"] == role]
            for role in ("organizer", "member")
        }
        self.arrived = 0
        self.finished = 0
        self.signed_in = 0
        self.all_here = Event()
        self.all_signed_in = Event()

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.users:
            self.all_here.set()

    def done(self, *, ok: bool) -> None:
        self.finished += 1
        self.signed_in += ok
        if self.finished >= self.users:
            self.all_signed_in.set()


STORM = Storm()


def configure(plan: dict[str, Any], *, users: int) -> None:
    """Before the runner starts: the plan the users follow, and how many of them there are;
    the share of organizers is the plan's."""
    STORM.configure(plan, users=users)
    organizers = len(STORM.free["organizer"])
    Organizer.fixed_count = min(organizers, round(users * organizers / len(plan["accounts"])))


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238, as an authenticator app computes it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


class _Member(FastHttpUser):
    abstract = True
    role = ""
    # Reading a page, then the next click.
    wait_time = between(1, 4)
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.account = STORM.free[self.role].pop()
        self.plan = STORM.plan
        # Public pages are opened as a visitor would: without the member's cookies.
        self.visitor = FastHttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        STORM.arrive()
        STORM.all_here.wait()
        ok = False
        try:
            ok = self._sign_in()
        finally:
            STORM.done(ok=ok)
        STORM.all_signed_in.wait()
        if not ok:
            raise StopUser
        self._after_a_pause()

    def wait(self) -> None:
        super().wait()
        self._after_a_pause()

    def _after_a_pause(self) -> None:
        """gunicorn closes a connection left idle for two seconds (its keep-alive); a request
        sent just as it closes meets no answer, and a browser sends it again on a new
        connection. A simulated member opens a new connection after each pause instead, so
        that this race is not counted as the server's error."""
        self.client.client.close()
        self.visitor.client.close()

    def _sign_in(self) -> bool:
        started = time.perf_counter()
        start_time = time.time()
        page = self.client.get("/accounts/login/", name=SIGN_IN_FORM)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": _csrf(page.text),
                "login": self.account["username"],
                "password": self.plan["password"],
            },
            name=SIGN_IN_FIRST,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if not _redirected(answer, "/accounts/2fa/authenticate/"):
                return False
        page = self.client.get("/accounts/2fa/authenticate/", name=SIGN_IN_FORM)
        with self.client.post(
            "/accounts/2fa/authenticate/",
            data={
                "csrfmiddlewaretoken": _csrf(page.text),
                "code": totp_code(self.account["totp_secret"]),
            },
            name=SIGN_IN_SECOND,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if not _redirected(answer, "/"):
                return False
        self.environment.events.request.fire(
            request_type="FLOW",
            name=SIGN_IN_WHOLE,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
            context={},
            start_time=start_time,
            url="/accounts/login/",
        )
        return True

    def _page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} for {url}{_why(answer)}")
                return ""
            return answer.text or ""

    # --- what every member does ----------------------------------------------------------------

    @task(3)
    def floor(self) -> None:
        self._page("/approvals/", FLOOR)

    @task(1)
    def start_page(self) -> None:
        self._page("/", "start page")

    @task(2)
    def dashboard(self) -> None:
        self._page("/fights/dashboard/", "fights dashboard")

    @task(3)
    def fight(self) -> None:
        if self.account["fights"]:
            fight = random.choice(self.account["fights"])
            self._page(f"/fights/{fight}/", "fight page")

    @task(2)
    def decisions(self) -> None:
        show = random.choice(["", "", "?show=decided"])
        self._page(f"/decisions/{show}", "decisions index")

    @task(3)
    def proposal_and_vote(self) -> None:
        proposal = random.choice(self.plan["proposals"])
        page = self._page(f"/decisions/{proposal}/", "proposal")
        if not page or random.random() < 0.4:
            return
        gevent.sleep(random.uniform(1, 3))
        self._after_a_pause()
        with self.client.post(
            f"/decisions/{proposal}/vote/",
            data={
                "csrfmiddlewaretoken": _csrf(page),
                "choice": random.choice(["yes", "yes", "no", "abstain"]),
            },
            name="vote",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            _redirected(answer, f"/decisions/{proposal}/")

    @task(3)
    def caller_view(self) -> None:
        self._page(f"/actions/{self.plan['action']}/calls/{self.plan['call_list']}/", "caller view")

    @task(1)
    def public_pages(self) -> None:
        url, name = random.choice(
            [
                (f"/actions/open/{self.plan['public_token']}/", "public action page"),
                ("/join-us/", "public join page"),
                ("/fight-back/", "public fight-back page"),
            ]
        )
        with self.visitor.get(url, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} for {url}{_why(answer)}")


class Organizer(_Member):
    role = "organizer"
    fixed_count = 15

    @task(3)
    def people(self) -> None:
        page = random.choice(["", "", "?page=2", "?page=9"])
        self._page(f"/people/{page}", "people list")

    @task(3)
    def people_filtered(self) -> None:
        query = dict(random.choice(PEOPLE_FILTERS))
        if random.random() < 0.3:
            query = {"tag": random.choice(self.plan["tags"])}
        elif random.random() < 0.3:
            query = {"council": random.choice(self.plan["councils"])}
        self._page(f"/people/?{urlencode(query)}", "people list, filtered")


class Member(_Member):
    role = "member"


def _csrf(page: str | None) -> str:
    found = CSRF.search(page or "")
    return found.group(1) if found else ""


def _redirected(answer, to: str) -> bool:
    location = (answer.headers or {}).get("Location", "")
    if answer.status_code == 302 and location == to:
        return True
    answer.failure(f"{answer.status_code} to {location!r}, not a redirect to {to}{_why(answer)}")
    return False


def _why(answer) -> str:
    """What went wrong when no answer came at all (a connection error, a timeout)."""
    error = getattr(answer, "error", None)
    return f" ({error!r})" if error else ""
