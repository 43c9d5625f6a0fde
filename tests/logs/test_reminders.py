"""Who is due which reminder, at one UTC instant, in each person's own time zone."""

import datetime as dt

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

from learningday.models import Holiday, OutboxMessage
from logs import reminders
from logs.models import Away
from tests.factories import EntryFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 12, 3)
NOON_UTC = dt.datetime(2026, 12, 3, 12, 5, tzinfo=dt.UTC)  # 13:05 Berlin, 07:05 New York, 01:05 Friday Auckland


@pytest.fixture
def world(team):
    people = {}
    for key, tz in (("berlin", "Europe/Berlin"), ("new_york", "America/New_York"), ("auckland", "Pacific/Auckland")):
        people[key] = UserFactory(email=f"{key}@example.com", timezone=tz)
        MembershipFactory(user=people[key], team=team)
    return people


def emails(kind, at):
    return {day: sorted(UserFactory._meta.model.objects.filter(pk__in=ids).values_list("email", flat=True))
            for day, ids in reminders.due(kind, at=at).items()}  # fmt: skip


def test_the_morning_reminder_follows_each_persons_clock(world):
    assert emails("morning", NOON_UTC) == {THURSDAY: ["berlin@example.com"]}
    # 14:05 UTC is 09:05 in New York: now it is their turn too.
    assert emails("morning", NOON_UTC + dt.timedelta(hours=2)) == {
        THURSDAY: ["berlin@example.com", "new_york@example.com"]
    }


def test_auckland_gets_no_thursday_reminder_on_its_friday_but_the_digest_later(world):
    assert "auckland@example.com" not in str(emails("morning", NOON_UTC))
    # Friday 09:05 in Auckland is 20:05 UTC on Thursday: the digest of their Thursday.
    assert emails("digest", dt.datetime(2026, 12, 3, 20, 5, tzinfo=dt.UTC)) == {THURSDAY: ["auckland@example.com"]}


def test_nobody_is_reminded_on_a_holiday_or_while_away(world):
    Away.objects.create(user=world["berlin"], start=THURSDAY, end=THURSDAY)
    assert emails("morning", NOON_UTC) == {}
    Away.objects.all().delete()
    Holiday.objects.create(date=THURSDAY, name="Company day off")
    assert emails("morning", NOON_UTC) == {}
    assert emails("nudge", dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)) == {}


def test_the_nudge_skips_those_who_posted(world, team):
    late_afternoon = dt.datetime(2026, 12, 3, 21, 5, tzinfo=dt.UTC)  # 15:05 New York, 22:05 Berlin
    assert emails("nudge", late_afternoon) == {THURSDAY: ["berlin@example.com", "new_york@example.com"]}
    EntryFactory(author=world["berlin"], day=THURSDAY)
    assert emails("nudge", late_afternoon) == {THURSDAY: ["new_york@example.com"]}


def test_opted_out_and_inactive_people_get_nothing(world):
    world["berlin"].remind_morning = False
    world["berlin"].save()
    UserFactory(email="gone@example.com", timezone="Europe/Berlin", is_active=False)
    assert emails("morning", NOON_UTC) == {}


def test_another_learning_weekday_is_honoured(world, settings):
    settings.LEARNING_DAY_WEEKDAY = 1  # Tuesday
    assert emails("morning", NOON_UTC) == {}
    assert emails("morning", dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)) == {
        dt.date(2026, 12, 1): ["berlin@example.com"]
    }


def test_a_batch_sends_each_reminder_once_with_an_unsubscribe_link(world, client):
    EntryFactory(author=world["berlin"], day=dt.date(2026, 11, 26), whats_next="Finish the PBA reimplementation")
    ids = reminders.due("morning", at=NOON_UTC)[THURSDAY]
    assert reminders.send_chunk(kind="morning", day=THURSDAY, user_ids=ids, owner="task-1") == 1
    assert reminders.send_chunk(kind="morning", day=THURSDAY, user_ids=ids, owner="task-2") == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["berlin@example.com"]
    assert "It's Learning Day — what will you learn?" in message.subject
    assert "Finish the PBA reimplementation" in message.body
    assert "/logs/new/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboxMessage.objects.get().sent_at is not None
    # One click from the mail program: a POST without a session or CSRF token.
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    world["berlin"].refresh_from_db()
    assert world["berlin"].remind_morning is False
    assert emails("morning", NOON_UTC + dt.timedelta(minutes=15)) == {}


def test_a_tampered_unsubscribe_link_changes_nothing(client, world):
    token = reminders.unsubscribe_token(world["berlin"], "morning")
    assert client.post(f"/logs/unsubscribe/{token[:-2]}xx/").status_code == 400
    world["berlin"].refresh_from_db()
    assert world["berlin"].remind_morning is True


def test_the_digest_shows_the_teams_entries_of_that_day(world):
    EntryFactory(author=world["new_york"], day=THURSDAY, body="Read about Kalman filters")
    after = dt.datetime(2026, 12, 4, 9, 5, tzinfo=dt.UTC)  # Friday 10:05 Berlin
    ids = reminders.due("digest", at=after)[THURSDAY]
    reminders.send_chunk(kind="digest", day=THURSDAY, user_ids=ids, owner="digest-1")
    berlin = next(m for m in mail.outbox if m.to == ["berlin@example.com"])
    assert "Read about Kalman filters" in berlin.body
    assert "What your teams learned on Thursday 3 December" in berlin.subject


def test_send_reminders_dry_run_prints_who_gets_what(world, capsys):
    call_command("send_reminders", "--at", "2026-12-03T12:05:00Z", "--dry-run")
    out = capsys.readouterr().out
    assert "morning  2026-12-03  berlin@example.com (Europe/Berlin)" in out
    assert "new_york@example.com" not in out
    assert "Dry run: 1 emails in 1 batches would be sent." in out
    assert mail.outbox == []


