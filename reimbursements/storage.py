"""Where receipts live: a private folder with no URL under MEDIA_ROOT/receipts (or, with
RECEIPTS_S3_BUCKET set, the bucket of ``reimbursements.s3storage``)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

NO_URL = "Receipts have no public URL: /claims/<id>/receipt/ serves them."


class ReceiptStorage(FileSystemStorage):
    """Files are only ever served by the receipt view, which checks who asks."""

    @cached_property
    def base_location(self):
        # Follows MEDIA_ROOT (FileSystemStorage clears this when the setting changes).
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "receipts"))

    def url(self, name):
        raise ValueError(NO_URL)
