"""A claim that fills itself in: a photo of a receipt is attached and read by the real OCR,
the amount, date and shop are proposed and marked, the person corrects one and submits.

Every page is also checked with axe and for console errors and CSP violations (see
conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login
from tests.reimbursements.receipt_files import receipt_photo

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")

SHOP = "Hugendubel Berlin"
BOOK = "The Art of Statistics (e2e)"


@pytest.fixture
def reading_on(settings):
    """Receipts are read, as in production (the suite turns it off elsewhere: it takes seconds)."""
    settings.RECEIPT_READING = True


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A till receipt as a phone sends it: the shop, the date, a book, and the total next to its word."""
    path = tmp_path / "bon.jpg"
    path.write_bytes(
        receipt_photo(
            [
                (SHOP, ""),
                ("Marienplatz 22, 80331 München", ""),
                ("12.01.2026 16:41", ""),
                ("Spiegelhalter: Art of Statistics", "18,00"),
                ("SUMME EUR", "18,00"),
                ("Gegeben BAR", "20,00"),
                ("Rückgeld", "2,00"),
            ]
        )
    )
    return path


@pytest.mark.usefixtures("reading_on")
def test_a_photo_is_read_the_person_corrects_one_field_and_submits(checked_browser, demo_password, photo):
    page = checked_browser.new_page(viewport=PHONE)
    login(page, "member@example.com", demo_password)
    page.goto("/claims/new/")

    page.get_by_label("What it was for").fill(BOOK)
    page.get_by_label("Receipts").set_input_files(photo)
    page.get_by_role("button", name="Attach and read the receipt").click()

    # Proposed from the receipt, each marked as read from it; what was typed stays.
    labels = ("Amount:", "Purchase date:", "Bought from:")
    amount, day, shop = (page.get_by_label(label, exact=True) for label in labels)
    expect(amount).to_have_value("18.00")  # the total, not the cash given
    expect(day).to_have_value("2026-01-12")
    expect(shop).to_have_value(SHOP)
    for field in (amount, day, shop):
        expect(field).to_have_accessible_description(re.compile("Read from the receipt"))
    expect(page.get_by_label("What it was for")).to_have_value(BOOK)
    expect(page.get_by_role("status").filter(has_text="Read from it")).to_contain_text("18.00")

    # The shop printed its street on the next line; the person gives the shop's name only.
    shop.fill("Hugendubel")
    page.get_by_role("button", name="Submit for approval").click()

    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    facts = page.get_by_role("region", name="The claim")
    expect(facts).to_contain_text("€18.00")
    expect(facts).to_contain_text("Purchase date12 January 2026")
    expect(facts).to_contain_text("Bought fromHugendubel")
    expect(facts).not_to_contain_text(SHOP)
    expect(page.get_by_role("link", name=re.compile(r"bon\.jpg"))).to_be_visible()
