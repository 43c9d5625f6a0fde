"""Which local dates are Learning Days.

Pure functions: they read the organisation's weekday from settings only as a default
and never the clock unless no instant is given. "Today" is always a person's local
date, so the same UTC instant can be Thursday in Auckland and Wednesday in Los Angeles.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.utils import dateformat, timezone


def _weekday(weekday: int | None) -> int:
    return settings.LEARNING_DAY_WEEKDAY if weekday is None else weekday


def local_date(tz: zoneinfo.ZoneInfo | str, *, at: dt.datetime | None = None) -> dt.date:
    """The calendar date in ``tz`` at the instant ``at`` (now by default)."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    instant = at or timezone.now()
    if timezone.is_naive(instant):
        raise ValueError("local_date needs an aware datetime")
    return instant.astimezone(tz).date()


def user_today(user, *, at: dt.datetime | None = None) -> dt.date:
    """The person's local date: their 'today'."""
    return local_date(user.tzinfo, at=at)


def is_learning_day(day: dt.date, *, weekday: int | None = None) -> bool:
    return day.weekday() == _weekday(weekday)


def next_learning_day(day: dt.date, *, weekday: int | None = None, inclusive: bool = True) -> dt.date:
    """The first Learning Day on or after ``day`` (strictly after when not inclusive)."""
    start = day if inclusive else day + dt.timedelta(days=1)
    return start + dt.timedelta(days=(_weekday(weekday) - start.weekday()) % 7)


def previous_learning_day(day: dt.date, *, weekday: int | None = None, inclusive: bool = True) -> dt.date:
    """The last Learning Day on or before ``day`` (strictly before when not inclusive)."""
    start = day if inclusive else day - dt.timedelta(days=1)
    return start - dt.timedelta(days=(start.weekday() - _weekday(weekday)) % 7)


def learning_days_between(start: dt.date, end: dt.date, *, weekday: int | None = None) -> Iterator[dt.date]:
    """Every Learning Day from ``start`` to ``end``, both included, oldest first."""
    day = next_learning_day(start, weekday=weekday)
    while day <= end:
        yield day
        day += dt.timedelta(days=7)


def day_name(day: dt.date, *, year: bool = False) -> str:
    """A date as people say it: "Thursday 3 December" (with the year when asked)."""
    return dateformat.format(day, "l j F Y" if year else "l j F")
