"""State changes every app shares."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

from learningday.models import FormSubmission, User

Created = TypeVar("Created", bound=models.Model)

ALREADY_SAVED = "This was already saved: here it is."


def create_once(*, user: User, token: uuid.UUID, create: Callable[[], Created]) -> tuple[Created, bool]:
    """Run ``create`` once per (user, token); a repeat, even a concurrent one, gets the first result and False."""
    with transaction.atomic():
        # The token's row goes in with what ``create`` makes: a concurrent repeat waits on the
        # unique index until this commits, then reads the result. If ``create`` raises, the row
        # goes too and the token can be used again.
        submission, fresh = FormSubmission.objects.get_or_create(user=user, token=token)
        if not fresh:
            # Locked, so that two repeats of a token whose result was deleted make one new one.
            submission = FormSubmission.objects.select_for_update().get(pk=submission.pk)
            if submission.result is not None:
                return submission.result, False
        result = create()
        submission.result = result
        submission.save(update_fields=["content_type", "object_id"])
    return result, True
