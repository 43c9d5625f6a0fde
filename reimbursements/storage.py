"""Where receipts live: a private folder with no URL under MEDIA_ROOT/receipts (or, with
RECEIPTS_S3_BUCKET set, the bucket of ``reimbursements.s3storage``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

if TYPE_CHECKING:  # models.py loads this module (its storage) while it is being defined
    from reimbursements.models import PendingReceipt, Receipt
    from reimbursements.receipts import ProcessedReceipt

NO_URL = "Receipts have no public URL: /claims/<id>/receipt/ serves them."


class ReceiptStorage(FileSystemStorage):
    """Files are only ever served by the receipt view, which checks who asks."""

    @cached_property
    def base_location(self):
        # Follows MEDIA_ROOT (FileSystemStorage clears this when the setting changes).
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "receipts"))

    def url(self, name):
        raise ValueError(NO_URL)


def save_with_files(record: Receipt | PendingReceipt, processed: ProcessedReceipt) -> None:
    """Write a checked receipt and its thumbnail under random names, then the row that holds them."""
    record.content_type = processed.content_type
    record.original_name = processed.original_name[:200]
    record.size = processed.size
    record.sha256 = processed.sha256
    record.pages = processed.pages
    record.file.save(f"receipt{processed.extension}", ContentFile(processed.content), save=False)
    if processed.thumbnail:
        record.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
    try:
        record.save()
    except Exception:
        # Do not leave files behind for a row that was never written.
        record.file.delete(save=False)
        if record.thumbnail:
            record.thumbnail.delete(save=False)
        raise
