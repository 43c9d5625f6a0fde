"""The three money flows with the keyboard alone: Tab, Shift+Tab, Enter, Space and the arrow
keys, no mouse and no filling of fields from outside (only the file chooser, which a keyboard
opens as the system's own dialog, is given its file directly).

Each runs on a phone and on a desktop, in light and in dark mode; every page visited
must fit the window's width. Every page is also checked with axe, for console errors, CSP
violations and valid HTML (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from reimbursements.models import Claim
from reimbursements.money import format_money
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.keyboard import assert_no_sideways_scroll, choose_option, sign_in, tab_to, type_into

MEMBER = "member@example.com"
MANAGER = "manager@example.com"
FINANCE = "finance@example.com"
# Not among the demo claims, so every row and link found by them are this module's.
BOOK = "Pattern Recognition and Machine Learning (keyboard)"
PLAIN = "Deep Learning with JAX (keyboard)"
REFERENCE = "LD-2026-0115-KEYS"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")

# A phone and a desktop, one in each colour scheme: the scheme changes no key's behaviour, and
# every page is checked in both schemes at both sizes by test_layout (axe's contrast among them).
SCREENS = [
    pytest.param((PHONE, "light"), id="phone-light"),
    pytest.param((DESKTOP, "dark"), id="desktop-dark"),
]


@pytest.fixture(params=SCREENS)
def open_page(request, checked_browser):
    """A page opener at the screen and colour scheme of this run."""
    viewport, scheme = request.param

    def opener() -> Page:
        # en-US: the date field takes its parts month first, as the test types them.
        return checked_browser.new_page(viewport=viewport, color_scheme=scheme, locale="en-US")

    return opener


@pytest.fixture
def receipt_jpeg(tmp_path: Path) -> Path:
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(["BOOKSHOP ON THE CORNER", "", "Bishop: Pattern Recognition", "", "TOTAL 45.00 USD"]):
        draw.text((40, 60 + row * 40), text, fill="black")
    path = tmp_path / "receipt-bishop.jpg"
    image.save(path, "JPEG", quality=85)
    return path


@pytest.fixture
def plain_claim(on_a_learning_day) -> Claim:
    """A small book claim of the demo member's, submitted three days ago, with nothing to check."""
    from learningday.models import User

    return Claim.objects.create(
        claimant=User.objects.get(email=MEMBER),
        kind="book",
        description=PLAIN,
        purchase_date=dt.date(2026, 1, 8),
        amount=Decimal("41.17"),
        currency="EUR",
        home_amount=Decimal("41.17"),
        state="submitted",
        submitted_at=on_a_learning_day - dt.timedelta(days=3),
    )


def follow_main_link(page: Page, name: str) -> None:
    """Tab to a link of the main navigation and follow it with Enter.

    Where a phone's header folds the navigation behind a Menu button, Enter opens it first.
    """
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(rf"^{name}\b"))
    menu = page.get_by_role("button", name=re.compile(r"^Menu\b"))
    if menu.count() and menu.is_visible() and not link.is_visible():
        tab_to(page, menu)
        page.keyboard.press("Enter")
        expect(link).to_be_visible()
    tab_to(page, link)
    page.keyboard.press("Enter")


