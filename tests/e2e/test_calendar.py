"""The calendar link on the profile page, on a phone: get it, read the feed without signing in, reset it.

Every page these tests open is also checked with axe and for console errors and CSP
violations (see conftest.py).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, login

MEMBER = "member@example.com"

pytestmark = pytest.mark.usefixtures("demo_data", "on_a_learning_day")


def _status(url: str) -> tuple[int, bytes]:
    """What a calendar app gets at ``url``: a plain GET, no cookie."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _feed_url(page: Page, live_server) -> str:
    """The address the profile shows, on the test's live server (the page shows SITE_URL's host)."""
    address = page.get_by_label("Your calendar address").input_value()
    return live_server.url + urlsplit(address).path


def test_a_person_gets_resets_and_uses_their_calendar_link_on_a_phone(checked_browser, live_server, demo_password):
    page = checked_browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, MEMBER, demo_password)
    page.goto("/profile/")

    calendar = page.get_by_role("region", name="Calendar")
    calendar.get_by_role("button", name="Get a calendar link").click()
    expect(page.get_by_text("Your calendar link is ready")).to_be_visible()
    address = page.get_by_label("Your calendar address")
    expect(address).to_have_attribute("readonly", "")
    subscribe = calendar.get_by_role("link", name="Subscribe on this device")
    expect(subscribe).to_have_attribute("href", re.compile(r"^webcal://[^/]+/logs/calendar/[\w-]{43}\.ics$"))
    first = _feed_url(page, live_server)

    status, body = _status(first)
    assert status == 200
    cal = icalendar.Calendar.from_ical(body)
    assert "Learning Day" in {str(event["SUMMARY"]) for event in cal.walk("VEVENT")}

    # Reset with the keyboard alone: focus the button, press Enter.
    reset = calendar.get_by_role("button", name="Reset the link")
    reset.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    second = _feed_url(page, live_server)
    assert second != first
    assert _status(first)[0] == 404
    assert _status(second)[0] == 200

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page is {scroll_width}px wide on a {PHONE['width']}px phone"
