"""The deploy that brings the outbox copies what the old tables knew was sent, so that
nothing goes out twice across it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.migrating import migrate

BEFORE = [
    ("learningday", "0005_outbox"),
    ("logs", "0007_entry_search_vector"),
    ("reimbursements", "0003_claim_finance_order"),
]
AFTER = None  # every app at its latest migration, as after any deploy since


@pytest.mark.django_db(transaction=True)
def test_rows_sent_before_the_deploy_are_not_sent_again_after_it():
    from learningday import outbox

    old = migrate(BEFORE)
    try:
        User, Team = old.get_model("learningday", "User"), old.get_model("learningday", "Team")
        ann = User.objects.create(email="ann@example.com", timezone="Europe/Berlin")
        bob = User.objects.create(email="bob@example.com", timezone="Europe/Berlin")
        team = Team.objects.create(name="Robotics", slug="robotics")
        day, sent = dt.date(2026, 12, 3), dt.datetime(2026, 12, 3, 8, 5, tzinfo=dt.UTC)
        Reminder = old.get_model("logs", "Reminder")
        Reminder.objects.create(user=ann, day=day, kind="morning", claimed_by="t1", claimed_at=sent, sent_at=sent)
        # Claimed a moment ago by a task that may still be sending it.
        Reminder.objects.create(user=bob, day=day, kind="morning", claimed_by="t1", claimed_at=timezone.now())
        old.get_model("logs", "TeamDigest").objects.create(team=team, day=day, posted_at=sent)
        Claim = old.get_model("reimbursements", "Claim")
        claim = Claim.objects.create(
            claimant=ann, kind="book", description="A book", amount="10.00", currency="EUR", purchase_date=day
        )
        event = old.get_model("reimbursements", "ClaimEvent").objects.create(
            claim=claim, actor=ann, from_state="draft", to_state="submitted"
        )
        old.get_model("reimbursements", "ClaimNotice").objects.create(
            event=event, email="BOB@example.com", claimed_by="n1", sent_at=sent
        )
    finally:
        migrate(AFTER)

    morning = outbox.Message(kind="morning", key="2026-12-03")
    # Ann's reminder went out; Bob's was claimed by a task that may still be sending it.
    assert outbox.claim(message=morning, owner="after-deploy", user_ids=[ann.pk, bob.pk]) == []
    assert outbox.claim(message=morning, owner="t1", user_ids=[ann.pk, bob.pk]) == [bob.pk]
    digest = outbox.Message(kind="channel_digest", key="2026-12-03", channel="slack_webhook")
    assert outbox.claim(message=digest, owner="after-deploy", team_ids=[team.pk]) == []
    notice = outbox.Message(kind="claim_notice", key=f"event:{event.pk}")
    assert outbox.claim(message=notice, owner="after-deploy", user_ids=[bob.pk]) == []
    assert "logs_reminder" not in connection.introspection.table_names()
    assert "reimbursements_claimnotice" not in connection.introspection.table_names()
