"""Two reviewers deciding one claim at the same moment: exactly one decision wins."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from reimbursements import services
from reimbursements.models import Claim
from tests.concurrency import sessions_waiting_for_a_lock
from tests.conftest import require
from tests.factories import ClaimFactory, MembershipFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_decision_wins(member, manager, team):
    require(connection.vendor == "postgresql", "PostgreSQL (row locks)")
    second = UserFactory(email="second-manager@example.com")
    MembershipFactory(user=second, team=team, role="manager")
    claim = ClaimFactory(
        claimant=member,
        state="submitted",
        amount=Decimal("30.00"),
        submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    outcome: dict[str, object] = {}
    started = threading.Event()

    def reject_from_another_session():
        try:
            started.set()
            services.claim_reject(user=second, claim=Claim.objects.get(pk=claim.pk), reason="Not needed")
            outcome["reject"] = "done"
        except services.ClaimError as error:
            outcome["reject"] = str(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=reject_from_another_session)
    with transaction.atomic():
        # The first reviewer holds the row lock while deciding; the second one's
        # decision has to wait for it and then sees the claim already decided.
        services.claim_approve(user=manager, claim=claim)
        other.start()
        started.wait(timeout=10)
        blocked = sessions_waiting_for_a_lock()
    other.join(timeout=30)

    assert not other.is_alive()
    assert blocked, "the second reviewer should have waited for the first one's lock"
    assert outcome["reject"] == "This claim is approved: it cannot become rejected."
    claim.refresh_from_db()
    assert claim.state == "approved"
    assert list(claim.events.values_list("to_state", flat=True)) == ["approved"]


@pytest.mark.django_db(transaction=True)
def test_the_cleaner_leaves_a_pending_receipt_that_a_claim_is_being_filed_with(member, frozen):
    import threading as _threading

    from reimbursements import pending
    from reimbursements.models import PendingReceipt, Receipt
    from reimbursements.receipts import process_receipt
    from tests.conftest import NOW
    from tests.factories import jpeg_bytes

    require(connection.vendor == "postgresql", "PostgreSQL (row locks)")
    kept = pending.pending_receipt_keep(user=member, processed=process_receipt(data=jpeg_bytes(), filename="r.jpg"))
    claim = ClaimFactory(claimant=member, state="draft")
    frozen.move_to(NOW + dt.timedelta(hours=23, minutes=59, seconds=59))
    outcome: dict[str, object] = {}

    def clean_from_another_session():
        try:
            frozen.move_to(NOW + dt.timedelta(days=1, minutes=1))  # the form was sent at the last moment
            outcome["cleaned"] = pending.pending_receipts_clean()
        finally:
            connections.close_all()

    with transaction.atomic():
        # The claim holds the pending row's lock while it is filed; the cleaner does not wait for it.
        services.receipts_attach_pending(user=member, claim=claim, pending=[kept])
        other = _threading.Thread(target=clean_from_another_session)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive(), "the cleaner waited for the claim's lock"

    assert outcome["cleaned"] == 0
    receipt = Receipt.objects.get(claim=claim)
    assert receipt.file.name == kept.file.name and receipt.file.storage.exists(receipt.file.name)
    assert not PendingReceipt.objects.exists()
