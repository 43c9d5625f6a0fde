"""The learning log in a real browser: logging a Learning Day, a form sent back, participation.

Every page these tests open is also checked with axe and for console errors and CSP
violations (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login

MEMBER = "member@example.com"
MANAGER = "manager@example.com"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")

BODY = "Read *Weight Agnostic Neural Networks*: architectures that work with **random shared weights**."
LINK = "https://arxiv.org/abs/1906.04358"


def test_member_logs_a_learning_day_and_sees_it_in_the_feed_and_on_the_dashboard(
    page: Page, live_server, demo_password
):
    login(page, MEMBER, demo_password)
    expect(page.get_by_role("region", name="Today is Learning Day")).to_be_visible()

    # Through the navigation to the feed, and from there to the form.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning log")
    page.get_by_role("link", name="Log today").click()

    expect(page).to_have_url(f"{live_server.url}/logs/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What did you learn today?")
    page.get_by_label("What did you learn today?").fill(BODY)
    page.get_by_label("Category").select_option(label="Exploring a tool")
    # The day, the time and the links wait behind "More details".
    expect(page.get_by_label("Time spent (hours)")).to_be_hidden()
    page.get_by_text("More details").click()
    expect(page.get_by_label("Day:", exact=True)).to_have_value("2026-01-15")
    page.get_by_label("Time spent (hours)").fill("6.5")
    page.get_by_label("Links").fill(LINK)
    page.get_by_role("button", name="Share what I learned").click()

    # The entry's own page.
    expect(page).to_have_url(re.compile(r"/logs/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Logged Thursday 15 January. Thank you for sharing what you learned."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Becker on Thursday 15 January 2026")
    entry = page.get_by_role("article")
    expect(entry).to_contain_text("Exploring a tool")
    expect(entry).to_contain_text("6.5 h")
    expect(entry.locator("strong")).to_have_text("random shared weights")  # the Markdown is rendered
    expect(entry.get_by_role("list", name="Links").get_by_role("link")).to_have_text(LINK)
    expect(entry).not_to_contain_text("On another day")

    # In the feed, under today, which is marked as a Learning Day.
    page.get_by_role("link", name="← Learning log").click()
    today = page.get_by_role("region", name=re.compile(r"^Thursday 15 January 2026"))
    expect(today.get_by_role("heading", level=2)).to_have_text(re.compile(r"Thursday 15 January 2026\s+Learning Day"))
    mine = today.get_by_role("article").filter(has=page.get_by_role("link", name="Tom Becker", exact=True))
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("architectures that work with random shared weights")
    expect(mine).to_contain_text("Exploring a tool")
    expect(mine.get_by_role("link", name=LINK)).to_be_visible()

    # And on the dashboard, which no longer asks for today's entry.
    page.get_by_role("link", name="Learning Day", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    today_card = page.get_by_role("region", name="Today is Learning Day")
    expect(today_card).to_contain_text("You logged today (Exploring a tool). Thank you.")
    expect(today_card).to_contain_text("Weight Agnostic Neural Networks")
    expect(today_card.get_by_role("button", name="Share what I learned")).to_have_count(0)


def test_an_entry_without_text_is_sent_back_with_the_other_fields_kept(page: Page, live_server, demo_password):
    login(page, MEMBER, demo_password)
    # From the dashboard's short form to the full one.
    page.get_by_role("region", name="Today is Learning Day").get_by_role("link", name="More fields").click()
    expect(page).to_have_url(f"{live_server.url}/logs/new/")

    page.get_by_label("Category").select_option(label="Maths fundamentals")
    page.get_by_text("More details").click()
    page.get_by_label("Time spent (hours)").fill("3")
    page.get_by_label("Links").fill(f"{LINK}\nhttps://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/")
    page.get_by_label("What's next").fill("Lecture on positive definite matrices.")
    page.get_by_role("button", name="Share what I learned").click()

    # Still the form, with a summary on top and the message at the field.
    expect(page).to_have_url(f"{live_server.url}/logs/new/")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Please fix this to continue")
    expect(summary.get_by_role("link")).to_have_text(
        "What did you learn today?: Write what you learned: a few lines are enough."
    )
    body = page.get_by_label("What did you learn today?")
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_accessible_description(re.compile(r"Write what you learned: a few lines are enough\."))
    expect(body).to_be_focused()  # the cursor is where the fix goes
    expect(body).to_have_value("")

    # Nothing else has to be typed again, and what was typed behind "More details" is in sight.
    expect(page.get_by_label("Category")).to_have_value("maths")
    expect(page.get_by_label("Time spent (hours)")).to_be_visible()
    expect(page.get_by_label("Time spent (hours)")).to_have_value("3")
    expect(page.get_by_label("Links")).to_have_value(
        f"{LINK}\nhttps://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/"
    )
    expect(page.get_by_label("What's next")).to_have_value("Lecture on positive definite matrices.")
    expect(page.get_by_label("Day:", exact=True)).to_have_value("2026-01-15")

    # Fixing the one field is enough.
    body.fill("Strang's lecture on eigenvalues, again.")
    page.get_by_role("button", name="Share what I learned").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Becker on Thursday 15 January 2026")
    expect(page.get_by_role("article")).to_contain_text("Maths fundamentals")


def test_manager_sees_the_teams_participation(page: Page, live_server, demo_password):
    login(page, MANAGER, demo_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Participation").click()

    expect(page).to_have_url(f"{live_server.url}/logs/participation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Participation: Robotics")
    expect(
        page.get_by_role("img", name=re.compile(r"^Share of the team that posted, per Learning Day"))
    ).to_be_visible()

    table = page.get_by_role("region", name="Who posted, Learning Day by Learning Day").get_by_role("table")
    expect(table).to_be_visible()
    columns = table.get_by_role("columnheader")
    # The person, the last twelve Learning Days (the last one today), and three totals.
    expect(columns).to_have_count(1 + 12 + 3)
    expect(columns.nth(12)).to_have_text("15 Jan")
    people = table.locator("tbody").get_by_role("rowheader")
    expect(people).to_have_text(["Felix Wagner", "Kenji Sato", "Lena Vogel", "Maja Schneider", "Tom Becker"])
    tom = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Tom Becker"))
    # The demo member posted on ten of the eleven Learning Days before today (one old gap).
    expect(tom.get_by_role("cell").filter(has_text="no post")).to_have_count(1)
    expect(tom.get_by_role("cell").filter(has_text="today")).to_have_count(1)
