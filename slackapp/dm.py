"""Direct messages from the bot: the DM channel is opened once per person and remembered."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from slackapp import client as slack_client
from slackapp.models import SlackAccount


def channel_for(account: SlackAccount, client: WebClient | None = None) -> str:
    """The bot's direct-message channel with this person (``conversations.open`` the first time)."""
    if account.dm_channel_id:
        return account.dm_channel_id
    opened = slack_client.call("conversations_open", client, users=account.slack_user_id)
    channel = str((opened.get("channel") or {}).get("id") or "")
    if not channel:
        raise slack_client.SlackTryAgain("Slack opened no direct-message channel")
    SlackAccount.objects.filter(pk=account.pk).update(dm_channel_id=channel)
    account.dm_channel_id = channel
    return channel


def send(
    account: SlackAccount, *, text: str, blocks: list[dict[str, Any]], client: WebClient | None = None
) -> SlackResponse:
    """Post a direct message; ``text`` is what notifications and screen readers show."""
    return slack_client.call(
        "chat_postMessage",
        client,
        channel=channel_for(account, client),
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
    )
