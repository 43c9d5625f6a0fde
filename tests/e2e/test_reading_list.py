"""The reading list in a real browser: browsing a team's list, the shelf, and curating a suggestion.

Every page these tests open is also checked with axe and for console errors and CSP
violations (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login
from tests.e2e.keyboard import sign_in, tab_to

MEMBER = "member@example.com"
MANAGER = "manager@example.com"
WANN = "Weight Agnostic Neural Networks"
SUGGESTION = "Learning to Walk via Deep Reinforcement Learning"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def test_member_filters_the_robotics_list_and_puts_a_paper_on_the_shelf(page: Page, live_server, demo_password):
    login(page, MEMBER, demo_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reading list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading list")
    # All my lists: the Robotics list and everyone's (maths, management, history).
    expect(page.get_by_text("17 items", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="The Book of Why: The New Science of Cause and Effect")).to_be_visible()

    filters = page.get_by_role("search", name="Filter the reading list")
    filters.get_by_label("List").select_option(label="Robotics")
    filters.get_by_label("Topic").select_option(label="Deep learning reading")
    filters.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(r"/reading/\?.*team=robotics.*&topic=deep-learning-reading"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading list: Robotics")
    expect(page.get_by_role("region", name="The team's guidelines")).to_contain_text("How we use the list.")
    expect(page.get_by_text("7 items", exact=True)).to_be_visible()
    items = page.locator("ol.item-list").get_by_role("listitem")
    expect(items).to_have_count(7)
    expect(page.get_by_role("link", name="The Book of Why: The New Science of Cause and Effect")).to_have_count(0)
    for tags in items.locator(".item-meta").all():
        expect(tags).to_contain_text("Deep learning reading")
        expect(tags).to_contain_text("Robotics")
    wann = items.filter(has=page.get_by_role("link", name=WANN, exact=True))
    expect(wann).to_contain_text("Adam Gaier, David Ha · 2019")
    expect(wann).to_contain_text("2 endorsements")  # the demo member's and Lena's
    expect(wann).not_to_contain_text("On your shelf")

    # One click puts it on the shelf and comes back to the same filtered list.
    filtered, row_id = page.url, wann.get_attribute("id")
    wann.get_by_role("button", name="Want to read").click()
    expect(page.get_by_role("status")).to_contain_text("On your shelf: want to read.")
    expect(page).to_have_url(f"{filtered}#{row_id}")
    expect(page.get_by_text("7 items", exact=True)).to_be_visible()
    expect(wann).to_contain_text("On your shelf: want to read")
    expect(wann.get_by_role("button", name=re.compile("Want to read"))).to_have_count(0)

    wann.get_by_role("link", name=WANN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WANN)
    expect(page.get_by_role("region", name="Study buddies")).to_contain_text("Kenji Sato — finished")
    progress = page.get_by_role("region", name="My progress")
    expect(progress).to_contain_text("On your shelf: want to read")
    expect(progress.get_by_label("On my shelf as")).to_have_value("want")
    progress.get_by_label("On my shelf as").select_option(label="Reading")
    progress.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("On your shelf: reading.")
    expect(page.get_by_role("region", name="My progress").get_by_label("On my shelf as")).to_have_value("reading")

    # The shelf, through the reading list.
    page.get_by_role("link", name="← Reading list").click()
    expect(page).to_have_url(f"{live_server.url}/reading/?team=robotics")
    page.get_by_role("link", name="My shelf").click()
    expect(page).to_have_url(f"{live_server.url}/reading/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My shelf")
    reading = page.get_by_role("region", name=re.compile(r"^Reading"))
    expect(reading.get_by_role("heading")).to_have_text("Reading (2)")
    expect(reading.get_by_role("link")).to_have_text(
        [WANN, "Neural Graph Evolution: Towards Efficient Automatic Robot Design"]
    )
    want = page.get_by_role("region", name=re.compile(r"^Want to read"))
    expect(want.get_by_role("link")).to_have_text(["The Book of Why: The New Science of Cause and Effect"])


def test_manager_approves_a_waiting_suggestion_onto_the_curated_list(page: Page, live_server, demo_password):
    login(page, MANAGER, demo_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reading list").click()

    tabs = page.get_by_role("navigation", name="Which items")
    expect(tabs.get_by_role("link", name="Curated")).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="Waiting for you (1)").click()
    expect(tabs.get_by_role("link", name="Waiting for you (1)")).to_have_attribute("aria-current", "page")

    waiting = page.locator("ol.item-list").get_by_role("listitem")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Waiting for curation")
    waiting.get_by_role("link", name=SUGGESTION).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SUGGESTION)
    expect(page.get_by_role("article")).to_contain_text("Suggested by")
    expect(page.get_by_role("article")).to_contain_text("Tom Becker")
    curate = page.get_by_role("region", name="Curate")
    curate.get_by_role("button", name="Approve for the list").click()

    expect(page.get_by_role("status")).to_contain_text(f"“{SUGGESTION}” is on the curated list.")
    expect(page.get_by_role("article")).not_to_contain_text("Waiting for curation")
    expect(page.get_by_role("region", name="Curate").get_by_role("button", name="Approve for the list")).to_have_count(
        0
    )

    page.get_by_role("link", name="← Reading list").click()
    expect(page).to_have_url(f"{live_server.url}/reading/?team=robotics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading list: Robotics")
    tabs = page.get_by_role("navigation", name="Which items")
    expect(tabs.get_by_role("link", name="Curated")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Suggestions")).to_be_visible()  # nothing waits any more
    curated = page.locator("ol.item-list").get_by_role("listitem")
    expect(curated.filter(has=page.get_by_role("link", name=SUGGESTION, exact=True))).to_have_count(1)
    expect(curated).to_have_count(8)


def _titles(page: Page) -> list[str]:
    return page.locator("ol.item-list .item-title a").all_text_contents()


def test_manager_reorders_the_list_with_the_keyboard_and_no_page_load(page: Page, demo_password):
    sign_in(page, MANAGER, demo_password)
    page.goto("/reading/?team=robotics")
    before = _titles(page)
    assert len(before) == 7
    second = before[1]
    expect(page.locator(".result-count")).to_have_text(
        "7 items · use ↑ ↓ to change the list's order, or Alt+↑ Alt+↓ on a row"
    )
    page.evaluate("window.samePage = true")  # a full page load would forget it

    row = page.locator("ol.item-list > li").filter(has=page.get_by_role("link", name=second, exact=True))
    down = row.get_by_role("button", name=f"Move “{second}” down")
    up = row.get_by_role("button", name=f"Move “{second}” up")
    tab_to(page, down, presses=80)
    page.keyboard.press("Enter")

    status = page.get_by_role("status")
    expect(status).to_have_text(f"Done: Moved “{second}” to position 3 of 7.")
    expect(page.locator("ol.item-list .item-title a")).to_have_text([before[0], before[2], second, *before[3:]])
    expect(down).to_be_focused()

    # Alt+↑ anywhere in the row moves it too.
    page.keyboard.press("Alt+ArrowUp")
    expect(status).to_have_text(f"Done: Moved “{second}” to position 2 of 7.")
    expect(down).to_be_focused()
    # At the top its ↑ is off, and focus goes to its ↓ rather than to the page.
    tab_to(page, up, backwards=True, presses=2)
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"Done: Moved “{second}” to position 1 of 7.")
    expect(page.locator("ol.item-list .item-title a")).to_have_text([second, before[0], *before[2:]])
    expect(up).to_be_disabled()
    expect(down).to_be_focused()
    # Space presses the focused button as Enter does.
    page.keyboard.press("Space")
    expect(status).to_have_text(f"Done: Moved “{second}” to position 2 of 7.")
    expect(up).to_be_enabled()
    expect(down).to_be_focused()
    assert page.evaluate("window.samePage") is True

    page.reload()
    assert page.evaluate("window.samePage === undefined")
    expect(page.locator("ol.item-list .item-title a")).to_have_text([before[0], second, *before[2:]])


def test_a_refused_move_puts_the_row_back_and_says_why(checked_browser, demo_password):
    from learningday.models import Membership

    page = checked_browser.new_page()
    sign_in(page, MANAGER, demo_password)
    page.goto("/reading/?team=robotics")
    before = _titles(page)
    # Someone demotes the manager while the page is open.
    Membership.objects.filter(user__email=MANAGER, team__slug="robotics").update(role="member")

    first = page.locator("ol.item-list > li").first
    down = first.get_by_role("button", name=f"Move “{before[0]}” down")
    tab_to(page, down, presses=80)
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        f"Error: Could not move “{before[0]}”: "
        "you may not reorder this list (or your session has ended: reload the page)."
    )
    expect(page.locator("ol.item-list .item-title a")).to_have_text(before)
    expect(down).to_be_focused()
    # Chromium logs every refused fetch; that one, and nothing else, is expected.
    problems = checked_browser.take_problems()
    assert len(problems) == 1, problems
    assert re.fullmatch(r"console error on .*/reading/\d+/move/: .* status of 403 \(Forbidden\)", problems[0])


def test_a_move_on_a_list_changed_meanwhile_shows_the_servers_order(page: Page, demo_password):
    from learningday.models import User
    from reading import services
    from reading.models import Item

    sign_in(page, MANAGER, demo_password)
    page.goto("/reading/?team=robotics")
    before = _titles(page)
    page.evaluate("window.samePage = true")
    # Another manager's tab moves the third item up while this page shows the old order.
    services.item_move(user=User.objects.get(email=MANAGER), item=Item.objects.get(title=before[2]), direction="up")

    down = page.get_by_role("button", name=f"Move “{before[0]}” down")
    tab_to(page, down, presses=80)
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(f"Done: Moved “{before[0]}” to position 2 of 7.")
    expect(page.locator("ol.item-list .item-title a")).to_have_text([before[2], before[0], before[1], *before[3:]])
    expect(down).to_be_focused()
    assert page.evaluate("window.samePage") is True
