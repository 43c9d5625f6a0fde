"""Signing in, in a real browser: what a person sees, with the keyboard and on a phone.

Every page these tests open is also checked with axe and for console errors and CSP
violations (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, login

MEMBER = "member@example.com"

pytestmark = pytest.mark.usefixtures("demo_data")


@pytest.mark.usefixtures("on_a_learning_day")
def test_member_signs_in_and_sees_the_dashboard(page: Page, live_server, demo_password):
    page.goto("/")

    # Not signed in: the dashboard sends the person to the login page.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(demo_password)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(re.compile(r"^Dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tom Becker")
    today = page.get_by_role("region", name="Today is Learning Day")
    expect(today).to_be_visible()
    expect(today).to_contain_text("Today is Thursday 15 January 2026 in your time zone, Europe/Berlin.")
    expect(today).to_contain_text("The next one after today is Thursday 22 January.")

    # The profile page, through the account navigation; it gets its own axe check.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Tom Becker").click()
    expect(page).to_have_url(f"{live_server.url}/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_label("Display name")).to_have_value("Tom Becker")


def test_a_wrong_password_keeps_the_person_on_the_login_page(page: Page):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()

    error = page.get_by_role("alert")
    expect(error).to_contain_text("The email address and/or password you specified are not correct.")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    expect(page.get_by_label("Email")).to_have_value(MEMBER)
    expect(page.get_by_label("Password")).to_have_value("")


def test_the_first_tab_reaches_skip_to_content_which_moves_focus_to_main(page: Page):
    page.goto("/accounts/login/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then shown

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/accounts/login/#main$"))

    # The next Tab continues inside the content, not back at the top of the page.
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)


@pytest.mark.usefixtures("on_a_learning_day")
def test_on_a_phone_the_dashboard_shows_the_navigation_without_scrolling_sideways(checked_browser, demo_password):
    page = checked_browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, MEMBER, demo_password)

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tom Becker")
    # On a phone both navigations fold behind the Menu button (tests/e2e/test_layout.py).
    page.get_by_role("button", name="Menu").click()
    for name in ("Main", "Account"):
        navigation = page.get_by_role("navigation", name=name)
        expect(navigation).to_be_visible()
        links = navigation.get_by_role("link")
        for index in range(links.count()):
            expect(links.nth(index)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport(ratio=1)

    scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page is {scroll_width}px wide on a {PHONE['width']}px phone"
