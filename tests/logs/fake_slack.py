"""A local HTTP server that stands in for Slack's incoming webhooks in tests.

It records every request and answers with what the test set: a status, a body,
headers, or no answer at all until released (a Slack that does not answer in time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_http import LocalServer

# Longest a "hanging" answer waits for release; teardown releases it long before.
HANG_LIMIT_SECONDS = 10


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    # Wait for FakeSlack.release before answering.
    hang: bool = False


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str] = field(hash=False)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class FakeSlack(LocalServer):
    def __init__(self) -> None:
        self.reply = Reply()
        self.received: list[Received] = []
        super().__init__()

    @property
    def base_url(self) -> str:
        return self.url

    def answer(self, status: int = 200, body: bytes = b"ok", *, hang: bool = False, **headers: str) -> None:
        with self._lock:
            self.reply = Reply(status=status, body=body, headers=headers, hang=hang)

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def _record(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            return self.reply


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake: FakeSlack = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = fake._record(Received(method=self.command, path=self.path, headers=dict(self.headers), body=body))
        if reply.hang:
            fake.release.wait(HANG_LIMIT_SECONDS)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/html")  # what Slack sends, even for "ok"
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting (the timeout test): nothing to answer

    def log_message(self, format: str, *args) -> None:
        pass  # keep test output quiet


FakeSlack.handler = _Handler
