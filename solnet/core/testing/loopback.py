"""A stand-in service's HTTP server on loopback, for the stand-ins of paid outside services
(the SMS gateway, the payment processor): started on a free port in a thread, stopped with
the test. A stand-in subclasses `LoopbackService` and names its request handler class; each
request's handler finds the stand-in under the attribute `service_attribute`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


class LoopbackService:
    handler: ClassVar[type[BaseHTTPRequestHandler]]
    service_attribute: ClassVar[str]

    _server: ThreadingHTTPServer | None = None

    def start(self) -> Any:
        class Handler(self.handler):  # type: ignore[name-defined,misc]  # one per stand-in
            pass

        setattr(Handler, self.service_attribute, self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._serving = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._serving.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._serving.join(timeout=5)
            self._server = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, f"start the {type(self).__name__} first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
