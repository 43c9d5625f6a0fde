"""Reminders through Redis and a real Celery worker: each email once, whatever happens."""

import datetime as dt
import smtplib
import threading

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from learningday.models import OutboxMessage
from logs import reminders
from logs.tasks import dispatch_reminders
from tests.conftest import require
from tests.factories import MembershipFactory, UserFactory

THURSDAY = dt.date(2026, 12, 3)
AT = "2026-12-03T12:05:00+00:00"  # 13:05 in Berlin


@pytest.fixture
def crowd(team):
    people = []
    for i in range(12):
        person = UserFactory(email=f"p{i:02d}@example.com", timezone="Europe/Berlin")
        MembershipFactory(user=person, team=team)
        people.append(person)
    return people


@pytest.fixture
def worker_settings(settings, redis_url, real_worker):
    # The batches keep their progress in Redis when tasks do not run in process.
    settings.REDIS_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REMINDER_CHUNK_SIZE = 5
    return settings


class Finished:
    """Counts the batch tasks the worker has finished (successfully)."""

    def __init__(self):
        self.count, self.event, self.expected = 0, threading.Event(), 0

    def __call__(self, sender=None, state=None, **kwargs):
        if sender is not None and sender.name == "logs.tasks.send_reminder_batch" and state == "SUCCESS":
            self.count += 1
            if self.count >= self.expected:
                self.event.set()

    def wait_for(self, batches: int) -> bool:
        self.expected = batches
        if self.count >= batches:
            return True
        return self.event.wait(timeout=30)


@pytest.fixture
def finished():
    watcher = Finished()
    task_postrun.connect(watcher, weak=False)
    yield watcher
    task_postrun.disconnect(watcher)


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_sends_each_due_reminder_once(worker_settings, crowd, finished):
    dispatch_reminders.delay(AT)
    assert finished.wait_for(3), "the worker did not finish the three batches of 5, 5 and 2"
    assert sent_to() == sorted(p.email for p in crowd)
    assert OutboxMessage.objects.filter(key=THURSDAY.isoformat(), kind="morning", sent_at__isnull=False).count() == 12


@pytest.mark.django_db(transaction=True)
def test_the_same_dispatch_twice_still_sends_once(worker_settings, crowd, finished):
    dispatch_reminders.delay(AT)
    dispatch_reminders.delay(AT)
    # The second dispatcher finds the first one's batches claimed and queues nothing.
    assert finished.wait_for(3), "the worker did not finish the first dispatch's batches"
    assert sent_to() == sorted(p.email for p in crowd)


class DiesHalfway(EmailBackend):
    """Sends three emails, then loses the SMTP connection once, as a crash mid-batch would."""

    failures_left = 1
    sent = 0

    def send_messages(self, messages):
        if DiesHalfway.failures_left and DiesHalfway.sent >= 3:
            DiesHalfway.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("connection lost halfway through the batch")
        DiesHalfway.sent += len(messages)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_dies_halfway_is_retried_without_duplicates(worker_settings, crowd, finished):
    worker_settings.EMAIL_BACKEND = "tests.logs.test_reminders_worker.DiesHalfway"
    worker_settings.REMINDER_CHUNK_SIZE = 12
    DiesHalfway.failures_left, DiesHalfway.sent = 1, 0
    dispatch_reminders.delay(AT)
    assert finished.wait_for(1), "the batch was not retried to completion"
    assert DiesHalfway.failures_left == 0  # it did die once
    assert sent_to() == sorted(p.email for p in crowd)  # everyone, nobody twice


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_for_the_same_people_send_once(crowd):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent claims)")
    ids = [p.pk for p in crowd]
    counts = {}
    start = threading.Barrier(2)

    def run(owner):
        from django.db import connections

        try:
            start.wait(timeout=10)
            counts[owner] = reminders.send_chunk(kind="morning", day=THURSDAY, user_ids=ids, owner=owner)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts.values()) == 12
    assert sent_to() == sorted(p.email for p in crowd)
