"""The check-in on a phone: three questions, a live preview, the rest behind "More details",
a draft kept in the browser; done with the keyboard alone.

Every page these tests open is also checked with axe and for console errors, CSP violations
and valid HTML (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.e2e.keyboard import assert_no_sideways_scroll

MEMBER = "member@example.com"
TITLE = "Weight Agnostic Neural Networks"
BODY = "Read *Weight Agnostic Neural Networks*: architectures that work with **random shared weights**."

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, most: int = 20) -> None:
    """Press Tab (or Shift+Tab) until the target has the focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    expect(target).to_be_focused()


def draft(page: Page, form: Locator) -> str | None:
    key = form.get_attribute("data-draft-key")
    return page.evaluate("(key) => window.localStorage.getItem(key)", key)


# A phone and a desktop, one in each colour scheme: the scheme changes no key's behaviour, and
# every page is checked in both schemes at both sizes by test_layout.
@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-dark"],
)
def test_member_logs_the_day_with_the_keyboard_alone(checked_browser, demo_password, viewport, color_scheme):
    page = checked_browser.new_page(viewport=viewport, color_scheme=color_scheme)
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What did you learn today?")
    assert_no_sideways_scroll(page)
    form = page.locator("form[data-checkin]")
    if viewport == PHONE:
        # Three questions and a button: no longer a page of scrolling (2,045 px before).
        height = form.bounding_box()["height"]
        assert height < 800, f"the check-in form is {height} px tall on a phone"

    # The cursor is in the text box; the preview follows the typing.
    body = page.get_by_label("What did you learn today?")
    expect(body).to_be_focused()
    page.keyboard.type(BODY)
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("random shared weights")
    expect(preview.locator("em")).to_have_text(TITLE)

    # The category with the arrow keys, then what's next.
    page.keyboard.press("Tab")
    category = page.get_by_label("Category")
    expect(category).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(category).to_have_value("exploring_tool")
    page.keyboard.press("Tab")
    expect(page.get_by_label("What's next")).to_be_focused()
    page.keyboard.type("Try it on our gripper policy.")

    # The text suggested a topic: ticked, with the three questions, and why.
    suggested = page.get_by_role("group", name="Suggested topics")
    expect(suggested.get_by_role("checkbox", name="Deep learning reading")).to_be_checked()
    expect(suggested).to_contain_text("the word “neural networks”")

    # More details, opened with the keyboard.
    hours = page.get_by_label("Time spent (hours)")
    expect(hours).to_be_hidden()
    summary = page.locator("summary", has_text="More details")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(hours).to_be_visible()
    assert_no_sideways_scroll(page)
    tab_to(page, hours)
    page.keyboard.type("6.5")

    # A reading item, found through the search box and ticked with the space bar.
    search = page.get_by_label("Find a title")
    tab_to(page, search)
    page.keyboard.type("weight agnostic")
    ticks = page.get_by_role("group", name="From the reading list:")
    expect(ticks.get_by_role("checkbox", name=re.compile("Population Based"))).to_be_hidden()
    expect(page.get_by_text("1 of ")).to_be_visible()
    page.keyboard.press("Tab")
    item = ticks.get_by_role("checkbox", name=TITLE)
    expect(item).to_be_focused()
    page.keyboard.press("Space")
    expect(item).to_be_checked()
    assert_no_sideways_scroll(page)
    # Shift+Tab goes back to the search box: Enter there finds, it does not send the form.
    page.keyboard.press("Shift+Tab")
    expect(search).to_be_focused()
    page.keyboard.press("Enter")
    expect(item).to_be_focused()
    expect(page).to_have_url(re.compile(r"/logs/new/$"))

    # Send it.
    tab_to(page, page.get_by_role("button", name="Share what I learned"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Becker on Thursday 15 January 2026")
    expect(page.get_by_role("status")).to_contain_text("Logged Thursday 15 January.")
    entry = page.get_by_role("article")
    expect(entry).to_contain_text("Exploring a tool")
    expect(entry).to_contain_text("6.5 h")
    expect(entry.locator("strong")).to_have_text("random shared weights")
    expect(entry.get_by_role("link", name=TITLE)).to_be_visible()
    expect(entry.get_by_role("list", name="Topics")).to_contain_text("Deep learning reading")
    assert_no_sideways_scroll(page)


def test_a_suggested_topic_is_ticked_while_typing_and_an_untick_stays(checked_browser, demo_password):
    from logs.models import Entry

    page = checked_browser.new_page(viewport=PHONE, color_scheme="dark")
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    suggested = page.get_by_role("group", name="Suggested topics")
    expect(suggested).to_be_hidden()
    body = page.get_by_label("What did you learn today?")
    body.fill("Calibrated the robot arm, then some Bayesian statistics.")
    robotics = suggested.get_by_role("checkbox", name="Robotics")
    maths = suggested.get_by_role("checkbox", name="Maths and statistics")
    expect(robotics).to_be_checked()
    expect(maths).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="Topics suggested and ticked")).to_contain_text("Robotics")
    assert_no_sideways_scroll(page)

    maths.uncheck()  # not what the day was about
    body.press("End")
    page.keyboard.type(" More Bayesian maths tomorrow.")
    # The new text's suggestions have landed (the note names the new word): the untick stays.
    expect(suggested).to_contain_text("the words “maths”, “statistics”, “Bayesian”")
    expect(maths).not_to_be_checked()
    page.get_by_role("button", name="Share what I learned").click()

    entry = page.get_by_role("article")
    expect(entry.get_by_role("list", name="Topics")).to_have_text("Robotics")
    saved = Entry.objects.filter(author__email=MEMBER).order_by("-day").first()
    assert list(saved.topic_links.values_list("topic__name", "source")) == [("Robotics", "suggested")]


