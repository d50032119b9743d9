"""Loaded by pytest before Django starts (`-p solnet.core.testing.environment`): a private data
directory and fixed keys for the run, so tests never touch a real installation's files; under
pytest-xdist, a data directory and a cache prefix for each worker."""

import os
import secrets
import tempfile
from urllib.parse import urlsplit, urlunsplit

_run = secrets.token_hex(4)
os.environ.setdefault("SOLNET_DATA_DIR", tempfile.mkdtemp(prefix=f"solnet-test-{_run}-"))
os.environ.setdefault("SOLNET_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("SOLNET_MASTER_KEY", "test-master-key-" + "m" * 32)
os.environ.setdefault("SOLNET_HUEY_IMMEDIATE", "true")
os.environ.setdefault("SOLNET_CACHE_PREFIX", f"solnet-test-{_run}")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

# A pytest-xdist worker inherits the values above from the run that started it: each worker
# gets a data directory and a cache prefix of its own inside the run's (its test database gets
# its own name from pytest-django), so that no worker reads another's cache, huey queue, files
# or throttle counts.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _own = os.path.join(os.environ["SOLNET_DATA_DIR"], _worker)
    os.makedirs(_own, exist_ok=True)
    os.environ["SOLNET_DATA_DIR"] = _own
    os.environ["SOLNET_CACHE_PREFIX"] = f"{os.environ['SOLNET_CACHE_PREFIX']}-{_worker}"
    # On Redis a prefix is not enough: clearing the cache or flushing huey's queue empties the
    # whole database, so each worker takes a Redis database of its own (1-15, after the run's).
    if os.environ.get("REDIS_URL"):
        _url = urlsplit(os.environ["REDIS_URL"])
        _base = int(_url.path.strip("/") or 0)
        _number = int(_worker.removeprefix("gw"))
        os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{(_base + 1 + _number) % 16}"))
