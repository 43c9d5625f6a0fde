"""The quarter's pulse question on the dashboard, on a phone in dark mode: a mistake comes
back with its message and what was typed, an answer is thanked and the card goes away.

Every page is also checked with axe and for console errors and CSP violations (see
conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login

MEMBER = "member@example.com"
QUESTION = "How much did Learning Day help you grow this quarter?"
COMMENT = "The reading group on Thursdays kept me going."

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def test_a_member_answers_the_pulse_question_from_the_dashboard(checked_browser, demo_password):
    from logs.models import PulseAnswer

    page = checked_browser.new_page(viewport=PHONE, color_scheme="dark")
    login(page, MEMBER, demo_password)
    page.goto("/")
    card = page.get_by_role("region", name="This quarter's pulse question")
    expect(card.get_by_role("group", name=QUESTION)).to_be_visible()

    card.get_by_label("Anything to add?").fill(COMMENT)
    card.get_by_role("button", name="Submit").click()  # no score chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose a number from 1 (not at all) to 5 (a lot).")
    expect(page.get_by_label("Anything to add?")).to_have_value(COMMENT)

    page.get_by_role("radio", name="4").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Thank you. Your answer counts")).to_be_visible()
    expect(page.get_by_role("group", name=QUESTION)).to_have_count(0)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    answer = PulseAnswer.objects.get(user__email=MEMBER, quarter=dt.date(2026, 1, 1))
    assert (answer.score, answer.comment) == (4, COMMENT)
