"""The organisation's impact: a manager narrows the team's home topics, a member's entry is
outside them, the nightly summary runs, and /impact/ shows it to the manager (their team
only) and to the leadership group (every team, with a filter), on a desktop and a phone.

Every page is also checked with axe and for console errors and CSP violations (see
conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LEARNING_DAY, PHONE, login
from tests.e2e.keyboard import assert_no_sideways_scroll

MANAGER = "manager@example.com"
LEADERSHIP = "leadership@example.com"
MEMBER = "member@example.com"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def _outside_cell(page: Page):
    table = page.get_by_role("table", name="Share of entries outside each team's home topics, over the year")
    return table.get_by_role("row", name="Robotics").get_by_role("cell").last


def test_the_impact_page_shows_learning_outside_the_field(checked_browser, demo_password):
    from growth.models import TeamDay
    from growth.summaries import impact_recompute
    from learningday import calendar
    from learningday.models import User
    from logs.models import Entry, EntryTopic
    from reading.models import Topic

    # The manager keeps only Robotics as the team's home topic (the flow of test_home_topics).
    page: Page = checked_browser.new_page()
    login(page, MANAGER, demo_password)
    page.goto("/logs/participation/")
    page.get_by_role("link", name="Home topics").click()
    topics = page.get_by_role("group", name="Home topics")
    topics.get_by_role("checkbox", name="Deep learning coding").uncheck()
    topics.get_by_role("checkbox", name="Deep learning reading").uncheck()
    expect(topics.get_by_role("checkbox", name="Robotics")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Home topics of Robotics: Robotics.")

    # The member's entry today is on maths: outside the field.
    member = User.objects.get(email=MEMBER)
    entry, _ = Entry.objects.update_or_create(
        author=member, day=calendar.user_today(member), defaults={"body": "Worked through measure theory."}
    )
    entry.topic_links.all().delete()
    EntryTopic.objects.create(entry=entry, topic=Topic.objects.get(slug="maths-and-statistics"))

    impact_recompute()  # what the nightly task runs
    rows = TeamDay.objects.filter(team__slug="robotics")
    counted, outside = sum(r.counted for r in rows), sum(r.outside for r in rows)
    assert outside >= 1
    share = f"{round(100 * outside / counted)}%"

    page.goto("/impact/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your teams' impact")
    expect(page.get_by_text("Figures as of")).to_be_visible()
    expect(_outside_cell(page)).to_have_text(share)
    expect(page.get_by_role("img", name="Share who posted, per Learning Day")).to_be_visible()
    expect(page.get_by_role("cell", name="Research")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="outside the field").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert f"Robotics,{counted},{outside},{share[:-1]}" in text

    # The leadership group sees every team, and may narrow the page to one.
    leader = checked_browser.new_page(viewport=PHONE)
    login(leader, LEADERSHIP, demo_password)
    leader.get_by_role("button", name="Menu").click()
    leader.get_by_role("link", name="Impact").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("The organisation's impact")
    expect(_outside_cell(leader)).to_have_text(share)
    outside_table = leader.get_by_role("table", name="Share of entries outside each team's home topics, over the year")
    for team in ("Applied", "Research", "Robotics"):
        expect(outside_table.get_by_role("rowheader", name=team)).to_be_visible()
    assert_no_sideways_scroll(leader)
    leader.get_by_label("Team", exact=True).select_option("robotics")
    leader.get_by_role("button", name="Show").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("The organisation's impact: Robotics")
    expect(outside_table.get_by_role("rowheader")).to_have_count(1)


def test_a_day_logged_in_the_browser_shows_on_growth_and_at_once_on_impact(checked_browser, demo_password):
    """The whole way, with no task run by hand: the manager narrows the home topics, the member
    logs the day with the topic the form suggests, and the save updates the team's week on
    /impact/ (the nightly run's figures, with this week redone) and shows on /growth/."""
    from growth.models import TeamDay

    manager: Page = checked_browser.new_page()
    login(manager, MANAGER, demo_password)
    manager.goto("/logs/participation/")
    manager.get_by_role("link", name="Home topics").click()
    topics = manager.get_by_role("group", name="Home topics")
    for name in ("Deep learning coding", "Deep learning reading"):
        topics.get_by_role("checkbox", name=name).uncheck()
    manager.get_by_role("button", name="Save").click()
    expect(manager.get_by_role("status")).to_contain_text("Home topics of Robotics: Robotics.")
    today = TeamDay.objects.get(team__slug="robotics", day=LEARNING_DAY.date())
    assert (today.posted, today.counted, today.outside) == (0, 0, 0)  # nobody has posted yet

    member = checked_browser.new_page(viewport=PHONE)
    login(member, MEMBER, demo_password)
    member.goto("/logs/new/")
    member.get_by_label("What did you learn today?").fill("Read about Babbage and the ENIAC: the history of computing.")
    suggested = member.get_by_role("group", name="Suggested topics")
    expect(suggested.get_by_role("checkbox", name="History of technology")).to_be_checked()
    member.get_by_role("button", name="Share what I learned").click()
    expect(member.get_by_role("article").get_by_role("list", name="Topics")).to_contain_text("History of technology")

    member.get_by_role("button", name="Menu").click()
    member.get_by_role("link", name="Growth").click()
    growth = member.get_by_role("table", name="My topics of the last 52 Learning Days")
    expect(
        growth.get_by_role("row").filter(has=member.get_by_role("rowheader", name="History of technology"))
    ).to_contain_text("15 Jan 2026")

    # Saved, the entry redid its team's week (a new row): one post, outside the field.
    today = TeamDay.objects.get(team__slug="robotics", day=LEARNING_DAY.date())
    assert (today.posted, today.counted, today.outside) == (1, 1, 1)
    rows = TeamDay.objects.filter(team__slug="robotics")
    share = f"{round(100 * sum(r.outside for r in rows) / sum(r.counted for r in rows))}%"
    manager.goto("/impact/")
    expect(_outside_cell(manager)).to_have_text(share)
