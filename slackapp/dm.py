"""Direct messages from the bot, to the person's direct-message channel with the app."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from slackapp import client as slack_client
from slackapp.models import SlackAccount


def send(
    account: SlackAccount, *, text: str, blocks: list[dict[str, Any]], client: WebClient | None = None
) -> SlackResponse:
    """Post a direct message; ``text`` is what notifications and screen readers show.

    The first message goes to the person's user id, which Slack delivers to the app's
    direct-message channel with them (no ``conversations.open``: that method allows about 50
    calls a minute, a thousand people's first morning would take 20 minutes); the channel's
    id comes back and is kept, for editing messages later.
    """
    answer = slack_client.call(
        "chat_postMessage",
        client,
        channel=account.dm_channel_id or account.slack_user_id,
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
    )
    channel = str(answer.get("channel") or "")
    if channel and channel != account.dm_channel_id:
        SlackAccount.objects.filter(pk=account.pk).update(dm_channel_id=channel)
        account.dm_channel_id = channel
    return answer
