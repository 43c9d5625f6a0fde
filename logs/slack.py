"""Post entries and digests to a team's Slack channel through an incoming webhook.

Three pieces: ``entry_message`` and ``digest_message`` format (they decide nothing
about who may be seen: the caller passes only entries fit for the team's channel),
and ``post`` sends. ``post`` makes one attempt and raises ``SlackError`` when trying
again later may work, or ``SlackRefused`` when it will not (the webhook was revoked,
the payload was refused). The webhook URL is a secret: it never appears in an error
message, and the exceptions raised here carry no traceback of the requests error
(whose text holds the URL).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone as dj_timezone

from learningday import calendar, outbox
from learningday.markdown import render
from logs.models import Entry

__all__ = ["SlackError", "SlackRefused", "digest_message", "entry_message", "post"]

# What a message shows of an entry, in characters of plain text (before escaping).
EXCERPT_CHARS = 300
EXCERPT_LINES = 6
DIGEST_EXCERPT_CHARS = 140
# Slack takes at most 50 blocks a message; two go to the title and the count.
DIGEST_MAX_ENTRIES = 40
# Enough of an error answer to name the problem ("no_service", "invalid_token").
_ERROR_BODY_CHARS = 100

_BLOCK_TAGS = {
    "p", "br", "hr", "li", "ul", "ol", "pre", "blockquote", "table", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "div",
}  # fmt: skip
_SKIPPED_TAGS = {"script", "style", "template"}


class SlackError(outbox.TryAgain):
    """Slack did not take the message, but may later: worth retrying."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        # Seconds Slack asked us to wait (429 Retry-After), when it said.
        self.retry_after = retry_after


class SlackRefused(SlackError, outbox.Refused):
    """Slack refused the message for good (revoked webhook, bad payload): do not retry."""


# --- Formatting --------------------------------------------------------------------


