"""Receipts as private objects in an S3-compatible bucket, when RECEIPTS_S3_BUCKET is set.

A module of its own so that only deployments that use it import boto3 (a quarter of a
second at every process start)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from reimbursements.storage import NO_URL


class S3ReceiptStorage(S3Storage):
    """The receipt view reads objects through open() with the app's own credentials and
    serves them after checking who asks: there is no URL, signed or not, for a browser."""

    def __init__(self, **options):
        super().__init__(**options)
        for acl in (self.default_acl, self.object_parameters.get("ACL")):
            if acl not in {None, "private"}:
                raise ImproperlyConfigured(f"Receipts must stay private: ACL {acl!r} is not allowed.")

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)
