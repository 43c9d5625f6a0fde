"""State changes every app shares."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from learningday.models import FormSubmission, User, validate_timezone

Created = TypeVar("Created", bound=models.Model)

ALREADY_SAVED = "This was already saved: here it is."


class LearningDayError(Exception):
    """A change to a person that cannot be done; the message is fit to show them.

    ``field`` names the form field it concerns, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


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


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    display_name: str
    timezone: str
    remind_morning: bool = True
    remind_nudge: bool = True
    receive_digest: bool = True
    # None: left as it is (the choice is not offered without Slack).
    reminders_via: str | None = None
    # A local hour, or None for the organisation's default.
    morning_hour: int | None = None
    nudge_hour: int | None = None


def profile_update(*, user: User, data: ProfileData, slack: bool = False) -> User:
    """A person changes their own name, time zone, and which reminders they get, how and when.

    ``slack``: whether Slack can carry their reminders (the Slack app is on and they have
    connected their Slack user); only then may they choose it. The hours must lie within
    the organisation's bounds (REMINDER_MORNING_HOURS, REMINDER_AFTERNOON_HOURS).
    Their email address is not here: it changes only through allauth's verified flow."""
    try:
        validate_timezone(data.timezone)
    except ValidationError as error:
        raise LearningDayError(error.messages[0], field="timezone") from None
    changes = {**asdict(data), "display_name": data.display_name.strip()}
    longest = User._meta.get_field("display_name").max_length
    if len(changes["display_name"]) > longest:
        raise LearningDayError(f"Keep the name to {longest} characters.", field="display_name")
    if data.reminders_via is None:
        del changes["reminders_via"]
    elif data.reminders_via not in User.ReminderVia.values:
        raise LearningDayError("Pick email, Slack, or both.", field="reminders_via")
    elif data.reminders_via != User.ReminderVia.EMAIL and not slack:
        raise LearningDayError(
            "Reminders can come by Slack once your Slack user is connected (below).", field="reminders_via"
        )
    _check_hour("morning_hour", data.morning_hour, settings.REMINDER_MORNING_HOURS, "morning reminder")
    _check_hour("nudge_hour", data.nudge_hour, settings.REMINDER_AFTERNOON_HOURS, "afternoon nudge")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
    for name, value in changes.items():  # the caller's copy (often request.user) shows the change too
        setattr(user, name, value)
    return user


def _check_hour(field: str, hour: int | None, bounds: tuple[int, int], what: str) -> None:
    first, last = bounds
    if hour is not None and not first <= hour <= last:
        raise LearningDayError(f"The {what} can come from {first:02d}:00 to {last:02d}:00.", field=field)
