"""My growth: a member logs the day, the app suggests its topic, and the topic shows on
/growth/, opened from the navigation; on a phone and on a desktop, light and dark.

Every page these tests open is also checked with axe and for console errors, CSP violations
and valid HTML (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.e2e.keyboard import assert_no_sideways_scroll

MEMBER = "member@example.com"
TOPIC = "History of technology"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


@pytest.mark.parametrize(
    ("viewport", "color_scheme"), [(PHONE, "dark"), (DESKTOP, "light")], ids=["phone-dark", "desktop-light"]
)
def test_a_topic_logged_today_shows_on_my_growth(checked_browser, demo_password, viewport, color_scheme):
    page = checked_browser.new_page(viewport=viewport, color_scheme=color_scheme)
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    page.get_by_label("What did you learn today?").fill("Read about Babbage and the ENIAC: the history of computing.")
    suggested = page.get_by_role("group", name="Suggested topics")
    expect(suggested.get_by_role("checkbox", name=TOPIC)).to_be_checked()
    page.get_by_role("button", name="Share what I learned").click()
    expect(page.get_by_role("article").get_by_role("list", name="Topics")).to_contain_text(TOPIC)

    if viewport == PHONE:
        page.get_by_role("button", name=re.compile(r"^Menu")).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Growth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My growth")
    expect(page.locator('nav[aria-label="Main"] a[aria-current="page"]')).to_have_text("Growth")

    chart = page.get_by_role("img", name="The topics I learned in, Learning Day by Learning Day")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="My topics of the last 52 Learning Days")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=TOPIC))
    expect(row).to_contain_text("15 Jan 2026")  # logged today, the last day on the topic
    for heading in (
        "Fields I picked up",
        "Learning outside my team's field",
        "What I read, by topic",
        "What the organisation paid for my learning",
        "People in other teams learning the same now",
    ):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    assert_no_sideways_scroll(page)
