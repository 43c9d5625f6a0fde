"""Screenshots of the main pages for the README and for reviewing the design.

Not a test module (no ``test_`` prefix), so ``make test`` leaves it alone; ``make
screenshots`` runs it: ``pytest tests/e2e/screenshots.py``. With every app's demo
data loaded, it signs in as the demo member on a fixed Learning Day and writes
full-page PNGs, desktop and phone width, to docs/screenshots/<page>-<desktop|phone>.png.
The pages get the same axe, console and CSP checks as the browser tests.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, login

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MEMBER = "member@example.com"
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def shoot(page: Page, name: str, size: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"{name}-{size}.png", full_page=True, animations="disabled", caret="hide")


@pytest.fixture
def full_demo(on_a_learning_day, demo_data) -> None:
    """Every app's demo data, as `make demo` loads it, so the pages look lived in."""
    call_command("seed_demo", force=True, stdout=StringIO())


@pytest.mark.parametrize("size", SIZES)
def test_screenshots(checked_browser, full_demo, demo_password, size):
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
