"""Small Block Kit builders shared by the Slack app's messages, modals and home tab.

Text from people goes through ``escape`` (Slack's three control characters); links are
only ever to this site (``absolute``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from logs.slack import escape

__all__ = ["absolute", "actions", "button", "context", "escape", "header", "link", "plain", "section"]


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def section(mrkdwn: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(mrkdwn, 3000)}, **extra}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, 150)}


def context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(mrkdwn, 3000)}]}


def button(
    text: str, *, action_id: str, value: str | None = None, url: str | None = None, style: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text, 75), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url
    if style is not None:
        element["style"] = style  # "primary" or "danger"
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def link(path: str, label: str) -> str:
    """A mrkdwn link to a page of this site."""
    return f"<{absolute(path)}|{escape(label)}>"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
