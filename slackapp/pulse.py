"""The quarterly pulse question in Slack: asked in the morning message of the quarter's first
Learning Day (``slackapp.reminders``), answered with one of five buttons.

A click records the score through the web's service (``logs.services.pulse_answer``: one
answer per person per quarter, refused once the quarter is over) and replaces the buttons
with a thank-you, leaving the rest of the message as it was; "Add a comment" opens a modal
with the score and an optional comment, saved by the same service. The message never shows
the answer: Slack keeps messages, with the person's name, and a workspace's owners can export
them; only the comment modal, which is not kept, shows the person their own score.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from learningday.models import User
from learningday.quarters import Quarter
from logs import selectors as log_selectors
from logs import services as log_services
from logs.forms import PULSE_CHOICES, PULSE_QUESTION
from logs.models import PULSE_COMMENT_MAX
from slackapp import blocks as b
from slackapp import client as slack_client

log = logging.getLogger(__name__)

SCORE = re.compile(r"^pulse_score_[1-5]$")
COMMENT = "pulse_comment"
CALLBACK = "pulse_comment"
# Every block of the question carries one of these ids: a click replaces exactly them.
PREFIX = "pulse_"
QUESTION_BLOCK, BUTTONS_BLOCK, NOTE_BLOCK = "pulse_question", "pulse_buttons", "pulse_note"
ANONYMOUS = "Once a quarter, and anonymous: answers are shown only as totals of at least five people."
ERROR_CHARS = 150


def question_blocks(quarter: Quarter) -> list[dict[str, Any]]:
    """The question and its five buttons, for the morning message."""
    buttons = [
        b.button(label, action_id=f"pulse_score_{score}", value=f"{quarter.label}:{score}")
        for score, label in PULSE_CHOICES
    ]
    return [
        {"type": "divider"},
        b.section(f"*{PULSE_QUESTION}*", block_id=QUESTION_BLOCK),
        b.actions(*buttons, block_id=BUTTONS_BLOCK),
        {**b.context(ANONYMOUS), "block_id": NOTE_BLOCK},
    ]


def thanks_blocks(quarter: Quarter) -> list[dict[str, Any]]:
    """What replaces the buttons once the person has answered."""
    return [
        b.section(
            f"*Thank you.* Your answer for {quarter.label} is recorded; you can change it until the quarter ends.",
            block_id=QUESTION_BLOCK,
        ),
        b.actions(
            b.button("Add a comment", action_id=COMMENT, value=quarter.label),
            block_id=BUTTONS_BLOCK,
        ),
    ]


def replace_question(message_blocks: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The message's blocks with the question's (those with a ``pulse_`` id) replaced by ``new``."""
    result: list[dict[str, Any]] = []
    placed = False
    for block in message_blocks:
        if str(block.get("block_id") or "").startswith(PREFIX):
            if not placed:
                result.extend(new)
                placed = True
            continue
        result.append(block)
    return result if placed else [*result, *new]


def _parse(value: Any) -> tuple[Quarter, int] | None:
    label, _, score = str(value or "").partition(":")
    try:
        return Quarter.parse(label), int(score)
    except ValueError:
        return None


def _refuse(respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def _score_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context, respond) -> None:
    ack()
    person: User = context["person"]
    asked = _parse(action.get("value"))
    if asked is None:
        _refuse(respond, "This button is out of date: answer on the web instead.")
        return
    quarter, score = asked
    try:
        log_services.pulse_answer(user=person, score=score, quarter=quarter)
    except log_services.LogError as error:
        _refuse(respond, b.escape(str(error)))
        return
    message = body.get("message") or {}
    respond(
        text=message.get("text") or "Thank you for answering the pulse question.",
        blocks=replace_question(list(message.get("blocks") or []), thanks_blocks(quarter)),
        replace_original=True,
    )


def comment_modal(quarter: Quarter, *, score: int | None, comment: str = "") -> dict[str, Any]:
    options = [{"text": b.plain(label, 75), "value": str(value)} for value, label in PULSE_CHOICES]
    radio: dict[str, Any] = {"type": "radio_buttons", "action_id": "score", "options": options}
    if score is not None:
        radio["initial_option"] = options[score - 1]
    text: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "comment",
        "multiline": True,
        "max_length": PULSE_COMMENT_MAX,
    }
    if comment:
        text["initial_value"] = comment
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": quarter.label,
        "title": b.plain("Pulse question", 24),
        "submit": b.plain("Submit", 24),
        "close": b.plain("Cancel", 24),
        "blocks": [
            {"type": "input", "block_id": "score", "label": b.plain(PULSE_QUESTION), "element": radio},
            {
                "type": "input",
                "block_id": "comment",
                "label": b.plain("Anything to add?"),
                "element": text,
                "optional": True,
                "hint": b.plain("Shown without your name, only with the answers of at least four others."),
            },
        ],
    }


def _comment_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context, respond) -> None:
    ack()
    person: User = context["person"]
    try:
        quarter = Quarter.parse(str(action.get("value") or ""))
    except ValueError:
        _refuse(respond, "This button is out of date: answer on the web instead.")
        return
    answer = log_selectors.pulse_answer_of(person, quarter)
    view = comment_modal(quarter, score=answer.score if answer else None, comment=answer.comment if answer else "")
    try:
        slack_client.call("views_open", context.client, trigger_id=body["trigger_id"], view=view)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain) as error:
        log.warning("Could not open the pulse comment: %s", error)


def _submitted(ack: Ack, view: dict[str, Any], context) -> None:
    person: User = context["person"]
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get("score") or {}).get("score") or {}).get("selected_option") or {}
    comment = ((values.get("comment") or {}).get("comment") or {}).get("value") or ""
    try:
        quarter = Quarter.parse(str(view.get("private_metadata") or ""))
        score = int(chosen.get("value") or 0)
    except ValueError:
        ack(response_action="errors", errors={"score": "This form is too old: close it and answer on the web."})
        return
    try:
        log_services.pulse_answer(user=person, score=score, comment=comment, quarter=quarter)
    except log_services.LogError as error:
        message = str(error)
        ack(
            response_action="errors",
            errors={"score": message[: ERROR_CHARS - 1] + "…" if len(message) > ERROR_CHARS else message},
        )
        return
    ack()


def register(app: App) -> None:
    app.action(SCORE)(_score_clicked)
    app.action(COMMENT)(_comment_clicked)
    app.view_submission(CALLBACK)(_submitted)
