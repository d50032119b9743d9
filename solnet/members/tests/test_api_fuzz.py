"""Schemathesis over the OpenAPI schema for every persona (SECURITY.md I-1): generated requests,
valid and not, never cause a server error or an answer the schema does not describe."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from solnet.core.testing.figures import add_up
from solnet.members import services
from solnet.members.models import ApiScope
from solnet.wsgi import application


def _schema():
    from solnet.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = application  # requests go straight into the WSGI app, in this process
    return schema


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
PERSONAS = ["outsider", "supporter", "member", "organizer", "pending"]
EXAMPLES = 25
# A schema can say what a phone number looks like ("+", digits, spaces), not which numbers
# exist in their country's numbering plan ("00000000000" does not): these operations read
# the number with `core.phones` and answer 422, documented, when it does not exist.
NUMBERS_THAT_MAY_NOT_EXIST = {"PATCH /api/me"}


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: a request must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.verify
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_generated_requests_get_documented_answers(personas, persona, operation):
    headers = {}
    member = personas[persona].member
    if member is not None:
        _token, secret = services.create_api_token(
            member=member, name="fuzz", scopes=list(ApiScope.values), days=1
        )
        headers["Authorization"] = f"Bearer {secret}"

    calls = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        nonlocal calls
        calls += 1
        if operation.label not in NUMBERS_THAT_MAY_NOT_EXIST:
            case.call_and_validate(headers=headers)
            return
        # Every other check still runs; a well-formed request may be refused only because the
        # phone number it gives does not exist, and then only with that reason.
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        if response.status_code == 422 and case.meta and case.meta.generation.mode.is_positive:
            assert "phone number that exists" in response.json()["detail"], response.text

    failed = 1  # until check() returns
    try:
        check()
        failed = 0
    finally:
        # Summed over every operation and persona, on every test worker.
        add_up(
            "I-1.schemathesis_failures",
            failed=failed,
            tried=calls,
            unit="operations",
            cases="generated requests",
        )
