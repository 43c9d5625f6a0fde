"""A manager sets the team's home topics from the participation page, on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learningday.models import Team
from tests.e2e.conftest import PHONE, login

MANAGER = "manager@example.com"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def test_a_manager_sets_the_teams_home_topics(checked_browser, demo_password):
    page: Page = checked_browser.new_page(viewport=PHONE)
    login(page, MANAGER, demo_password)
    page.goto("/logs/participation/")
    page.get_by_role("link", name="Home topics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home topics of Robotics")
    topics = page.get_by_role("group", name="Home topics")
    expect(topics.get_by_role("checkbox", name="Robotics")).to_be_checked()  # the demo's
    topics.get_by_role("checkbox", name="Deep learning coding").uncheck()
    topics.get_by_role("checkbox", name="Maths and statistics").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Home topics of Robotics: Deep learning reading, Maths and statistics, Robotics."
    )
    expect(topics.get_by_role("checkbox", name="Maths and statistics")).to_be_checked()
    home = Team.objects.get(slug="robotics").home_topics.values_list("slug", flat=True)
    assert sorted(home) == ["deep-learning-reading", "maths-and-statistics", "robotics"]
