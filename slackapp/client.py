"""The Web API client: slack_sdk's, pointed at SLACK_API_URL, with its retry handlers.

In a task, a 429 is waited out for as long as Slack's ``Retry-After`` says and tried again
(``RateLimitErrorRetryHandler``); a dropped connection or a 500/503 is tried again once or
twice. Inside a request from Slack (``web_client(in_request=True)``, Bolt's client) nothing
waits: Slack gives up after three seconds. What still fails becomes ``SlackTryAgain`` (the
task's own retry policy takes over) or ``SlackRefused`` (trying again cannot help). The
token never appears in an error: the messages name the method and Slack's error code only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from learningday import outbox

# How often a rate-limited call is tried again before the task's own retry takes over.
RATE_LIMIT_RETRIES = 10
TIMEOUT_SECONDS = 10
# Inside a request from Slack, which gives up after 3 seconds: one quick try, no waiting.
REQUEST_TIMEOUT_SECONDS = 2

# Slack's error codes that no retry can cure: a channel or message that is gone, a token
# that was revoked, a payload Slack will never take.
FOR_GOOD = {
    "account_inactive",
    "channel_not_found",
    "invalid_auth",
    "invalid_blocks",
    "invalid_arguments",
    "is_archived",
    "message_not_found",
    "cant_update_message",
    "cant_delete_message",
    "missing_scope",
    "no_permission",
    "not_authed",
    "not_in_channel",
    "restricted_action",
    "token_revoked",
    "user_not_found",
    "user_disabled",
    "cannot_dm_bot",
    "expired_trigger_id",
    "invalid_trigger_id",
}


class SlackTryAgain(outbox.TryAgain):
    """Slack did not take the call but may later."""


class SlackRefused(outbox.Refused):
    """Slack refused the call for good."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def retry_handlers(*, in_request: bool = False) -> list[RetryHandler]:
    """What slack_sdk tries again: in a task, a 429 after its ``Retry-After``, a dropped
    connection and a 500/503; inside a request from Slack only a dropped connection, once
    (a wait would outlast Slack's three seconds; the person tries again)."""
    if in_request:
        return [ConnectionErrorRetryHandler(max_retry_count=1)]
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(*, in_request: bool = False) -> WebClient:
    """The Web API client of tasks, or, ``in_request``, of a request Slack waits on."""
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=REQUEST_TIMEOUT_SECONDS if in_request else TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(in_request=in_request),
    )


def call(method: str, client: WebClient | None = None, **arguments: Any) -> SlackResponse:
    """One Web API call by slack_sdk's name for it (``chat_postMessage``), its failures
    sorted into try-again and refused."""
    client = client or web_client()
    try:
        return getattr(client, method)(**arguments)
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        status = error.response.status_code if error.response is not None else None
        if code in FOR_GOOD:
            raise SlackRefused(f"Slack refused {method}: {code}", code=code) from None
        raise SlackTryAgain(f"Slack did not take {method}: {code or status}") from None
    except (SlackClientError, OSError) as error:
        raise SlackTryAgain(f"Slack could not be reached for {method}: {type(error).__name__}") from None
