"""A local HTTP server that speaks enough of Slack's Web API for the tests and benchmarks,
and a client that sends requests to ``/slack/events`` signed the way Slack signs them.

The server records every call (``calls("chat.postMessage")``), answers the methods the app
uses with what Slack would (a ``ts`` per message, a ``view`` per modal), knows the users it
is told about (``add_user``), and can refuse a method (``fail``) or rate-limit every call
(``rate_limit``: a 429 with ``Retry-After`` for the first calls of each window).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from slack_sdk.signature import SignatureVerifier

from tests.local_http import LocalServer

TOKEN = "xoxb-test-bot-token-not-a-secret"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
WORKSPACE = "T0LEARN"
BOT_USER = "UBOT"


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(hash=False)


class FakeSlackApi(LocalServer):
    def __init__(self) -> None:
        self.log: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, str] = {}
        self.limit_every: int = 0  # refuse the first call of every `limit_every` with a 429
        self.retry_after = 0
        self.limited = 0
        self._counter = itertools.count(1)
        self._ts = itertools.count(1)
        self.responses: list[dict[str, Any]] = []  # what was posted to response_url
        super().__init__()

    # --- What the test sets -----------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def add_user(self, slack_id: str, email: str, **extra: Any) -> None:
        self.users[slack_id] = {
            "id": slack_id,
            "team_id": WORKSPACE,
            "is_bot": False,
            "deleted": False,
            "is_email_confirmed": True,
            "profile": {"email": email, "real_name": email.split("@")[0]},
            **extra,
        }

    def fail(self, method: str, error: str) -> None:
        self.failures[method] = error

    def rate_limit(self, every: int, retry_after: int = 0) -> None:
        self.limit_every, self.retry_after = every, retry_after

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    # --- What the test reads ----------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.log if method is None or c.method == method]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        assert found, f"Slack never received {method}; it received {[c.method for c in self.calls()]}"
        return found[-1]

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        """The messages posted in a channel. A direct message "D<user>" also counts those
        posted to the user's id, as Slack delivers them there."""
        return [
            call.args
            for call in self.calls("chat.postMessage")
            if call.args["channel"] == channel or "D" + str(call.args["channel"]) == channel
        ]

    def clear(self) -> None:
        with self._lock:
            self.log.clear()
            self.responses.clear()

    # --- Answers ----------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            if self.limit_every and next(self._counter) % self.limit_every == 1:
                self.limited += 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(self.retry_after)}
            self.log.append(Call(method, args, {}))
            if method in self.failures:
                return 200, {"ok": False, "error": self.failures[method]}, {}
            ts = f"{int(time.time())}.{next(self._ts):06d}"
        if method == "auth.test":
            return 200, {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": WORKSPACE, "team": "Test"}, {}
        if method == "users.info":
            person = self.users.get(str(args.get("user")))
            if person is None:
                return 200, {"ok": False, "error": "user_not_found"}, {}
            return 200, {"ok": True, "user": person}, {}
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "D" + str(args.get("users", "X")).split(",")[0]}}, {}
        if method in {"chat.postMessage", "chat.update", "chat.delete"}:
            channel = str(args.get("channel") or "")
            if channel.startswith("U"):  # a user's id: Slack posts in the app's DM with them
                channel = "D" + channel
            return 200, {"ok": True, "channel": channel, "ts": args.get("ts") or ts}, {}
        if method in {"views.open", "views.update", "views.push", "views.publish"}:
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return 200, {"ok": True, "view": {**(view or {}), "id": f"V{ts.replace('.', '')}"}}, {}
        if method == "conversations.list":
            channels = [{"id": "C0LEARN", "name": "learning", "is_member": False}]
            return 200, {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}, {}
        return 200, {"ok": True}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake: FakeSlackApi = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        args: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
        if raw:
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                args.update(json.loads(raw))
            else:
                args.update(urllib.parse.parse_qsl(raw.decode()))
        if path.startswith("/response/"):
            with fake._lock:
                fake.responses.append(args)
            self._send(200, {"ok": True}, {})
            return
        method = path.removeprefix("/api/")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(200, {"ok": False, "error": "not_authed"}, {})
            return
        status, body, headers = fake._answer(method, args)
        self._send(status, body, headers)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass


