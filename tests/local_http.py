"""The common part of the local HTTP servers that stand in for outside services in tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 and a free port; ``handler`` reaches this object
    as ``self.server.fake``. ``release`` lets handlers that were told to hang answer."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        # A short poll interval: shutdown() waits for the next poll, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()  # let hanging handlers finish instead of waiting out their limit
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
