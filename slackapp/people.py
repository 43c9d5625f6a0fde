"""Who a Slack user is here: matched once by the verified email Slack gives, then remembered.

Someone Slack cannot match (no account with that email, an unverified email, a bot), or
whose account is deactivated, can do one thing: follow a link that connects their Slack
user to their account after they sign in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from slack_bolt import BoltResponse
from slack_sdk import WebClient

from learningday.models import User
from slackapp import client as slack_client
from slackapp.models import SlackAccount

log = logging.getLogger(__name__)

CONNECT_SALT = "slackapp.connect"
CONNECT_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class Found:
    user: User | None
    # Why there is no user: "unknown" (no account matches) or "inactive".
    why: str = ""
    slack_user_id: str = ""
    slack_team_id: str = ""


def person_for(*, slack_user_id: str, slack_team_id: str, client: WebClient | None = None) -> Found:
    """The active account of a Slack user, matching by email the first time."""
    account = (
        SlackAccount.objects.select_related("user")
        .filter(slack_user_id=slack_user_id, slack_team_id__in=[slack_team_id, ""])
        .first()
    )
    if account is None:
        account = _match_by_email(slack_user_id, slack_team_id, client)
    if account is None:
        return Found(None, "unknown", slack_user_id, slack_team_id)
    if not account.user.is_active:
        return Found(None, "inactive", slack_user_id, slack_team_id)
    return Found(account.user, "", slack_user_id, slack_team_id)


def _match_by_email(slack_user_id: str, slack_team_id: str, client: WebClient | None) -> SlackAccount | None:
    try:
        info = slack_client.call("users_info", client, user=slack_user_id)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain) as error:
        log.warning("Could not look up Slack user %s: %s", slack_user_id, error)
        return None
    person: dict[str, Any] = info.get("user") or {}
    email = str((person.get("profile") or {}).get("email") or "").strip()
    # Only an address Slack says is confirmed, of a real person.
    if not email or person.get("is_bot") or person.get("deleted") or person.get("is_email_confirmed") is False:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is None or SlackAccount.objects.filter(user=user).exists():
        return None
    try:
        with transaction.atomic():
            return SlackAccount.objects.create(user=user, slack_user_id=slack_user_id, slack_team_id=slack_team_id)
    except IntegrityError:  # matched by another request a moment ago
        return SlackAccount.objects.select_related("user").filter(slack_user_id=slack_user_id).first()


@dataclass(frozen=True)
class SlackProfile:
    name: str = ""
    email: str = ""


def profile_of(slack_user_id: str) -> SlackProfile:
    """Who a Slack user says they are, to show before connecting them; empty when Slack does not say."""
    try:
        info = slack_client.call("users_info", slack_client.web_client(in_request=True), user=slack_user_id)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain):
        return SlackProfile()
    person: dict[str, Any] = info.get("user") or {}
    profile: dict[str, Any] = person.get("profile") or {}
    name = profile.get("real_name") or profile.get("display_name") or person.get("name") or ""
    return SlackProfile(name=str(name)[:100], email=str(profile.get("email") or "")[:254])


def connect_token(slack_user_id: str, slack_team_id: str) -> str:
    return signing.dumps({"u": slack_user_id, "t": slack_team_id}, salt=CONNECT_SALT, compress=True)


def read_connect_token(token: str) -> tuple[str, str]:
    """The Slack user and workspace a connect link is for; ``signing.BadSignature`` if forged or old."""
    data = signing.loads(token, salt=CONNECT_SALT, max_age=CONNECT_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("t"), str):
        raise signing.BadSignature("not a connect token")
    return data["u"], data["t"]


def connect_url(found: Found) -> str:
    return settings.SITE_URL + reverse(
        "slackapp:connect", args=[connect_token(found.slack_user_id, found.slack_team_id)]
    )


def refusal_text(found: Found) -> str:
    if found.why == "inactive":
        return (
            "Your Learning Day account is deactivated, so Slack cannot use it. "
            f"Ask an administrator, or connect another account: {connect_url(found)}"
        )
    return (
        "Slack could not match you to a Learning Day account. "
        f"Sign in to Learning Day and connect your Slack user (the link works for a day): {connect_url(found)}"
    )


def refuse(*, body: dict[str, Any], context, respond, found: Found) -> BoltResponse:
    """Answer someone without a usable account: a link to connect, and nothing done."""
    text = refusal_text(found)
    kind = body.get("type")
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if kind == "view_submission":
        return BoltResponse(status=200, body={"response_action": "errors", "errors": _first_block_error(body, text)})
    if kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened" and event.get("tab", "home") == "home":
            _publish_connect_home(context, found, text)
        return BoltResponse(status=200, body="")
    if body.get("response_url") and respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        _dm(context, found, text)
    return BoltResponse(status=200, body="")


def _first_block_error(body: dict[str, Any], text: str) -> dict[str, str]:
    blocks = ((body.get("view") or {}).get("blocks")) or []
    for block in blocks:
        if block.get("type") == "input" and block.get("block_id"):
            return {block["block_id"]: text[:150]}
    return {}


def _publish_connect_home(context, found: Found, text: str) -> None:
    view = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    try:
        slack_client.call("views_publish", context.client, user_id=found.slack_user_id, view=view)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain) as error:
        log.warning("Could not show the connect link on a home tab: %s", error)


def _dm(context, found: Found, text: str) -> None:
    channel = (context.get("channel_id") if context else None) or found.slack_user_id
    try:
        slack_client.call("chat_postEphemeral", context.client, channel=channel, user=found.slack_user_id, text=text)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain):
        try:
            slack_client.call("chat_postMessage", context.client, channel=found.slack_user_id, text=text)
        except (slack_client.SlackRefused, slack_client.SlackTryAgain) as error:
            log.warning("Could not send a connect link: %s", error)
