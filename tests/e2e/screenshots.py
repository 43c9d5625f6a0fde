"""Screenshots of the main pages for the README and for reviewing the design.

Not a test module (no ``test_`` prefix), so ``make test`` leaves it alone; ``make
screenshots`` runs it: ``pytest tests/e2e/screenshots.py``. With every app's demo
data loaded, it signs in as the demo member on a fixed Learning Day and writes
full-page PNGs, desktop and phone width, to docs/screenshots/<page>-<desktop|phone>.png;
then the pages only a manager sees, signed in as the demo manager. The pages get the
same axe, console and CSP checks as the browser tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, login

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MEMBER = "member@example.com"
MANAGER = "manager@example.com"
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def shoot(page: Page, name: str, size: str) -> None:
    # A page wider than the screen makes a phone zoom out (and the PNG wider than the phone).
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide at {size} size"
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"{name}-{size}.png", full_page=True, animations="disabled", caret="hide")


@pytest.mark.parametrize("size", SIZES)
def test_screenshots(checked_browser, on_a_learning_day, demo_data, demo_password, size):
    phone = size == "phone"
    page = checked_browser.new_page(viewport=SIZES[size], is_mobile=phone, has_touch=phone)

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    shoot(page, "login", size)

    login(page, MEMBER, demo_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tom Becker")
    shoot(page, "dashboard", size)

    page.goto("/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    shoot(page, "profile", size)

    page.goto("/logs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning log")
    shoot(page, "feed", size)

    page.goto("/logs/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What did you learn today?")
    shoot(page, "log-form", size)

    page.goto("/reading/?team=robotics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading list: Robotics")
    shoot(page, "reading-list", size)

    page.get_by_role("link", name="Weight Agnostic Neural Networks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weight Agnostic Neural Networks")
    shoot(page, "reading-item", size)

    page.goto("/claims/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Books, tutors and courses")
    shoot(page, "claims", size)

    # A paid claim: the whole trail, from draft to payment.
    page.get_by_role("link", name="Time Series Analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Time Series Analysis")
    shoot(page, "claim", size)

    manager = checked_browser.new_page(viewport=SIZES[size], is_mobile=phone, has_touch=phone)
    login(manager, MANAGER, demo_password)

    manager.goto("/logs/participation/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Participation: Robotics")
    shoot(manager, "participation", size)

    manager.goto("/claims/review/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Claims to decide")
    shoot(manager, "review", size)
