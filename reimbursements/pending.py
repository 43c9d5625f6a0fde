"""Receipts kept for their owner while a claim form is corrected: kept, removed, cleaned.

A receipt attached to a claim form that comes back with errors has passed every check of
``receipts.py`` already; it is stored as a ``PendingReceipt`` of its owner and shown on the
form again, so nobody attaches it twice. Saving the claim makes it the claim's receipt
(``services.receipts_attach_pending``). These state changes sit apart from services.py
because the cleaning task calls them, and services.py imports the tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learningday import calendar
from learningday.models import User
from reimbursements.models import PendingReceipt
from reimbursements.receipts import ProcessedReceipt
from reimbursements.storage import save_with_files

log = logging.getLogger(__name__)

# How long a pending receipt is kept for a form that is never sent again.
LIFETIME = dt.timedelta(days=1)


def pending_receipt_keep(*, user: User, processed: ProcessedReceipt) -> PendingReceipt:
    """Keep a checked receipt for its owner, whose claim form came back with errors or who
    asked for it to be read. Whoever keeps it queues ``tasks.read_pending_receipt`` (this
    module is below the tasks)."""
    pending = PendingReceipt(owner=user)
    if not settings.RECEIPT_READING:
        pending.reading = PendingReceipt.Reading.UNREADABLE
    save_with_files(pending, processed)
    return pending


def pending_receipt_read(*, pending_id: int) -> PendingReceipt | None:
    """Read a kept receipt once and store what it proposes; None if it is gone or was read.

    A receipt that cannot be read is marked so, and the form stays as the person left it:
    no error reaches them. Reading takes seconds, so no row is locked meanwhile; the result
    is written only if nobody wrote one first."""
    from reimbursements import receipt_ocr  # loads numpy and OpenCV: only where receipts are read

    row = PendingReceipt.objects.select_related("owner").filter(pk=pending_id).first()
    if row is None or row.reading != PendingReceipt.Reading.WAITING:
        return None
    proposal = None
    try:
        with row.file.open("rb") as stored:
            data = stored.read()
        proposal = receipt_ocr.read_receipt(
            data=data,
            content_type=row.content_type,
            home_currency=settings.HOME_CURRENCY,
            today=calendar.user_today(row.owner),
        )
    except Exception:  # any failure of a decoder or the OCR engine: nothing is proposed
        log.warning("pending receipt %s could not be read", pending_id, exc_info=True)
    if proposal is None or proposal.is_empty:
        row.reading, row.proposal = PendingReceipt.Reading.UNREADABLE, None
    else:
        row.reading, row.proposal = PendingReceipt.Reading.READ, proposal.as_json()
    PendingReceipt.objects.filter(pk=row.pk, reading=PendingReceipt.Reading.WAITING).update(
        reading=row.reading, proposal=row.proposal
    )
    return row


def _delete(rows: Sequence[PendingReceipt]) -> None:
    """Delete pending rows (locked by the caller) and, once that commits, their files."""
    if not rows:
        return
    storage = rows[0].file.storage
    names = [name for row in rows for name in (row.file.name, row.thumbnail.name) if name]
    PendingReceipt.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def pending_receipts_remove(*, user: User, pending: Sequence[PendingReceipt]) -> int:
    """The owner takes receipts off their claim form; anyone else's are left alone. Returns how many went."""
    if not pending:
        return 0
    with transaction.atomic():
        mine = PendingReceipt.objects.filter(owner_id=user.pk, pk__in=[p.pk for p in pending])
        rows = list(mine.select_for_update())
        _delete(rows)
    return len(rows)


def pending_receipts_clean(*, batch: int = 500) -> int:
    """Delete the pending receipts older than LIFETIME and their files; returns how many.

    Rows that a claim is being saved with at this moment are locked by that save and
    skipped: it attaches them, or a later run deletes them."""
    cutoff = timezone.now() - LIFETIME
    deleted = 0
    while True:
        with transaction.atomic():
            old = PendingReceipt.objects.filter(created_at__lt=cutoff).order_by("pk")
            rows = list(old.select_for_update(skip_locked=True)[:batch])
            _delete(rows)
        deleted += len(rows)
        if len(rows) < batch:
            return deleted
