"""A person's calendar as iCalendar (RFC 5545), written by the icalendar library.

Every event is an all-day event whose UID is made from what it is (the day, the holiday's or
the away period's id) and whose person it is for, never from the moment it is written: a
calendar app that fetches the feed again updates its events instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse

from learningday.models import User
from logs.selectors import CalendarDays

PRODID = "-//Learning Day//Calendar feed//EN"
# How often a calendar app should fetch the feed again (RFC 7986, and Outlook's own property).
REFRESH = dt.timedelta(hours=1)
ONE_DAY = dt.timedelta(days=1)


def _domain() -> str:
    """The right-hand side of every UID: the site's host name, so UIDs are unique to this site."""
    return urlsplit(settings.SITE_URL).hostname or "learningday"


def _event(*, uid: str, day: dt.date, until: dt.date, summary: str, description: str, url: str, busy: bool, stamp):
    """An all-day event from ``day`` to ``until``, both included (DTEND is the day after, RFC 5545)."""
    return icalendar.Event.new(
        uid=uid,
        start=day,
        end=until + ONE_DAY,
        summary=summary,
        description=description,
        url=url,
        stamp=stamp,
        transparency="OPAQUE" if busy else "TRANSPARENT",
    )


def feed(user: User, days: CalendarDays, *, stamp: dt.datetime) -> bytes:
    """The iCalendar text of ``user``'s calendar: ``days`` as events, ``stamp`` as each one's DTSTAMP."""
    domain = _domain()
    log_url = settings.SITE_URL + reverse("logs:new")
    away_url = settings.SITE_URL + reverse("logs:away")
    cal = icalendar.Calendar.new(
        prodid=PRODID,
        uid=f"calendar-u{user.pk}@{domain}",
        name="Learning Day",
        description=f"{user.display_name or user.email}: Learning Days, the organisation's holidays, your away days.",
        refresh_interval=REFRESH,
        calscale="GREGORIAN",
        method="PUBLISH",
    )
    cal.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    events = []
    for day in days.learning_days:
        events.append(
            _event(
                uid=f"learning-day-{day:%Y%m%d}-u{user.pk}@{domain}",
                day=day,
                until=day,
                summary="Learning Day",
                description=f"A day to learn something. Log what you learned: {log_url}",
                url=log_url,
                busy=False,
                stamp=stamp,
            )
        )
    for holiday in days.holidays:
        events.append(
            _event(
                uid=f"holiday-{holiday.pk}-u{user.pk}@{domain}",
                day=holiday.date,
                until=holiday.date,
                summary=f"Holiday: {holiday.name}",
                description="The organisation's holiday: no Learning Day, and nobody is reminded.",
                url=settings.SITE_URL + "/",
                busy=False,
                stamp=stamp,
            )
        )
    for period in days.away:
        events.append(
            _event(
                uid=f"away-{period.pk}@{domain}",
                day=period.start,
                until=period.end,
                summary=f"Away: {period.note}" if period.note else "Away",
                description="You are away: no reminders, and your streak does not break.",
                url=away_url,
                busy=True,
                stamp=stamp,
            )
        )
    events.sort(key=lambda event: (event.start, str(event.uid)))
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
