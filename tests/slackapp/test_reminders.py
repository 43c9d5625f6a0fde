"""Learning Day asked in Slack: the morning question and the afternoon nudge by direct message,
each once, in each person's own time zone and hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from learningday.celery import app as celery_app
from learningday.models import OutboxMessage, User
from logs import reminders
from slackapp.models import SlackAccount
from slackapp.reminders import by_slack, dispatch_slack_reminders, send_slack_reminder_batch
from tests.conftest import LAST_THURSDAY, THURSDAY
from tests.factories import EntryFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(THURSDAY)]  # 12:00 in Berlin

DAY = THURSDAY.date()
AFTERNOON = THURSDAY + dt.timedelta(hours=4)  # 16:00 in Berlin, past the 15:00 nudge
VIA = User.ReminderVia


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    """slack_sdk waits Retry-After plus up to a second of jitter before trying again: no jitter here."""

    class NoJitter:
        @staticmethod
        def random() -> float:
            return 0.0

    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random", NoJitter)


def person(name: str, via: str, *, slack_id: str | None = None, team=None, **extra) -> User:
    user = UserFactory(email=f"{name}@example.com", display_name=name.title(), reminders_via=via, **extra)
    if team is not None:
        MembershipFactory(user=user, team=team)
    if slack_id:
        SlackAccount.objects.create(user=user, slack_user_id=slack_id, slack_team_id="T0LEARN")
    return user


@pytest.fixture
def people(team):
    return {
        "ada": person("ada", VIA.SLACK, slack_id="U1", team=team),
        "bea": person("bea", VIA.BOTH, slack_id="U2", team=team),
        "cem": person("cem", VIA.EMAIL, slack_id="U3", team=team),
    }


def dms(slack_api) -> list[tuple[str, str]]:
    """Each direct message: the DM channel it went to (a first one goes to the user's id, which
    Slack turns into the DM channel "D…"), and its text."""

    def dm_channel(channel: str) -> str:
        return "D" + channel if channel.startswith("U") else channel

    return sorted((dm_channel(c.args["channel"]), c.args["text"]) for c in slack_api.calls("chat.postMessage"))


def test_the_morning_question_reaches_each_slack_person_once_with_last_weeks_plan(slack_api, people):
    EntryFactory(author=people["ada"], day=LAST_THURSDAY, whats_next="Finish the *PBA* reimplementation")

    assert dispatch_slack_reminders() == 1
    assert dispatch_slack_reminders() == 0  # the next quarter hour: everyone is sent or held

    question = "It's Learning Day — what will you learn?"
    assert dms(slack_api) == [("DU1", question), ("DU2", question)]
    ada = next(c.args for c in slack_api.calls("chat.postMessage") if c.args["channel"] == "U1")
    shown = str(ada["blocks"])
    assert "Finish the *PBA* reimplementation" in shown
    button = next(b for b in ada["blocks"] if b["type"] == "actions")["elements"][0]
    assert (button["action_id"], button["text"]["text"], button["style"]) == ("checkin_open", "Log my day", "primary")
    assert "/logs/new/|Or write it on the web>" in shown
    assert OutboxMessage.objects.filter(channel="slack_dm", kind="morning", sent_at__isnull=False).count() == 2


def test_a_person_who_chose_email_only_gets_no_direct_message(slack_api, people):
    dispatch_slack_reminders()
    assert "DU3" not in {channel for channel, _ in dms(slack_api)}
    # The emails go to those who chose email or both, not to the Slack-only person.
    ids = reminders.due("morning", at=THURSDAY)[DAY]
    assert sorted(User.objects.filter(pk__in=ids).values_list("email", flat=True)) == [
        "bea@example.com",
        "cem@example.com",
    ]


def test_a_batch_run_twice_sends_each_message_once(slack_api, people):
    batch = reminders.plan(at=THURSDAY, channel="slack_dm", only=None)[0]
    assert batch.kind == "morning"
    for owner in ("task-1", "task-2"):
        reminders.send_chunk(
            kind="morning", day=DAY, user_ids=batch.user_ids, owner=owner, channel="slack_dm", sender=by_slack
        )
    send_slack_reminder_batch.apply(("morning", DAY.isoformat(), batch.user_ids), task_id="task-3")
    assert len(slack_api.calls("chat.postMessage")) == 2


def test_the_afternoon_nudge_goes_once_and_only_to_those_who_have_not_posted(slack_api, people, frozen):
    frozen.move_to(AFTERNOON)
    EntryFactory(author=people["ada"], day=DAY)

    dispatch_slack_reminders()
    dispatch_slack_reminders()

    nudges = [c for c in slack_api.calls("chat.postMessage") if c.args["text"] == "A few lines about today's learning?"]
    assert [c.args["channel"] for c in nudges] == ["DU2"]
    assert "checkin_open" in str(nudges[0].args["blocks"])


def test_who_posts_after_the_dispatcher_looked_gets_no_nudge(slack_api, people, frozen):
    frozen.move_to(AFTERNOON)
    [batch] = [b for b in reminders.plan(at=AFTERNOON, channel="slack_dm") if b.kind == "nudge"]
    EntryFactory(author=people["bea"], day=DAY)

    send_slack_reminder_batch.apply(("nudge", DAY.isoformat(), batch.user_ids), task_id="nudge-1")

    assert [c.args["channel"] for c in slack_api.calls("chat.postMessage")] == ["U1"]
    skipped = OutboxMessage.objects.get(channel="slack_dm", kind="nudge", user=people["bea"])
    assert skipped.sent_at is None and skipped.given_up_at is not None


def test_each_person_is_asked_at_their_own_hour(slack_api, people, frozen):
    people["ada"].morning_hour = 11  # Berlin
    people["ada"].save(update_fields=["morning_hour"])
    frozen.move_to(THURSDAY - dt.timedelta(hours=1, minutes=55))  # 10:05 in Berlin

    dispatch_slack_reminders()
    assert [channel for channel, _ in dms(slack_api)] == ["DU2"]

    frozen.move_to(THURSDAY + dt.timedelta(minutes=5))  # 12:05
    dispatch_slack_reminders()
    assert [channel for channel, _ in dms(slack_api)] == ["DU1", "DU2"]


def test_a_rate_limited_message_is_sent_after_slacks_wait_and_arrives_once(slack_api, people):
    slack_api.rate_limit(every=2, retry_after=0)
    User.objects.exclude(pk=people["ada"].pk).update(reminders_via=VIA.EMAIL)

    dispatch_slack_reminders()

    assert slack_api.limited >= 1  # the message was refused once, then sent
    assert dms(slack_api) == [("DU1", "It's Learning Day — what will you learn?")]
    assert OutboxMessage.objects.get(channel="slack_dm").sent_at is not None


def test_a_batch_that_runs_out_of_time_goes_on_with_the_rest_and_sends_each_once(slack_api, people, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from slackapp import dm

    real, calls = dm.send, []

    def second_runs_out(account, **kwargs):
        calls.append(account.slack_user_id)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return real(account, **kwargs)

    monkeypatch.setattr(dm, "send", second_runs_out)
    dispatch_slack_reminders()

    question = "It's Learning Day — what will you learn?"
    assert dms(slack_api) == [("DU1", question), ("DU2", question)]
    assert OutboxMessage.objects.filter(channel="slack_dm", sent_at__isnull=False).count() == 2


def test_a_person_slack_refuses_is_given_up_and_the_others_still_get_theirs(slack_api, people):
    SlackAccount.objects.filter(user=people["ada"]).update(dm_channel_id="DGONE")
    real = slack_api._answer

    def gone(method, args):
        if args.get("channel") == "DGONE":
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        return real(method, args)

    slack_api._answer = gone
    dispatch_slack_reminders()

    assert [channel for channel, _ in dms(slack_api)] == ["DU2"]
    refused = OutboxMessage.objects.get(channel="slack_dm", user=people["ada"])
    assert refused.given_up_at is not None and "channel_not_found" in refused.last_error
    # The remembered DM channel is forgotten: next time it is opened again.
    assert SlackAccount.objects.get(user=people["ada"]).dm_channel_id == ""
    assert dispatch_slack_reminders() == 0


def test_a_revoked_token_stops_the_batch_and_keeps_the_messages_for_later(slack_api, people):
    slack_api.fail("chat.postMessage", "token_revoked")

    dispatch_slack_reminders()

    rows = OutboxMessage.objects.filter(channel="slack_dm")
    assert rows.count() == 2
    assert all(r.sent_at is None and r.given_up_at is None and "token_revoked" in r.last_error for r in rows)


def test_nothing_is_sent_by_slack_while_the_app_is_off_and_everyone_gets_email(slack_api, people, settings):
    settings.SLACK_ENABLED = False
    assert dispatch_slack_reminders() == 0
    assert slack_api.calls() == []
    assert len(reminders.due("morning", at=THURSDAY)[DAY]) == 3
    assert mail.outbox == []


def test_disconnecting_slack_brings_reminders_back_to_email(slack_api, people, client):
    client.force_login(people["ada"])
    client.post("/slack/disconnect/")
    people["ada"].refresh_from_db()
    assert people["ada"].reminders_via == VIA.EMAIL
    dispatch_slack_reminders()
    assert "DU1" not in {channel for channel, _ in dms(slack_api)}


def test_a_slack_user_connected_to_another_account_takes_the_first_ones_reminders_back_to_email(slack_api, people):
    from slackapp.services import account_connect

    other = UserFactory(email="ada.private@example.com")
    account_connect(user=other, slack_user_id="U1", slack_team_id="T0LEARN")
    people["ada"].refresh_from_db()
    assert people["ada"].reminders_via == VIA.EMAIL


def test_beat_runs_the_dispatcher_every_quarter_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["slack-reminders-dispatch"]
    assert entry["schedule"] == 15 * 60
    assert entry["task"] in celery_app.tasks
