"""The rules of growth, as pure functions: which fields a person picked up, and how much of
their learning lies outside their team's field.

Both /growth/ (one person, read live) and /impact/ (everyone, summarised by a task) use these,
so a person's page and the organisation's figures can never disagree on what counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from learningday.calendar import previous_learning_day

# A field is picked up when a topic has at least PICKUP_MIN_ENTRIES entries in the last
# PICKUP_RECENT Learning Days and none in the PICKUP_BEFORE Learning Days before them.
PICKUP_MIN_ENTRIES = 3
PICKUP_RECENT = 13
PICKUP_BEFORE = 26


@dataclass(frozen=True)
class Windows:
    """The days the pick-up rule looks at, as of ``today`` (a person's local date)."""

    before_start: dt.date  # the first Learning Day of the 26 before
    recent_start: dt.date  # the first of the last 13 Learning Days
    today: dt.date

    def is_recent(self, day: dt.date) -> bool:
        return self.recent_start <= day <= self.today

    def is_before(self, day: dt.date) -> bool:
        return self.before_start <= day < self.recent_start


def pickup_windows(today: dt.date, *, weekday: int | None = None) -> Windows:
    """The last 13 Learning Days up to ``today`` (today included when it is one), and the 26
    before them. An entry on another day counts in the window its day falls in."""
    last = previous_learning_day(today, weekday=weekday)
    recent_start = last - dt.timedelta(weeks=PICKUP_RECENT - 1)
    before_start = recent_start - dt.timedelta(weeks=PICKUP_BEFORE)
    return Windows(before_start=before_start, recent_start=recent_start, today=today)


def fields_picked_up(topic_days: Iterable[tuple[int, dt.date]], *, windows: Windows) -> set[int]:
    """The topics one person picked up: ``topic_days`` holds a (topic id, day) pair for each
    topic of each of their entries (one entry per day, so each pair counts once)."""
    recent: Counter[int] = Counter()
    before: set[int] = set()
    for topic_id, day in set(topic_days):
        if windows.is_recent(day):
            recent[topic_id] += 1
        elif windows.is_before(day):
            before.add(topic_id)
    return {topic_id for topic_id, count in recent.items() if count >= PICKUP_MIN_ENTRIES and topic_id not in before}


@dataclass(frozen=True)
class Share:
    """How many of the entries with a topic lie outside the home topics."""

    outside: int
    counted: int

    @property
    def percent(self) -> int:
        return round(100 * self.outside / self.counted) if self.counted else 0

    def __add__(self, other: Share) -> Share:
        return Share(self.outside + other.outside, self.counted + other.counted)


def is_outside(entry_topics: Iterable[int], home_topics: frozenset[int] | set[int]) -> bool | None:
    """Whether one entry is learning outside the field: it has topics and none is a home topic.
    None when it cannot be told: the entry has no topic, or there are no home topics."""
    topics = set(entry_topics)
    if not topics or not home_topics:
        return None
    return topics.isdisjoint(home_topics)


def outside_share(entries: Iterable[Iterable[int]], home_topics: frozenset[int] | set[int]) -> Share:
    """The share of entries (each given as its topic ids) outside ``home_topics``; entries
    without a topic are not counted, and without home topics nothing is."""
    outside = counted = 0
    for topics in entries:
        verdict = is_outside(topics, home_topics)
        if verdict is None:
            continue
        counted += 1
        outside += verdict
    return Share(outside, counted)