def entry_message(entry: Entry) -> dict[str, Any]:
    """The incoming-webhook payload announcing one entry."""
    author = entry.author.name
    day = calendar.day_name(entry.day)
    category = entry.get_category_display()
    excerpt = _excerpt(entry.body, limit=EXCERPT_CHARS)
    lines = [f"*{escape(author)}* logged {escape(day)} · _{escape(category)}_"]
    if excerpt:
        lines.extend(f">{escape(line)}" for line in excerpt.splitlines())
    lines.append(_link(_absolute(entry.get_absolute_url()), "Read it on Learning Day"))
    return {
        "text": escape(f"{author} logged {day}: {category}"),
        "blocks": [_section("\n".join(lines))],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def digest_message(team_name: str, day: dt.date, entries: Iterable[Entry]) -> dict[str, Any]:
    """The incoming-webhook payload summing up one team's entries of one Learning Day.

    Entries are shown in the order given; select the authors along with them.
    """
    entries = list(entries)
    team, when = escape(team_name), escape(calendar.day_name(day))
    blocks = [_section(f"*Learning Day in {team}* · {when}")]
    if not entries:
        summary = f"Nobody in {team} logged what they learned on {when}. There is always the next Learning Day!"
        blocks.append(_section(summary))
        return _digest(summary, blocks)

    count = len(entries)
    summary = f"{count} {'person' if count == 1 else 'people'} in {team} logged what they learned on {when}."
    blocks.append(_section(summary))
    for entry in entries[:DIGEST_MAX_ENTRIES]:
        # One line per entry: the excerpt's lines run together.
        excerpt = " ".join(_excerpt(entry.body, limit=DIGEST_EXCERPT_CHARS).splitlines())
        head = f"*{escape(entry.author.name)}* · _{escape(entry.get_category_display())}_"
        link = _link(_absolute(entry.get_absolute_url()), "Read")
        blocks.append(_section(f"{head} · {link}" + (f"\n{escape(excerpt)}" if excerpt else "")))
    if count > DIGEST_MAX_ENTRIES:
        more = count - DIGEST_MAX_ENTRIES
        blocks.append(_section(f"…and {more} more: {_link(_absolute(reverse('logs:feed')), 'see them all')}"))
    return _digest(summary, blocks)


def escape(text: str) -> str:
    """Text shown as is in Slack: its three control characters escaped, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _digest(summary: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"text": summary, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _link(url: str, label: str) -> str:
    # Only our own addresses get here; Slack would end the link early at "|" or ">".
    if any(char in url for char in "<>| "):
        raise ValueError("A Slack link address cannot hold <, >, | or spaces.")
    return f"<{url}|{escape(label)}>"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _excerpt(body: str, *, limit: int) -> str:
    """The first lines of an entry as plain text: no markdown, no HTML, at most ``limit`` characters."""
    # From the sanitised HTML, never the raw body: what the page shows, less its tags.
    parser = _TextExtractor()
    parser.feed(render(body))
    parser.close()
    lines = parser.lines()
    cut = len(lines) > EXCERPT_LINES
    text = "\n".join(lines[:EXCERPT_LINES])
    if len(text) > limit:
        text, cut = text[:limit], True
        # Cut at the last space when there is one not too far back; never mid-word otherwise.
        space = max(text.rfind(" "), text.rfind("\n"))
        if space > limit * 2 // 3:
            text = text[:space]
    if cut:
        text = text.rstrip(" \n.,;:–-") + "…"
    return text


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment, one line per block element; entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")
            if tag == "li":
                self._parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data)

    def lines(self) -> list[str]:
        text = "".join(self._parts)
        return [line for raw in text.split("\n") if (line := re.sub(r"\s+", " ", raw).strip()) and line != "•"]


# --- Sending -----------------------------------------------------------------------


def _user_agent() -> str:
    return f"LearningDay/1.0 (Learning Day Slack notifications; +{settings.SITE_URL})"


def post(url: str, payload: dict[str, Any], *, timeout: float = 5.0) -> None:
    """Send ``payload`` to the incoming webhook at ``url``: one attempt, no redirects followed."""
    headers = {"User-Agent": _user_agent(), "Accept": "text/plain"}
    try:
        # No redirects: a webhook that moves is misconfigured, and a 307 would re-send the
        # message wherever it points. stream=True: read no more of an answer than we use.
        with requests.post(
            url, json=payload, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            status = response.status_code
            if 200 <= status < 300:
                return
            detail = _error_detail(response, url)
            retry_after = _retry_after(response.headers.get("Retry-After"))
    except requests.Timeout:
        # "from None" everywhere here: the requests error's text names the URL.
        raise SlackError(f"Slack did not answer within {timeout:g} seconds.") from None
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
        raise SlackRefused("The Slack webhook address is not a valid URL; check the team's settings.") from None
    except requests.RequestException as error:
        raise SlackError(f"Could not reach Slack ({type(error).__name__}).") from None

    if status == 429:
        wait = f"; it asks to wait {retry_after:g} seconds" if retry_after is not None else ""
        raise SlackError(
            f"Slack is rate-limiting the webhook (429{detail}){wait}.", status=status, retry_after=retry_after
        )
    if status >= 500:
        raise SlackError(f"Slack had a problem: {status}{detail}.", status=status)
    if 300 <= status < 400:
        raise SlackRefused(f"The Slack webhook redirects ({status}); check the team's webhook URL.", status=status)
    raise SlackRefused(f"Slack refused the message: {status}{detail}.", status=status)


def _error_detail(response: requests.Response, url: str) -> str:
    """Slack's short error code ("no_service") as ", no_service", or ""."""
    try:
        raw = response.raw.read(_ERROR_BODY_CHARS * 4, decode_content=True) or b""
    except Exception:  # a broken error body must not hide the status
        return ""
    text = raw.decode("utf-8", errors="replace")
    text = "".join(char if char.isprintable() else " " for char in text)
    text = " ".join(text.split())[:_ERROR_BODY_CHARS]
    # A proxy's error page may echo the address it was asked for.
    for secret in {url, urlsplit(url).path}:
        if len(secret) > 1:
            text = text.replace(secret, "[webhook]")
    return f", {text}" if text else ""


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (it may be a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - dj_timezone.now()).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
