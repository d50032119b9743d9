"""Sensitivity classes and retention of the models that come with installed libraries."""

from __future__ import annotations

from datetime import timedelta

from solnet.core.data import (
    CONTACT,
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SECRET,
    DataPolicy,
    Retention,
)

_SCHEMA = Retention(action=KEEP, reason="Part of the database schema, describes nobody.")

LIBRARY_POLICIES: dict[str, DataPolicy] = {
    "contenttypes.ContentType": DataPolicy(
        sensitivity={"id": INTERNAL, "app_label": INTERNAL, "model": INTERNAL},
        retention=_SCHEMA,
    ),
    "auth.Permission": DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "name": INTERNAL,
            "content_type": INTERNAL,
            "codename": INTERNAL,
        },
        retention=_SCHEMA,
    ),
    "auth.Group": DataPolicy(
        sensitivity={"id": INTERNAL, "name": INTERNAL, "permissions": INTERNAL},
        retention=_SCHEMA,
    ),
    "sessions.Session": DataPolicy(
        sensitivity={"session_key": SECRET, "session_data": SECRET, "expire_date": INTERNAL},
        retention=Retention(
            action=DELETE,
            reason="A session is useless once it has expired.",
            period=timedelta(0),
            basis="expire_date",
        ),
    ),
    "mfa.Authenticator": DataPolicy(
        # The secrets inside `data` are encrypted by solnet.members.adapters.MFAAdapter.
        sensitivity={
            "id": INTERNAL,
            "user": PERSONAL,
            "type": PERSONAL,
            "data": SECRET,
            "created_at": PERSONAL,
            "last_used_at": PERSONAL,
        },
        retention=Retention(
            action=KEEP,
            reason="A member's second factor, kept while they keep it; deleted with the account.",
        ),
    ),
    # SolNet accounts have no email address (people sign in with a handle), so allauth's email
    # tables stay empty; a test (test_data_at_rest) asserts that they do.
    "account.EmailAddress": DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "user": PERSONAL,
            "email": CONTACT,
            "verified": INTERNAL,
            "primary": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Unused: must stay empty."),
        unused=True,
    ),
    "account.EmailConfirmation": DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "email_address": CONTACT,
            "created": INTERNAL,
            "sent": INTERNAL,
            "key": SECRET,
        },
        retention=Retention(action=KEEP, reason="Unused: must stay empty."),
        unused=True,
    ),
}
