"""A local HTTP server that stands in for arXiv, Crossref and Open Library in tests.

Each service lives under its own path prefix (``/arxiv``, ``/crossref``,
``/openlibrary``) of one server on 127.0.0.1. Tests say what each path answers and
read back the requests it received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.local_http import LocalServer

DATA = Path(__file__).parent / "data"

# Longest a "hanging" answer waits for release; teardown releases it long before.
HANG_LIMIT_SECONDS = 10


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    # Wait for FakeServices.release before answering: a server that does not answer in time.
    hang: bool = False


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = field(hash=False)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def json_reply(name_or_body: str | bytes, status: int = 200) -> Reply:
    body = name_or_body if isinstance(name_or_body, bytes) else data(name_or_body)
    return Reply(status=status, body=body, content_type="application/json")


def atom_reply(name_or_body: str | bytes, status: int = 200) -> Reply:
    body = name_or_body if isinstance(name_or_body, bytes) else data(name_or_body)
    return Reply(status=status, body=body, content_type="application/atom+xml; charset=utf-8")


NOT_FOUND = Reply(status=404, body=b"Resource not found.", content_type="text/plain")


class FakeServices(LocalServer):
    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.received: list[Received] = []
        super().__init__()

    def reply(self, path: str, reply: Reply) -> None:
        with self._lock:
            self.replies[path] = reply

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.path == path]

    def _answer(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            return self.replies.get(request.path, NOT_FOUND)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        fake: FakeServices = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        request = Received(path=unquote(parts.path), query=parse_qs(parts.query), headers=dict(self.headers))
        reply = fake._answer(request)
        if reply.hang:
            fake.release.wait(HANG_LIMIT_SECONDS)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting (the timeout tests): nothing to answer

    def log_message(self, format: str, *args) -> None:
        pass  # keep test output quiet


FakeServices.handler = _Handler