def test_a_member_claims_a_book_fixes_the_form_and_keeps_the_receipt(open_page, demo_password, receipt_jpeg):
    page = open_page()
    sign_in(page, MEMBER, demo_password)
    assert_no_sideways_scroll(page)
    follow_main_link(page, "Claims")
    expect(page.get_by_role("heading", level=1)).to_have_text("Books, tutors and courses")
    assert_no_sideways_scroll(page)
    tab_to(page, page.get_by_role("link", name="New claim"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("New claim")
    assert_no_sideways_scroll(page)
    choose_option(page, page.get_by_label("Kind"), "Book")
    type_into(page, page.get_by_label("What it was for"), BOOK)
    type_into(page, page.get_by_label("Bought from"), "Bookshop on the corner")
    purchase_date = page.get_by_label("Purchase date")
    tab_to(page, purchase_date)
    page.keyboard.type("01122026")  # month, day, year: the en-US order of the date's parts
    expect(purchase_date).to_have_value("2026-01-12")
    type_into(page, page.get_by_label("Amount:", exact=True), "45.00")
    # Dollars, and the amount charged in euros forgotten: the form comes back.
    currency = page.get_by_label("Currency")
    choose_option(page, currency, currency.locator("option[value='USD']").inner_text().strip())
    home_amount = page.get_by_label("Amount charged in EUR")
    expect(home_amount).to_be_visible()
    receipts = page.get_by_label("Receipts")
    tab_to(page, receipts)
    receipts.set_input_files(receipt_jpeg)  # a keyboard opens the system's file dialog here
    tab_to(page, page.get_by_role("button", name="Submit for approval"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Give the amount in EUR that you were actually charged.")
    assert_no_sideways_scroll(page)
    expect(page.locator(".pending-list li")).to_have_text(
        [re.compile(r"^\s*receipt-bishop\.jpg, \d+ kB, attached\s+Remove receipt-bishop\.jpg\s*$")]
    )
    expect(page.get_by_role("checkbox", name="Remove receipt-bishop.jpg")).not_to_be_checked()
    expect(page.get_by_label("What it was for")).to_have_value(BOOK)
    expect(home_amount).to_be_focused()  # the field to fix, without looking for it
    page.keyboard.type("41.87")
    tab_to(page, page.get_by_role("button", name="Submit for approval"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    expect(page.get_by_role("heading", level=1)).to_have_text(BOOK)
    expect(page.locator(".page-head .state")).to_have_text("Submitted")
    facts = page.get_by_role("region", name="The claim")
    expect(facts).to_contain_text("US$45.00")
    expect(facts).to_contain_text("€41.87")
    receipt = page.get_by_role("region", name="Receipts").get_by_role("img", name="Receipt 1: receipt-bishop.jpg")
    expect(receipt).to_be_visible()
    assert_no_sideways_scroll(page)


def test_a_manager_approves_a_claim_from_the_queue_with_one_key(open_page, demo_password, plain_claim):
    page = open_page()
    sign_in(page, MANAGER, demo_password)
    assert_no_sideways_scroll(page)
    follow_main_link(page, "Review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims to decide")
    assert_no_sideways_scroll(page)
    approve = page.get_by_role("button", name=f"Approve in full for {PLAIN} (Tom Becker)")
    tab_to(page, approve, presses=80)
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(f"Approved “{PLAIN}”")
    expect(page.get_by_role("heading", name=PLAIN)).to_have_count(0)
    assert_no_sideways_scroll(page)
    plain_claim.refresh_from_db()
    assert plain_claim.state == "approved"
    assert plain_claim.approved_amount == Decimal("41.17")


def test_finance_pays_two_claims_with_one_action(open_page, demo_password):
    approved = list(Claim.objects.filter(state="approved"))
    assert len(approved) == 2, "the demo data has two approved claims, of Lena's and Omar's"
    total = format_money(sum((c.approved_amount for c in approved), Decimal(0)), "EUR")

    page = open_page()
    sign_in(page, FINANCE, demo_password)
    assert_no_sideways_scroll(page)
    follow_main_link(page, "Finance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approved and paid claims")
    assert_no_sideways_scroll(page)

    select_all = page.get_by_role("checkbox", name="Select all 2 claims to pay")
    tab_to(page, select_all)
    page.keyboard.press("Space")
    expect(select_all).to_be_checked()
    expect(page.locator("[data-pay-total]")).to_have_text(f"Ticked: 2 of 2, {total}")
    type_into(page, page.get_by_label("Payment reference"), REFERENCE)
    tab_to(page, page.get_by_role("button", name="Mark ticked claims paid"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(
        f"Marked 2 claims paid. Total {total}, payment reference {REFERENCE}."
    )
    expect(page.get_by_role("checkbox", name=re.compile("^Pay claim"))).to_have_count(0)
    assert_no_sideways_scroll(page)
    assert Claim.objects.filter(state="paid", payment_reference=REFERENCE).count() == 2
