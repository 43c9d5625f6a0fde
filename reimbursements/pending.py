"""Receipts kept for their owner while a claim form is corrected: kept, removed, cleaned.

A receipt attached to a claim form that comes back with errors has passed every check of
``receipts.py`` already; it is stored as a ``PendingReceipt`` of its owner and shown on the
form again, so nobody attaches it twice. Saving the claim makes it the claim's receipt
(``services.receipts_attach_pending``). These state changes sit apart from services.py
because the cleaning task calls them, and services.py imports the tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from learningday.models import User
from reimbursements.models import PendingReceipt
from reimbursements.receipts import ProcessedReceipt
from reimbursements.storage import save_with_files

# How long a pending receipt is kept for a form that is never sent again.
LIFETIME = dt.timedelta(days=1)


def pending_receipt_keep(*, user: User, processed: ProcessedReceipt) -> PendingReceipt:
    """Keep a checked receipt for its owner, whose claim form came back with errors."""
    pending = PendingReceipt(owner=user)
    save_with_files(pending, processed)
    return pending


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
