"""The pulse question in Slack: in the morning message of the quarter's first Learning Day,
answered with a button (the buttons then make way for a thank-you), with an optional comment
in a modal; all through the web's service and its rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from learningday.models import User
from learningday.quarters import Quarter
from logs.models import PulseAnswer
from slackapp.models import SlackAccount
from slackapp.reminders import dispatch_slack_reminders
from tests.conftest import THURSDAY
from tests.factories import MembershipFactory, UserFactory
from tests.slackapp.fake_api import WORKSPACE

pytestmark = pytest.mark.django_db

# Thursday 1 October 2026, 12:00 in Berlin: 2026-Q4's first Learning Day, past the morning hour.
FIRST_OF_Q4 = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.UTC)
Q4 = Quarter(2026, 4)
QUESTION = "How much did Learning Day help you grow this quarter?"


def slack_person(name: str, slack_id: str, team) -> User:
    user = UserFactory(email=f"{name}@example.com", reminders_via=User.ReminderVia.SLACK)
    MembershipFactory(user=user, team=team)
    SlackAccount.objects.create(user=user, slack_user_id=slack_id, slack_team_id=WORKSPACE)
    return user


def morning_to(slack_api, slack_id: str) -> dict[str, Any]:
    return next(c.args for c in slack_api.calls("chat.postMessage") if c.args["channel"] == slack_id)


def pulse_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return next((b["elements"] for b in message["blocks"] if b.get("block_id") == "pulse_buttons"), [])


@pytest.mark.frozen(FIRST_OF_Q4)
def test_the_first_learning_day_morning_asks_the_pulse_with_five_buttons_unless_answered(slack_api, team):
    slack_person("ada", "U1", team)
    bea = slack_person("bea", "U2", team)
    PulseAnswer.objects.create(user=bea, quarter=Q4.first_day, team=team, score=3)

    dispatch_slack_reminders()

    ada = morning_to(slack_api, "U1")
    assert QUESTION in str(ada["blocks"])
    buttons = pulse_buttons(ada)
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("1 · Not at all", "2026-Q4:1"),
        ("2", "2026-Q4:2"),
        ("3", "2026-Q4:3"),
        ("4", "2026-Q4:4"),
        ("5 · A lot", "2026-Q4:5"),
    ]
    assert "checkin_open" in str(ada["blocks"])  # the usual morning message is all there
    assert QUESTION not in str(morning_to(slack_api, "U2")["blocks"])  # answered already


@pytest.mark.frozen(THURSDAY)
def test_a_later_learning_day_morning_does_not_ask_again(slack_api, team):
    slack_person("ada", "U1", team)
    dispatch_slack_reminders()
    assert QUESTION not in str(morning_to(slack_api, "U1")["blocks"])


@pytest.mark.frozen(FIRST_OF_Q4)
def test_a_click_records_the_score_and_replaces_the_buttons_with_thanks(slack_api, slack, team):
    ada = slack_person("ada", "U1", team)
    dispatch_slack_reminders()
    message = {**morning_to(slack_api, "U1"), "ts": "1.1", "channel": "DU1"}

    response = slack.action({"action_id": "pulse_score_4", "value": "2026-Q4:4"}, user="U1", message=message)

    assert response.status_code == 200
    answer = PulseAnswer.objects.get(user=ada)
    assert (answer.quarter, answer.score, answer.team) == (Q4.first_day, 4, team)
    (replaced,) = slack_api.responses
    assert replaced["replace_original"] in (True, "true")
    shown = str(replaced["blocks"])
    assert "*Thank you.* Your answer for 2026-Q4 is recorded" in shown
    assert "4" not in shown.replace("2026-Q4", "")  # Slack keeps the message: never the score in it
    assert "pulse_score_" not in shown  # the five buttons are gone
    assert "checkin_open" in shown  # the rest of the message stays
    # A second click changes the one answer.
    slack.action({"action_id": "pulse_score_2", "value": "2026-Q4:2"}, user="U1", message=message)
    assert PulseAnswer.objects.get(user=ada).score == 2


@pytest.mark.frozen(dt.datetime(2027, 1, 7, 10, 0, tzinfo=dt.UTC))
def test_a_click_after_the_quarter_ended_is_refused_to_the_person_only(slack_api, slack, team):
    slack_person("ada", "U1", team)
    slack.action({"action_id": "pulse_score_5", "value": "2026-Q4:5"}, user="U1", message={"blocks": []})
    assert not PulseAnswer.objects.exists()
    (refusal,) = slack_api.responses
    assert refusal["response_type"] == "ephemeral"
    assert "2026-Q4 is closed" in refusal["text"]


@pytest.mark.frozen(FIRST_OF_Q4)
def test_a_comment_in_the_modal_is_saved_with_the_score(slack_api, slack, team):
    ada = slack_person("ada", "U1", team)
    slack.action({"action_id": "pulse_score_4", "value": "2026-Q4:4"}, user="U1", message={"blocks": []})

    slack.action({"action_id": "pulse_comment", "value": "2026-Q4"}, user="U1")
    view = slack_api.last("views.open").args["view"]
    assert view["callback_id"] == "pulse_comment"
    score = next(b for b in view["blocks"] if b["block_id"] == "score")["element"]
    assert score["initial_option"]["value"] == "4"

    response = slack.submit(view, user="U1", comment="Pairing on papers helped most.")

    assert response.status_code == 200
    answer = PulseAnswer.objects.get(user=ada)
    assert (answer.score, answer.comment) == (4, "Pairing on papers helped most.")
    assert PulseAnswer.objects.count() == 1


@pytest.mark.frozen(FIRST_OF_Q4)
def test_the_modal_without_a_score_says_what_to_fix(slack_api, slack, team):
    slack_person("ada", "U1", team)
    slack.action({"action_id": "pulse_comment", "value": "2026-Q4"}, user="U1")
    view = slack_api.last("views.open").args["view"]

    response = slack.submit(view, user="U1", comment="No score given")

    assert response.json()["errors"]["score"] == "Choose a number from 1 (not at all) to 5 (a lot)."
    assert not PulseAnswer.objects.exists()
