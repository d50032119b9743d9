"""Security headers on every GET route and every error page (H-1); `check --deploy` with
production settings reports nothing (H-2); pages make no request to another server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.middleware import SECURITY_HEADERS, UPLOADED_FILE_POLICY
from solnet.core.tests.test_authorization_matrix import PAGES

ROOT = Path(__file__).resolve().parents[3]


def _missing(response) -> list[str]:
    csp = response.headers.get("Content-Security-Policy", "")
    expected = dict(SECURITY_HEADERS)
    if csp == UPLOADED_FILE_POLICY:  # an uploaded file served back: stricter, a sandbox
        expected["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    missing = [h for h, v in expected.items() if response.headers.get(h) != v]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        missing.append("CSP allows inline code")
    return missing


@pytest.mark.verify
@pytest.mark.django_db
def test_every_get_route_and_error_page_carries_the_headers(personas, objects, figures):
    checked, failures = 0, []
    for name, row in PAGES.items():
        if row.method != "get":
            continue
        path = reverse(name, kwargs=row.kwargs(objects))
        for persona in ("outsider", "member", "organizer"):
            client = Client()
            if personas[persona].member is not None:
                sign_in(client, personas[persona].member)
            response = client.get(path)
            checked += 1
            if _missing(response):
                failures.append((name, persona, _missing(response)))
    error_pages = {
        "404": Client().get("/no-such-page/"),
        "405": Client().put(reverse("home")),
        "403 csrf": Client(enforce_csrf_checks=True).post(reverse("account_login"), {}),
        "api 401": Client().get("/api/me"),
    }
    for name, response in error_pages.items():
        checked += 1
        if _missing(response):
            failures.append((name, "outsider", _missing(response)))
    share = 100 * (checked - len(failures)) / checked
    figures(
        "H-1.security_headers",
        round(share, 1),
        unit="% of responses",
        target=f"100 % of {checked}",
        ok=not failures,
    )
    assert failures == []


@pytest.mark.django_db
def test_the_server_error_page_carries_the_headers(client, settings):
    from solnet.core.views import server_error

    response = server_error(None)
    from solnet.core.middleware import SecurityHeadersMiddleware

    wrapped = SecurityHeadersMiddleware(lambda request: response)
    request = Client().get("/").wsgi_request
    assert _missing(wrapped(request)) == []
    assert b"Something went wrong" in response.content


def test_templates_hold_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "solnet").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path.name}: inline script")
        if re.search(r"\sstyle=|<style", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path.name}: inline style or handler")
    assert offenders == []


def test_templates_load_nothing_from_elsewhere():
    offenders = []
    for path in (ROOT / "solnet").rglob("*.html"):
        for url in re.findall(r'(?:src|href)="(https?:)?//[^"]+"', path.read_text()):
            offenders.append(f"{path.name}: {url}")
    assert offenders == []


@pytest.mark.verify
def test_check_deploy_with_production_settings_reports_nothing(tmp_path, figures):
    key_file = tmp_path / "master.key"
    key_file.write_text("p" * 48)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SOLNET_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        "SOLNET_PRODUCTION": "true",
        "SOLNET_SECRET_KEY": "prod-" + "k9Zq" * 16,
        "SOLNET_MASTER_KEY_FILE": str(key_file),
        "SOLNET_BASE_URL": "https://solnet.example.org",
        "SOLNET_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    warnings = len(re.findall(r"\(security\.W\d+\)|\(\w+\.[EW]\d+\)", output))
    figures(
        "H-2.check_deploy_warnings",
        warnings,
        unit="warnings",
        target="0",
        ok=result.returncode == 0 and warnings == 0,
    )
    assert result.returncode == 0, output
    assert "no issues" in output, output
