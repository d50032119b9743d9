"""Loaded by pytest before Django starts (`-p solnet.core.testing.environment`): a private data
directory and fixed keys for the run, so tests never touch a real installation's files."""

import os
import secrets
import tempfile

_run = secrets.token_hex(4)
os.environ.setdefault("SOLNET_DATA_DIR", tempfile.mkdtemp(prefix=f"solnet-test-{_run}-"))
os.environ.setdefault("SOLNET_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("SOLNET_MASTER_KEY", "test-master-key-" + "m" * 32)
os.environ.setdefault("SOLNET_HUEY_IMMEDIATE", "true")
os.environ.setdefault("SOLNET_CACHE_PREFIX", f"solnet-test-{_run}")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