def test_the_profile_turns_reminders_off(client, member):
    client.force_login(member)
    client.post("/profile/", {"display_name": "Tom", "timezone": "Europe/Berlin", "remind_morning": "on"})
    member.refresh_from_db()
    assert (member.remind_morning, member.remind_nudge, member.receive_digest) == (True, False, False)


def test_due_works_per_time_zone_not_per_person(team, monkeypatch, django_assert_max_num_queries):
    for i in range(30):
        UserFactory(email=f"many{i}@example.com", timezone="Europe/Berlin" if i % 2 else "Asia/Tokyo")
    seen = []
    real = reminders._day_for
    monkeypatch.setattr(
        reminders, "_day_for", lambda kind, local, **kw: seen.append(local.tzinfo) or real(kind, local, **kw)
    )
    with django_assert_max_num_queries(4):
        due = reminders.due("morning", at=NOON_UTC)
    assert len(seen) == 2  # one look at each zone, however many people live there
    assert len(due[THURSDAY]) == 30  # 13:05 in Berlin, 21:05 in Tokyo: both past nine on Thursday


@pytest.mark.parametrize(
    "stop",
    [SoftTimeLimitExceeded("the batch ran out of time"), RuntimeError("a template broke")],
    ids=["time limit", "bug"],
)
def test_a_batch_stopped_midway_by_any_error_stamps_those_it_sent(team, monkeypatch, stop):
    people = [UserFactory(email=f"p{i}@example.com", timezone="Europe/Berlin") for i in range(4)]
    for person in people:
        MembershipFactory(user=person, team=team)
    ids = reminders.due("morning", at=NOON_UTC)[THURSDAY]
    send = EmailMultiAlternatives.send

    def third_stops(message, *args, **kwargs):
        if len(mail.outbox) == 2:
            raise stop
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", third_stops)
    with pytest.raises(type(stop)):
        reminders.send_chunk(kind="morning", day=THURSDAY, user_ids=ids, owner="task-1")
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    # Another task later (after the lease, or the same task again): only the other two get theirs.
    assert reminders.send_chunk(kind="morning", day=THURSDAY, user_ids=ids, owner="task-1") == 2
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(p.email for p in people)


# --- Each person's own hours and channel --------------------------------------------------


def test_each_person_gets_the_morning_reminder_at_their_own_hour(world):
    world["auckland"].delete()  # their Thursday evening: long past any morning hour
    world["berlin"].morning_hour = 11
    world["berlin"].save(update_fields=["morning_hour"])
    world["new_york"].morning_hour = 7
    world["new_york"].save(update_fields=["morning_hour"])
    at_ten_berlin = dt.datetime(2026, 12, 3, 9, 5, tzinfo=dt.UTC)  # 10:05 Berlin, 04:05 New York
    assert emails("morning", at_ten_berlin) == {}
    # 12:05 UTC: 13:05 in Berlin (past 11) and 07:05 in New York (their 7 o'clock).
    assert emails("morning", NOON_UTC) == {THURSDAY: ["berlin@example.com", "new_york@example.com"]}


def test_each_person_gets_the_nudge_at_their_own_hour(world):
    world["berlin"].nudge_hour = 17
    world["berlin"].save(update_fields=["nudge_hour"])
    at_four_berlin = dt.datetime(2026, 12, 3, 15, 5, tzinfo=dt.UTC)  # 16:05 Berlin
    assert emails("nudge", at_four_berlin) == {}
    assert emails("nudge", at_four_berlin + dt.timedelta(hours=1)) == {THURSDAY: ["berlin@example.com"]}


def test_an_hour_outside_bounds_the_organisation_narrowed_counts_as_the_nearest_bound(world, settings):
    world["auckland"].delete()
    world["berlin"].morning_hour = 11
    world["berlin"].save(update_fields=["morning_hour"])
    settings.REMINDER_MORNING_HOURS = (7, 10)
    assert emails("morning", dt.datetime(2026, 12, 3, 9, 5, tzinfo=dt.UTC)) == {THURSDAY: ["berlin@example.com"]}


def test_email_reminders_go_to_those_who_chose_email_or_both(world, settings):
    settings.SLACK_ENABLED = True
    world["berlin"].reminders_via = "slack"
    world["berlin"].save(update_fields=["reminders_via"])
    assert emails("morning", NOON_UTC) == {}
    world["berlin"].reminders_via = "both"
    world["berlin"].save(update_fields=["reminders_via"])
    assert emails("morning", NOON_UTC) == {THURSDAY: ["berlin@example.com"]}
    # The digest is an email for everyone who wants it, whatever carries their reminders.
    world["berlin"].reminders_via = "slack"
    world["berlin"].save(update_fields=["reminders_via"])
    assert "berlin@example.com" in str(emails("digest", dt.datetime(2026, 12, 4, 9, 5, tzinfo=dt.UTC)))
    # Without the Slack app, everyone's reminders come by email.
    settings.SLACK_ENABLED = False
    assert emails("morning", NOON_UTC) == {THURSDAY: ["berlin@example.com"]}


def test_personal_hours_keep_due_per_time_zone(team, django_assert_max_num_queries):
    for i in range(30):
        UserFactory(email=f"own{i}@example.com", timezone="Europe/Berlin", morning_hour=7 + i % 5)
    with django_assert_max_num_queries(3):
        due = reminders.due("morning", at=dt.datetime(2026, 12, 3, 8, 5, tzinfo=dt.UTC))  # 09:05 Berlin
    assert len(due[THURSDAY]) == 18  # those at 7, 8 and 9 o'clock
