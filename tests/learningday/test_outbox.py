"""The outbox: each (channel, kind, key, recipient) row is claimed by one task, sent once,
and what failed is kept and retried; the admin lists it all, read-only, to staff."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from learningday import outbox
from learningday.models import OutboxMessage
from tests.concurrency import at_once
from tests.conftest import require
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MORNING = outbox.Message(kind=outbox.Kind.MORNING, key="2026-12-03")


@pytest.fixture
def people(db):
    return [UserFactory(email=f"p{i:02d}@example.com").pk for i in range(20)]


def test_a_second_task_gets_only_the_rows_the_first_does_not_hold(people):
    first = outbox.claim(message=MORNING, owner="task-1", user_ids=people[:12])
    second = outbox.claim(message=MORNING, owner="task-2", user_ids=people[8:])
    assert first == people[:12]
    assert second == people[12:]
    # The same task, retried or delivered again, takes its own claims back.
    assert outbox.claim(message=MORNING, owner="task-1", user_ids=people) == people[:12]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_rows_at_once_get_disjoint_sets(people):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent claims)")
    for round_ in range(5):
        message = outbox.Message(kind=outbox.Kind.MORNING, key=f"round-{round_}")
        # Overlapping, in different orders: the claim sorts them, so no deadlock either.
        batches = [people[:15], list(reversed(people[5:]))]
        got = at_once(2, lambda n, m=message, b=batches: outbox.claim(message=m, owner=f"worker-{n}", user_ids=b[n]))
        assert not set(got[0]) & set(got[1])
        assert sorted(got[0] + got[1]) == people
    assert OutboxMessage.objects.count() == 5 * len(people)


def test_a_sent_row_is_never_claimed_again_by_anyone(people):
    mine = outbox.claim(message=MORNING, owner="task-1", user_ids=people[:3])
    assert outbox.mark_sent(message=MORNING, owner="task-1", user_ids=mine) == 3
    assert outbox.claim(message=MORNING, owner="task-1", user_ids=people[:3]) == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert outbox.claim(message=MORNING, owner="task-2", user_ids=people[:3]) == []
    assert outbox.mark_sent(message=MORNING, owner="task-1", user_ids=mine) == 0  # stamped once
    row = OutboxMessage.objects.get(user_id=people[0])
    assert (row.state, row.attempts) == ("sent", 1)


def test_a_failure_records_the_error_and_the_tasks_retry_takes_the_row_back(people):
    [pk] = outbox.claim(message=MORNING, owner="task-1", user_ids=people[:1])
    outbox.mark_failed(message=MORNING, owner="task-1", user_ids=[pk], error="SMTPServerDisconnected: gone")
    row = OutboxMessage.objects.get()
    assert (row.state, row.attempts, row.last_error) == ("retrying", 1, "SMTPServerDisconnected: gone")
    assert outbox.claim(message=MORNING, owner="task-2", user_ids=[pk]) == []  # still the task's
    assert outbox.claim(message=MORNING, owner="task-1", user_ids=[pk]) == [pk]
    outbox.mark_sent(message=MORNING, owner="task-1", user_ids=[pk])
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)


def test_a_claim_of_a_task_that_is_gone_is_taken_over_after_the_lease(people):
    outbox.claim(message=MORNING, owner="killed", user_ids=people[:2])
    assert outbox.claim(message=MORNING, owner="task-2", user_ids=people[:2]) == []
    with time_machine.travel(timezone.now() + outbox.CLAIM_LEASE + dt.timedelta(minutes=1)):
        assert outbox.claim(message=MORNING, owner="task-2", user_ids=people[:2]) == people[:2]


def test_a_message_given_up_or_skipped_is_not_sent_later(people):
    outbox.claim(message=MORNING, owner="task-1", user_ids=people[:2])
    outbox.mark_failed(message=MORNING, owner="task-1", user_ids=people[:1], error="refused", give_up=True)
    outbox.mark_skipped(message=MORNING, owner="task-1", user_ids=people[1:2])
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert outbox.claim(message=MORNING, owner="task-2", user_ids=people[:2]) == []
    assert {r.user_id: r.state for r in OutboxMessage.objects.all()} == {people[0]: "failed", people[1]: "skipped"}


def test_the_same_key_of_another_kind_or_channel_is_another_message(people, team):
    slack = outbox.Message(kind=outbox.Kind.MORNING, key="2026-12-03", channel=outbox.Channel.SLACK_WEBHOOK)
    nudge = outbox.Message(kind=outbox.Kind.NUDGE, key="2026-12-03")
    for message in (MORNING, slack, nudge):
        assert outbox.claim(message=message, owner=f"t-{message.kind}-{message.channel}", user_ids=people[:1])
    assert outbox.claim(message=MORNING, owner="teams", team_ids=[team.pk]) == [team.pk]
    with pytest.raises(ValueError):
        outbox.claim(message=MORNING, owner="x", user_ids=people[:1], team_ids=[team.pk])


class FailsOnce(EmailBackend):
    failures_left = 0

    def send_messages(self, messages):
        if FailsOnce.failures_left:
            FailsOnce.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("the relay hung up")
        return super().send_messages(messages)


def test_a_claim_notice_that_fails_is_retried_and_sent_once_with_its_error_kept(settings, member, manager):
    from reimbursements.models import ClaimEvent
    from reimbursements.tasks import notify_claim
    from tests.factories import ClaimFactory

    claim = ClaimFactory(claimant=member, state="submitted")
    event = ClaimEvent.objects.create(claim=claim, actor=member, from_state="draft", to_state="submitted")
    settings.EMAIL_BACKEND = "tests.learningday.test_outbox.FailsOnce"
    FailsOnce.failures_left = 1
    # In process, Celery runs the retry at once; on a worker it waits up to 2 s first.
    notify_claim.apply(args=[event.pk], task_id="notice-1")
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    row = OutboxMessage.objects.get(kind="claim_notice")
    assert (row.user_id, row.state, row.attempts) == (manager.pk, "sent", 2)
    assert row.last_error == "SMTPServerDisconnected: the relay hung up"
    assert notify_claim.apply(args=[event.pk], task_id="notice-2").get() == 0
    assert len(mail.outbox) == 1


def test_every_sending_task_uses_the_one_retry_policy():
    from logs import tasks as logs_tasks
    from reimbursements import tasks as claim_tasks

    senders = [
        logs_tasks.send_reminder_batch,
        logs_tasks.post_entry_to_slack,
        logs_tasks.post_team_digest,
        claim_tasks.notify_claim,
    ]
    for task in senders:
        assert {option: getattr(task, option) for option in outbox.RETRY} == outbox.RETRY, task.name


# --- The admin list -------------------------------------------------------------------------

LIST = "/admin/learningday/outboxmessage/"


@pytest.fixture
def sent_and_failed(member, manager, team):
    outbox.claim(message=MORNING, owner="t", user_ids=[member.pk, manager.pk])
    outbox.mark_sent(message=MORNING, owner="t", user_ids=[member.pk])
    outbox.mark_failed(message=MORNING, owner="t", user_ids=[manager.pk], error="SMTPDataError: 554 rejected")
    digest = outbox.Message(kind=outbox.Kind.CHANNEL_DIGEST, key="2026-12-03", channel=outbox.Channel.SLACK_WEBHOOK)
    outbox.claim(message=digest, owner="d", team_ids=[team.pk])
    outbox.mark_failed(message=digest, owner="d", team_ids=[team.pk], error="Slack refused: 404", give_up=True)


def rows(response) -> list[tuple[str, str]]:
    return sorted((str(r.user or r.team), r.state) for r in response.context["cl"].result_list)


def test_staff_see_what_was_sent_to_whom_and_what_failed(client, staff_user, sent_and_failed):
    client.force_login(staff_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [("Maja Manager", "retrying"), ("Robotics", "failed"), ("Tom Member", "sent")]
    page = response.content.decode()
    assert "SMTPDataError: 554 rejected" in page
    assert "Slack refused: 404" in page
    assert rows(client.get(LIST, {"state": "sent"})) == [("Tom Member", "sent")]
    assert rows(client.get(LIST, {"state": "failed"})) == [("Robotics", "failed")]
    assert rows(client.get(LIST, {"kind__exact": "channel_digest"})) == [("Robotics", "failed")]
    assert rows(client.get(LIST, {"q": "manager@"})) == [("Maja Manager", "retrying")]
    assert rows(client.get(LIST, {"q": "robotics"})) == [("Robotics", "failed")]


def test_the_admin_list_is_read_only(client, staff_user, sent_and_failed):
    client.force_login(staff_user)
    row = OutboxMessage.objects.get(user__email="member@example.com")
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{LIST}{row.pk}/change/", {"last_error": "edited", "key": "x"})
    row.refresh_from_db()
    assert (row.key, row.last_error) == ("2026-12-03", "")


def test_staff_with_the_view_permission_only_see_the_list(client, sent_and_failed):
    clerk = UserFactory(email="clerk@example.com", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(clerk)
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "member", "staff without the permission"])
def test_others_cannot_see_the_outbox(client, member, who, sent_and_failed):
    if who == "member":
        client.force_login(member)
    elif who != "anonymous":
        client.force_login(UserFactory(email="helper@example.com", is_staff=True))
    response = client.get(LIST)
    if who == "staff without the permission":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert "/login/?next=/admin/learningday/outboxmessage/" in response["Location"]


def test_send_each_stamps_every_recipient_by_what_happened_and_raises_what_may_pass(people):
    sent_to, refused, busy, not_needed = [], people[1], people[2], people[3]

    def send(user_id: int) -> bool:
        if user_id == refused:
            raise outbox.Refused("channel_not_found")
        if user_id == busy:
            raise outbox.TryAgain("ratelimited")
        if user_id == not_needed:
            return False
        sent_to.append(user_id)
        return True

    with pytest.raises(outbox.TryAgain):
        outbox.send_each(message=MORNING, owner="task-1", send=send, user_ids=people[:5])

    rows = {row.user_id: row for row in OutboxMessage.objects.all()}
    assert sent_to == [people[0], people[4]]  # the others still went after the failures
    assert rows[people[0]].state == OutboxMessage.State.SENT
    assert rows[refused].state == OutboxMessage.State.FAILED
    assert rows[busy].state == OutboxMessage.State.RETRYING
    assert rows[not_needed].state == OutboxMessage.State.SKIPPED
    # The task's retry takes back only the row that may still go.
    again: list[int] = []

    def now_free(user_id: int) -> bool:
        again.append(user_id)
        return True

    assert outbox.send_each(message=MORNING, owner="task-1", send=now_free, user_ids=people[:5]) == 1
    assert again == [busy]