FakeSlackApi.handler = _Handler


# --- Requests from Slack ---------------------------------------------------------------


class SlackSender:
    """Sends signed requests to ``/slack/events`` through Django's test client, as Slack does."""

    def __init__(self, client, *, secret: str = SIGNING_SECRET, api: FakeSlackApi | None = None) -> None:
        self.client, self.secret, self.api = client, secret, api
        self._triggers = itertools.count(1)

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, secret: str | None = None, **headers):
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=stamp, body=body)
        return self.client.post(
            "/slack/events",
            data=body,
            content_type=content_type,
            headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, **headers},
        )

    def trigger(self) -> str:
        return f"{next(self._triggers)}.{threading.get_ident()}.trigger"

    def command(self, command: str, text: str = "", *, user: str = "U1", **headers):
        fields = {
            "token": "unused",
            "team_id": WORKSPACE,
            "team_domain": "learning",
            "channel_id": "C0LEARN",
            "channel_name": "learning",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.api.response_url() if self.api else "https://hooks.slack.com/commands/x",
            "trigger_id": self.trigger(),
        }
        return self.post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded", **headers)

    def interaction(self, payload: dict[str, Any], **headers):
        payload = {"team": {"id": WORKSPACE}, "api_app_id": "A0APP", **payload}
        payload.setdefault("trigger_id", self.trigger())
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **headers)

    def event(self, event: dict[str, Any], *, event_id: str = "Ev1", **headers):
        body = json.dumps(
            {
                "token": "unused",
                "team_id": WORKSPACE,
                "api_app_id": "A0APP",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": WORKSPACE, "user_id": BOT_USER, "is_bot": True}],
            }
        )
        return self.post(body, "application/json", **headers)

    def view_submission(self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U1", **headers):
        """Submit a modal as Slack does: the view as opened, with the values typed into it."""
        submitted = {**view, "id": view.get("id", "V1"), "hash": "h1", "state": {"values": values}}
        return self.interaction(
            {"type": "view_submission", "user": {"id": user, "team_id": WORKSPACE}, "view": submitted}, **headers
        )

    def submit(self, view: dict[str, Any], *, user: str = "U1", **typed: Any):
        """Submit a modal as a person would: what it was opened with, changed where ``typed``
        says (a text for a text input, an option value for a select or radio buttons)."""
        return self.view_submission(view, state_of(view, **typed), user=user)

    def action(self, action: dict[str, Any], *, user: str = "U1", message: dict | None = None, **headers):
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "team_id": WORKSPACE},
            "actions": [{"type": "button", "block_id": "b", "action_ts": "1.2", **action}],
            "response_url": self.api.response_url() if self.api else "https://hooks.slack.com/actions/x",
        }
        if message is not None:
            payload["message"] = message
            payload["channel"] = {"id": message.get("channel", "D1")}
            payload["container"] = {"type": "message", "message_ts": message.get("ts", "1.1")}
        return self.interaction(payload, **headers)


def state_of(view: dict[str, Any], **typed: Any) -> dict[str, Any]:
    """The ``state.values`` Slack sends for a modal: every input's value, initial or typed."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        name, kind = element.get("action_id", block["block_id"]), element["type"]
        given = typed.get(name)
        if kind in {"plain_text_input", "number_input", "url_text_input", "email_text_input"}:
            value = given if given is not None else element.get("initial_value")
            state = {"type": kind, "value": value}
        elif kind in {"static_select", "radio_buttons", "external_select"}:
            option = element.get("initial_option")
            if given is not None:
                option = {"text": {"type": "plain_text", "text": str(given)}, "value": str(given)}
            state = {"type": kind, "selected_option": option}
        elif kind.startswith("multi_") or kind == "checkboxes":
            options = element.get("initial_options") or []
            if given is not None:
                options = [{"text": {"type": "plain_text", "text": str(v)}, "value": str(v)} for v in given]
            state = {"type": kind, "selected_options": options}
        else:
            state = {"type": kind}
        values[block["block_id"]] = {name: state}
    return values
