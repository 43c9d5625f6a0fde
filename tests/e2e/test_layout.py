"""The site-wide layout on a phone and a desktop, in light and dark: every page of each
role's navigation fits the screen, the header is one row, and on a phone the Menu button
opens and closes with the keyboard. Without JavaScript the navigation is still there.

Every page is also checked with axe (colour contrast included, so dark mode is checked
too), for console errors and CSP violations (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")

# Pages a role reaches in one step from its navigation's pages, beyond the navigation itself.
MORE_PAGES = {
    "member": ["/logs/new/", "/logs/away/", "/reading/mine/", "/claims/new/"],
    "manager": ["/reading/?status=suggested"],
    "finance": ["/claims/finance/?state=approved"],
    "admin": [],
    "leadership": ["/impact/?team=robotics"],
}
ROLES = {
    "member": "member@example.com",
    "manager": "manager@example.com",
    "finance": "finance@example.com",
    "admin": "admin@example.com",
    "leadership": "leadership@example.com",
}
# Each page is seen at both widths and in both schemes, the scheme alternating from page to
# page (phone light and desktop dark, then phone dark and desktop light, ...): every colour
# pair is checked in each scheme without loading every page four times.
SCHEMES = ("light", "dark")
HEADER_MAX_PX = 64


def navigation_urls(page: Page) -> list[str]:
    """Every page linked from both navigations, the dashboard first (the Django admin aside)."""
    hrefs = page.locator(".site-menu a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return ["/", *(href for href in hrefs if not href.startswith("/admin/"))]


def detail_pages(email: str) -> list[str]:
    """One of the person's own entries and claims, and a reading item, where they have them."""
    from logs.models import Entry
    from reading.models import Item
    from reimbursements.models import Claim

    found = [
        Entry.objects.filter(author__email=email).order_by("-day").first(),
        Claim.objects.filter(claimant__email=email).order_by("-pk").first(),
        Item.objects.filter(status="curated").order_by("pk").first(),
    ]
    return [thing.get_absolute_url() for thing in found if thing is not None]


def assert_fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    inner_width = page.evaluate("() => window.innerWidth")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def assert_header_is_one_row(page: Page, *, phone: bool) -> None:
    header = page.locator(".site-header").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert header is not None and brand is not None
    assert header["height"] <= HEADER_MAX_PX, f"the header of {page.url} is {header['height']}px high"
    if phone:
        menu = page.get_by_role("button", name=re.compile(r"^Menu")).bounding_box()
        assert menu is not None
        assert menu["y"] < brand["y"] + brand["height"] and brand["y"] < menu["y"] + menu["height"], (
            f"on {page.url} the Menu button is not beside the brand"
        )


def assert_menu_works_with_the_keyboard(page: Page) -> None:
    menu_button = page.get_by_role("button", name=re.compile(r"^Menu"))
    site_menu = page.locator("#site-menu")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(site_menu).to_be_hidden()
    page.locator("body").focus()
    for _ in range(5):  # the skip link, the brand, then Menu
        page.keyboard.press("Tab")
        if menu_button.evaluate("button => button === document.activeElement"):
            break
    expect(menu_button).to_be_focused()
    for key in ("Enter", "Space"):
        page.keyboard.press(key)
        expect(menu_button).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
        expect(site_menu.locator(":focus")).to_have_count(1)  # focus moved into the menu
        page.keyboard.press("Escape")
        expect(menu_button).to_have_attribute("aria-expanded", "false")
        expect(menu_button).to_be_focused()
        expect(site_menu).to_be_hidden()
    menu_button.click()
    expect(site_menu).to_be_visible()
    page.get_by_role("heading", level=1).click()  # a tap on the page closes it
    expect(site_menu).to_be_hidden()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_a_role_fits_a_phone_and_a_desktop_in_light_and_dark(checked_browser, demo_password, role):
    signing_in = checked_browser.new_page(viewport=DESKTOP)
    login(signing_in, ROLES[role], demo_password)
    urls = navigation_urls(signing_in) + MORE_PAGES[role] + detail_pages(ROLES[role])
    state = signing_in.context.storage_state()
    if role == "admin":
        account = signing_in.get_by_role("navigation", name="Account")
        expect(account.get_by_role("link", name="Admin", exact=True)).to_be_visible()

    for turn, viewport in enumerate((PHONE, DESKTOP)):
        phone = viewport == PHONE
        page = checked_browser.new_page(viewport=viewport, storage_state=state)
        for index, url in enumerate(urls):
            page.emulate_media(color_scheme=SCHEMES[(index + turn) % 2])
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_fits(page, viewport["width"])
            assert_header_is_one_row(page, phone=phone)
            if phone and index == 0:
                assert_menu_works_with_the_keyboard(page)
            if not phone:
                expect(page.get_by_role("button", name=re.compile(r"^Menu"))).to_be_hidden()
                expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_on_a_phone_the_menu_carries_the_count_of_what_waits(checked_browser, demo_password):
    page = checked_browser.new_page(viewport=PHONE)
    login(page, ROLES["manager"], demo_password)
    menu_button = page.get_by_role("button", name=re.compile(r"^Menu ?, \d+ waiting$"))
    expect(menu_button).to_be_visible()
    menu_button.click()
    expect(page.get_by_role("link", name=re.compile(r"^Review ?, \d+ to review$"))).to_be_visible()


def test_without_javascript_the_navigation_shows_on_a_phone(browser, live_server, demo_password):
    # A plain context: the checked pages' axe run needs JavaScript in the page.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    login(page, ROLES["manager"], demo_password)
    expect(page.get_by_role("button", name=re.compile(r"^Menu"))).to_be_hidden()
    for name in ("Main", "Account"):
        navigation = page.get_by_role("navigation", name=name)
        expect(navigation).to_be_visible()
        links = navigation.get_by_role("link")
        for index in range(links.count()):
            expect(links.nth(index)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport(ratio=1)
    page.get_by_role("link", name="Reading list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Reading list"))
    # The filters are one click away, and their fields full width.
    expect(page.get_by_label("Topic")).to_be_hidden()
    page.locator("summary", has_text=re.compile(r"^Filter")).click()
    expect(page.get_by_label("Topic")).to_be_visible()
    assert_fits(page, PHONE["width"])
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_in_sign_up_and_an_error_page_in_dark(checked_browser, viewport):
    page = checked_browser.new_page(viewport=viewport, color_scheme="dark")
    for url, heading in (("/accounts/login/", "Sign In"), ("/accounts/signup/", "Sign Up"), ("/no-such-page/", None)):
        page.goto(url)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        else:
            expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(244, 246, 248)", f"{url} is not dark"
        assert_fits(page, viewport["width"])