def test_a_failed_submit_keeps_the_draft_and_a_saved_one_clears_it(checked_browser, demo_password):
    page = checked_browser.new_page(viewport=PHONE)
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    form = page.locator("form[data-checkin]")
    page.get_by_label("What did you learn today?").fill(BODY)
    page.get_by_text("More details").click()
    page.get_by_label("Time spent (hours)").fill("25")
    page.get_by_role("button", name="Share what I learned").click()

    # Sent back: the form says what to fix, in sight, and the draft is still kept.
    expect(page.get_by_role("alert")).to_contain_text("A day has at most 24 hours.")
    hours = page.get_by_label("Time spent (hours)")
    expect(hours).to_be_visible()
    expect(hours).to_be_focused()
    expect(page.get_by_label("What did you learn today?")).to_have_value(BODY)
    page.wait_for_load_state("domcontentloaded")
    assert BODY in (draft(page, form) or "")

    # Away and back: the text is offered back, and can be thrown away.
    page.goto("/logs/")
    page.goto("/logs/new/")
    note = page.get_by_role("status").filter(has_text="Your draft from")
    expect(note).to_be_visible()
    expect(page.get_by_label("What did you learn today?")).to_have_value(BODY)
    expect(hours).to_be_visible()  # the restored time is behind More details: opened
    expect(hours).to_have_value("25")
    expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("random shared weights")

    # Fixed and saved: the draft is gone.
    hours.fill("2")
    page.get_by_role("button", name="Share what I learned").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Becker on Thursday 15 January 2026")
    expect(page.get_by_role("article")).to_contain_text("2 h")
    page.wait_for_load_state("domcontentloaded")  # the page's deferred checkin.js has run
    assert page.evaluate("() => Object.keys(window.localStorage).filter((k) => k.startsWith('checkin:'))") == []


def test_discard_draft_empties_the_form(checked_browser, demo_password):
    page = checked_browser.new_page(viewport=PHONE)
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    form = page.locator("form[data-checkin]")
    page.get_by_label("What did you learn today?").fill("Half a thought")
    page.get_by_label("What's next").fill("The other half")
    page.reload()

    expect(page.get_by_label("What did you learn today?")).to_have_value("Half a thought")
    page.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_label("What did you learn today?")).to_have_value("")
    expect(page.get_by_label("What's next")).to_have_value("")
    expect(page.get_by_label("What did you learn today?")).to_be_focused()
    expect(page.get_by_role("button", name="Discard draft")).to_be_hidden()
    assert draft(page, form) is None
    page.reload()
    expect(page.get_by_label("What did you learn today?")).to_have_value("")


def test_an_edit_keeps_its_own_draft_until_it_is_saved(checked_browser, demo_password):
    from logs.models import Entry

    entry = Entry.objects.filter(author__email=MEMBER).order_by("-day").first()
    page = checked_browser.new_page(viewport=PHONE)
    login(page, MEMBER, demo_password)
    page.goto("/logs/new/")
    page.get_by_label("What did you learn today?").fill("Today's text, not sent")  # the new entry's draft

    page.goto(f"/logs/{entry.pk}/edit/")
    body = page.get_by_label("What did you learn today?")
    expect(body).to_have_value(entry.body)  # the other draft is not this entry's
    expect(page.get_by_role("button", name="Discard draft")).to_be_hidden()
    body.press("Control+End")
    page.keyboard.type("\n\nAnd one more thing.")

    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("article")).not_to_contain_text("And one more thing.")
    page.goto(f"/logs/{entry.pk}/edit/")  # opened afresh: the entry as saved, and the draft offered back
    expect(page.get_by_role("status").filter(has_text="Your draft from")).to_be_visible()
    expect(body).to_have_value(entry.body + "\n\nAnd one more thing.")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("article")).to_contain_text("And one more thing.")
    page.wait_for_load_state("domcontentloaded")  # the page's deferred checkin.js has run
    keys = page.evaluate("() => Object.keys(window.localStorage).filter((k) => k.startsWith('checkin:')).sort()")
    assert keys == [f"checkin:{entry.author_id}:new:2026-01-15"]  # this entry's draft is saved; today's is kept


def test_without_javascript_the_preview_button_shows_the_text_and_keeps_it(browser, live_server, demo_password):
    # The page checks (axe, console) run as a script, so this context, without any, goes unchecked:
    # the same pages are checked with JavaScript above, and their HTML by the view tests.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, MEMBER, demo_password)
        page.goto("/logs/new/")
        expect(page.get_by_label("Find a title")).to_be_hidden()  # the search box needs the script
        page.get_by_label("What did you learn today?").fill(BODY)
        page.get_by_text("More details").click()
        page.get_by_label("Time spent (hours)").fill("2")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("random shared weights")
        expect(page.get_by_label("What did you learn today?")).to_have_value(BODY)
        expect(page.get_by_label("Time spent (hours)")).to_have_value("2")
        page.get_by_role("button", name="Share what I learned").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tom Becker on Thursday 15 January 2026")
        expect(page.get_by_role("article")).to_contain_text("2 h")
    finally:
        context.close()
