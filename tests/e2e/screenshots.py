"""Screenshots of the main pages for the README and for reviewing the design.

Not a test module (no ``test_`` prefix), so ``make test`` leaves it alone; ``make
screenshots`` runs it: ``pytest tests/e2e/screenshots.py``. With every app's demo
data loaded, it signs in as the demo member on a fixed Learning Day and writes
full-page PNGs at desktop and phone width, in the light and the dark colour scheme, to
docs/screenshots/<page>-<desktop|phone>.png (light) and <page>-<desktop|phone>-dark.png;
then the pages only a manager sees, signed in as the demo manager, the finance page,
signed in as the demo finance person, and the organisation's impact, signed in as the demo
leadership person. The pages get the same axe, console and CSP checks
as the browser tests, in both schemes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, login

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MEMBER = "member@example.com"
MANAGER = "manager@example.com"
FINANCE = "finance@example.com"
LEADERSHIP = "leadership@example.com"
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")


def _shoot(page: Page, name: str, size: str, scheme: str) -> None:
    # A page wider than the screen makes a phone zoom out (and the PNG wider than the phone).
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide at {size} size"
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else f"-{scheme}"
    page.screenshot(path=OUT / f"{name}-{size}{suffix}.png", full_page=True, animations="disabled", caret="hide")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_screenshots(checked_browser, on_a_learning_day, demo_data, demo_password, size, scheme):
    phone = size == "phone"

    def new_page() -> Page:
        return checked_browser.new_page(viewport=SIZES[size], is_mobile=phone, has_touch=phone, color_scheme=scheme)

    def shoot(page: Page, name: str) -> None:
        _shoot(page, name, size, scheme)

    page = new_page()

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    shoot(page, "login")

    login(page, MEMBER, demo_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tom Becker")
    shoot(page, "dashboard")

    page.goto("/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    shoot(page, "profile")

    page.goto("/logs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning log")
    shoot(page, "feed")

    page.goto("/logs/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What did you learn today?")
    shoot(page, "log-form")

    page.goto("/reading/?team=robotics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading list: Robotics")
    shoot(page, "reading-list")

    page.get_by_role("link", name="Weight Agnostic Neural Networks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weight Agnostic Neural Networks")
    shoot(page, "reading-item")

    page.goto("/claims/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Books, tutors and courses")
    shoot(page, "claims")

    page.get_by_role("link", name="New claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New claim")
    shoot(page, "claim-form")
    page.goto("/claims/")

    # A paid claim: the whole trail, from draft to payment.
    page.get_by_role("link", name="Time Series Analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Time Series Analysis")
    shoot(page, "claim")

    page.goto("/growth/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My growth")
    shoot(page, "growth")

    manager = new_page()
    login(manager, MANAGER, demo_password)

    manager.goto("/logs/participation/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Participation: Robotics")
    shoot(manager, "participation")

    manager.goto("/claims/review/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Claims to decide")
    shoot(manager, "review")

    finance = new_page()
    login(finance, FINANCE, demo_password)
    finance.goto("/claims/finance/")
    expect(finance.get_by_role("heading", level=1)).to_have_text("Approved and paid claims")
    shoot(finance, "finance")

    leadership = new_page()
    login(leadership, LEADERSHIP, demo_password)
    leadership.goto("/impact/")
    expect(leadership.get_by_role("heading", level=1)).to_have_text("The organisation's impact")
    shoot(leadership, "impact")
