"""The check-in: ``/learned``, the "Log as learning" message shortcut, and the modal that
saves an entry through ``logs.services.entry_save``, as the web form does."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from learningday import calendar
from learningday.models import User
from slackapp import client as slack_client

CALLBACK = "checkin"


def modal(*, user: User, text: str = "") -> dict[str, Any]:
    day = calendar.user_today(user)
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": {"type": "plain_text", "text": "Learning Day"},
        "submit": {"type": "plain_text", "text": "Log it"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": day.isoformat(),
        "blocks": [
            {
                "type": "input",
                "block_id": "body",
                "label": {"type": "plain_text", "text": f"What I learned on {calendar.day_name(day)}"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "body",
                    "multiline": True,
                    **({"initial_value": text} if text else {}),
                },
            },
        ],
    }


def _learned(ack: Ack, command: dict[str, Any], context, body: dict[str, Any]) -> None:
    ack()
    slack_client.call(
        "views_open",
        context.client,
        trigger_id=body["trigger_id"],
        view=modal(user=context["person"], text=command.get("text", "").strip()),
    )


def register(app: App) -> None:
    app.command("/learned")(_learned)
