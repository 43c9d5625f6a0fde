"""The charts as a person reads them: the year's rows are calendar quarters and say so, a new
person's year starts where they joined, the budget's legend matches its bar, and the
participation chart starts at the left of its box."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from logs.charts import heatmap_rows, heatmap_svg
from logs.selectors import STATUS_LABELS, DayMark
from tests.factories import ClaimFactory

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def thursdays(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(weeks=i) for i in range(count)]


def marks(days, joined: dt.date | None = None) -> list[DayMark]:
    status = lambda day: "before" if joined and day < joined else "logged"  # noqa: E731
    return [DayMark(day, status(day), STATUS_LABELS[status(day)]) for day in days]


def labels(svg: str) -> list[str]:
    return re.findall(r'<text x="0" y="\d+" class="chart-label">([^<]*)</text>', svg)


def test_a_years_rows_are_calendar_quarters_labelled_with_their_months():
    year = marks(thursdays(dt.date(2025, 1, 23), 52))  # to Thursday 15 January 2026
    svg = str(heatmap_svg(year))
    assert labels(svg) == ["Jan–Mar 2025", "Apr–Jun 2025", "Jul–Sep 2025", "Oct–Dec 2025", "Jan–Mar 2026"]
    assert "Your Learning Days of the last year" in svg
    rows = dict(heatmap_rows(year))
    # Each row holds its quarter's days only, each in its week of the quarter.
    assert all(m.day.month in (1, 2, 3) and m.day.year == 2025 for _, m in rows["Jan–Mar 2025"])
    assert [col for col, _ in rows["Jan–Mar 2026"]] == [0, 1, 2]  # 1, 8 and 15 January
    assert {m.day.month for _, m in rows["Oct–Dec 2025"]} == {10, 11, 12}


def test_a_new_persons_year_starts_in_the_quarter_they_joined():
    joined = dt.date(2025, 11, 3)
    year = marks(thursdays(dt.date(2025, 1, 23), 52), joined=joined)
    svg = str(heatmap_svg(year))
    assert labels(svg) == ["Oct–Dec 2025", "Jan–Mar 2026"]
    assert "Your Learning Days since you joined" in svg
    # October's Thursdays before they joined are a dash (2 px high), not a box like a missed day.
    before = re.findall(r"<title>([^<]*): before you joined</title><rect [^>]*height=\"2\"", svg)
    assert before[0].startswith("Thursday 2 October 2025") and len(before) == 5


def test_the_dashboard_says_since_when_for_a_new_person(member_client, member, frozen):
    member.date_joined = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    member.save()
    page = member_client.get("/").content.decode()
    assert "Learning Days since you joined you logged 0" in page
    assert "In the last 52 Learning Days" not in page
    assert "Oct–Dec 2026" in page and ">Jan<" not in page


def test_the_budget_legend_says_striped_and_the_bar_is_striped(member_client, member, frozen):
    ClaimFactory(claimant=member, state="submitted", amount=Decimal("240.00"))
    page = member_client.get("/claims/").content.decode()
    assert "waiting (striped)" in page
    assert '<pattern id="budget-stripes"' in page
    assert re.search(
        r'<rect x="0%" y="0" width="24%" height="100%" class="budget-pending" fill="url\(#budget-stripes\)"/>', page
    )


def test_the_participation_chart_sits_at_the_left_of_its_box():
    css = STYLESHEET.read_text(encoding="utf-8")
    # The box is right-to-left so that a phone starts on the newest weeks; a chart narrower
    # than the box must still start at its left edge, not leave the left third empty.
    assert ".chart-wrap:has(> .participation-chart) { direction: rtl; }" in css
    assert re.search(r"\.chart-wrap > svg \{[^}]*margin-right: auto", css)


pytestmark = pytest.mark.django_db
