"""Claim emails travel through Redis to a real Celery worker, after the change commits."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from celery.signals import task_postrun
from django.core import mail

from reimbursements import services
from tests.factories import ClaimFactory


@pytest.mark.django_db(transaction=True)
def test_a_decision_emails_the_claimant_through_the_worker(real_worker, member, manager):
    claim = ClaimFactory(
        claimant=member,
        state="submitted",
        amount=Decimal("30.00"),
        submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    done = threading.Event()

    def finished(sender=None, args=None, **kwargs):
        if sender is not None and sender.name == "reimbursements.tasks.notify_claim":
            done.set()

    task_postrun.connect(finished, weak=False)
    try:
        services.claim_reject(user=manager, claim=claim, reason="Bought for a book club")
        assert done.wait(timeout=20), "the worker did not run the email task"
    finally:
        task_postrun.disconnect(finished)
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert "Bought for a book club" in mail.outbox[0].body
