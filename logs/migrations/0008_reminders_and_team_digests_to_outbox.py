"""Copy the reminder and Slack digest rows into the outbox (learningday.OutboxMessage), so
that nothing sent before the deploy goes out again after it. 0009 drops the old tables."""

import datetime as dt

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    Reminder = apps.get_model("logs", "Reminder")
    TeamDigest = apps.get_model("logs", "TeamDigest")
    OutboxMessage = apps.get_model("learningday", "OutboxMessage")
    reminders = (
        OutboxMessage(
            channel="email",
            kind=r.kind,
            key=r.day.isoformat(),
            user_id=r.user_id,
            created_at=r.claimed_at or r.sent_at or r.day_start,
            claimed_by=r.claimed_by,
            claimed_at=r.claimed_at,
            sent_at=r.sent_at,
            attempts=1 if r.sent_at else 0,
        )
        for r in _with_day_start(Reminder.objects.order_by("pk").iterator(chunk_size=BATCH))
    )
    # A digest posted keeps its stamp. One that was not (refused, or its task in flight) is
    # left free: a dispatcher of that same morning, or the task in flight, may post it, once.
    digests = (
        OutboxMessage(
            channel="slack_webhook",
            kind="channel_digest",
            key=d.day.isoformat(),
            team_id=d.team_id,
            created_at=d.posted_at or d.day_start,
            sent_at=d.posted_at,
            attempts=1 if d.posted_at else 0,
        )
        for d in _with_day_start(TeamDigest.objects.order_by("pk").iterator(chunk_size=BATCH))
    )
    for rows in (reminders, digests):
        _insert_in_batches(OutboxMessage, rows)


def backward(apps, schema_editor):
    Reminder = apps.get_model("logs", "Reminder")
    TeamDigest = apps.get_model("logs", "TeamDigest")
    OutboxMessage = apps.get_model("learningday", "OutboxMessage")
    emails = OutboxMessage.objects.filter(channel="email", kind__in=["morning", "nudge", "digest"])
    _insert_in_batches(
        Reminder,
        (
            Reminder(
                user_id=m.user_id,
                day=dt.date.fromisoformat(m.key),
                kind=m.kind,
                claimed_by=m.claimed_by,
                claimed_at=m.claimed_at,
                sent_at=m.sent_at or m.given_up_at,
            )
            for m in emails.iterator(chunk_size=BATCH)
        ),
    )
    digests = OutboxMessage.objects.filter(channel="slack_webhook", kind="channel_digest")
    _insert_in_batches(
        TeamDigest,
        (
            TeamDigest(team_id=m.team_id, day=dt.date.fromisoformat(m.key), posted_at=m.sent_at)
            for m in digests.iterator(chunk_size=BATCH)
        ),
    )


def _insert_in_batches(model, rows):
    """A year of reminders is a million rows or more: never all of them in memory."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    model.objects.bulk_create(batch, ignore_conflicts=True)


def _with_day_start(rows):
    """Each row with its day's midnight (UTC): a created_at for rows that have no time."""
    for row in rows:
        row.day_start = dt.datetime.combine(row.day, dt.time(), tzinfo=dt.UTC)
        yield row


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0007_entry_search_vector"),
        ("learningday", "0005_outbox"),
    ]

    operations = [migrations.RunPython(forward, backward)]
