"""Driving a page with the keyboard alone, as a person without a mouse does.

``tab_to`` presses Tab (or Shift+Tab) until the element wanted has focus, at most a
given number of times, and otherwise fails with everything that got focus on the way:
a page whose tab order skips a control, or traps focus, fails with the path it took.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

# What document.activeElement is, in a few words: its tag, type and name as a person hears it.
_DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "(nothing: the page itself)";
    const label = el.getAttribute("aria-label")
        || (el.labels && el.labels.length ? el.labels[0].textContent : "")
        || el.textContent || el.value || el.name || "";
    const kind = el.tagName.toLowerCase() + (el.type ? `[${el.type}]` : "");
    return `${kind} "${label.trim().replace(/\\s+/g, " ").slice(0, 70)}"`;
}"""

_WIDER_THAN_THE_WINDOW = """() => {
    const width = window.innerWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        const right = el.getBoundingClientRect().right;
        if (right > width + 1 && !el.closest("[hidden]")) {
            const classes = String(el.className || "").trim().replace(/\\s+/g, ".");
            const name = el.tagName.toLowerCase() + (classes ? "." + classes : "");
            wide.push(`${name} (right edge ${Math.round(right)} px)`);
        }
    }
    return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


def focus_description(page: Page) -> str:
    return page.evaluate(_DESCRIBE_FOCUS)


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, presses: int = 40, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab with ``backwards``) until ``target`` has focus; fail after ``presses``."""
    key = "Shift+Tab" if backwards else "Tab"
    expect(target).to_have_count(1)
    visited: list[str] = []
    for _ in range(presses):
        if is_focused(target):
            return
        page.keyboard.press(key)
        visited.append(focus_description(page))
    if is_focused(target):
        return
    path = "\n  ".join(visited)
    raise AssertionError(f"{presses} × {key} on {page.url} never reached {target}; focus went to:\n  {path}")


def type_into(page: Page, target: Locator, text: str, *, presses: int = 40, backwards: bool = False) -> None:
    """Tab to a field and type into it, replacing what it held."""
    tab_to(page, target, presses=presses, backwards=backwards)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def choose_option(page: Page, select: Locator, label: str, *, presses: int = 40) -> None:
    """Tab to a closed <select> and pick an option by its label with the arrow keys.

    On a closed select, ↑ and ↓ change the value at once in Chromium (Windows, Linux),
    firing ``change``, without opening the list.
    """
    tab_to(page, select, presses=presses)
    labels = [text.strip() for text in select.locator("option").all_text_contents()]
    if label not in labels:
        raise AssertionError(f"no option {label!r} in {labels}")
    steps = labels.index(label) - select.evaluate("el => el.selectedIndex")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(select.locator("option:checked")).to_have_text(label)


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits the window's width: nothing makes it scroll sideways."""
    page.wait_for_load_state("load")  # with its stylesheet: before that, a select is as wide as its options
    found = page.evaluate(_WIDER_THAN_THE_WINDOW)
    assert found["scrollWidth"] <= found["width"], (
        f"{page.url} scrolls sideways: {found['scrollWidth']} px wide in a {found['width']} px window; "
        f"wider than the window: {found['wide']}"
    )


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the login form with the keyboard alone."""
    page.goto("/accounts/login/")
    assert_no_sideways_scroll(page)
    type_into(page, page.get_by_label("Email"), email)
    type_into(page, page.get_by_label("Password"), password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
