"""Calendar quarters, named as people write them ("2026-Q4").

Pure functions, like ``learningday.calendar``: a person's quarter is the quarter of their
local date, so at the same instant it can be 2027-Q1 in Auckland and 2026-Q4 in Los Angeles.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The last local midnight on Earth comes at 12:00 UTC (Etc/GMT+12, twelve hours behind UTC): only then has a
# quarter ended in every time zone a person may pick.
LAST_MIDNIGHT_UTC = dt.timedelta(hours=12)
_LABEL = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"A year has quarters 1 to 4, not {self.number}.")

    def __str__(self) -> str:
        return self.label

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter ``day`` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """A quarter from its label ("2026-Q4"); ValueError for anything else."""
        match = _LABEL.match(str(label).strip())
        if match is None:
            raise ValueError(f"“{label}” is not a quarter such as 2026-Q4.")
        return cls(int(match[1]), int(match[2]))

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def ended_everywhere_at(self) -> dt.datetime:
        """The instant the quarter has ended in every time zone (its last local midnight)."""
        return dt.datetime.combine(self.next().first_day, dt.time(), tzinfo=dt.UTC) + LAST_MIDNIGHT_UTC

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day
