"""Claims in a real browser: a book claim from receipt to payment, by three people, its
form coming back once with an error and keeping the receipt.

Every page these tests open is also checked with axe and for console errors and CSP
violations (see conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import login

MEMBER = "member@example.com"
MANAGER = "manager@example.com"
FINANCE = "finance@example.com"
# Not among the demo claims, so every row and link found by it is this test's claim.
BOOK = "Probabilistic Machine Learning: An Introduction (e2e)"
REFERENCE = "LD-2026-0115-E2E"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


@pytest.fixture
def receipt_jpeg(tmp_path: Path) -> Path:
    """A photo of a till receipt, as a phone would send it."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(["BUCHHANDLUNG AM MARKT", "", "Murphy: Probabilistic ML", "", "TOTAL 37.50 EUR"]):
        draw.text((40, 60 + row * 40), text, fill="black")
    path = tmp_path / "receipt-murphy.jpg"
    image.save(path, "JPEG", quality=85)
    return path


def test_a_book_claim_goes_from_receipt_to_payment(checked_browser, live_server, demo_password, receipt_jpeg):
    # --- The member files the claim with a photo of the receipt.
    member = checked_browser.new_page()
    login(member, MEMBER, demo_password)
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Claims").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Books, tutors and courses")
    budget = member.get_by_role("region", name="Your 2026 budget")
    # The demo member's 2026: The Book of Why (€24.00) waits for a decision.
    expect(budget.get_by_role("definition")).to_have_text(["€0.00", "€24.00", "€976.00", "€1,000.00"])
    member.get_by_role("link", name="New claim").click()

    expect(member).to_have_url(f"{live_server.url}/claims/new/")
    # The amount charged in euros is on the form from the start, shown only for another currency.
    home_amount = member.get_by_label("Amount charged in EUR")
    expect(member.get_by_label("Currency")).to_have_value("EUR")
    expect(home_amount).to_be_hidden()
    member.get_by_label("Currency").select_option("USD")
    expect(home_amount).to_be_visible()
    member.get_by_label("Currency").select_option("EUR")
    expect(home_amount).to_be_hidden()

    # The first try forgets what it was for: the form comes back, and the receipt with it.
    member.get_by_label("Kind").select_option(label="Book")
    member.get_by_label("Bought from").fill("Buchhandlung am Markt")
    member.get_by_label("Purchase date").fill("2026-01-12")
    member.get_by_label("Amount:", exact=True).fill("37.50")
    member.get_by_label("Receipts").set_input_files(receipt_jpeg)
    member.get_by_role("button", name="Submit for approval").click()

    expect(member.get_by_role("alert")).to_contain_text("What it was for: Say what it was for.")
    expect(member.get_by_label("What it was for")).to_be_focused()
    expect(member.get_by_label("Amount:", exact=True)).to_have_value("37.50")
    kept = member.locator(".pending-list li")
    expect(kept).to_have_text(
        [re.compile(r"^\s*receipt-murphy\.jpg, \d+ kB, attached\s+Remove receipt-murphy\.jpg\s*$")]
    )
    expect(member.get_by_role("checkbox", name="Remove receipt-murphy.jpg")).not_to_be_checked()
    expect(member.get_by_label("Receipts")).to_have_value("")  # nothing to attach again
    member.get_by_label("What it was for").fill(BOOK)
    member.get_by_role("button", name="Submit for approval").click()

    expect(member).to_have_url(re.compile(r"/claims/\d+/$"))
    claim_url = member.url
    expect(member.get_by_role("status")).to_contain_text("Submitted. Your manager decides it")
    expect(member.get_by_role("heading", level=1)).to_have_text(BOOK)
    expect(member.locator(".page-head .state")).to_have_text("Submitted")
    receipt = member.get_by_role("region", name="Receipts").get_by_role("img", name="Receipt 1: receipt-murphy.jpg")
    expect(receipt).to_be_visible()
    # Visible is not yet loaded: wait for the picture itself (a broken one never gets a width).
    member.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=receipt.element_handle())

    # --- The manager approves it from the review queue.
    manager = checked_browser.new_page()
    login(manager, MANAGER, demo_password)
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Claims to decide")
    row = manager.get_by_role("listitem").filter(has=manager.get_by_role("heading", name=BOOK))
    expect(row).to_contain_text("Tom Becker · Book · €37.50")
    expect(row).to_contain_text("bought 12 Jan 2026")
    expect(row.get_by_role("img", name=f"Receipt for {BOOK}")).to_be_visible()
    row.get_by_role("link", name=BOOK).click()

    expect(manager).to_have_url(claim_url)
    decide = manager.get_by_role("region", name="Decide")
    expect(decide).to_contain_text("Tom Becker's 2026 budget: €0.00 spent, €61.50 waiting, €938.50 left.")
    # The full amount, to approve as it is (shown as 37.500 for now: see the report).
    expect(decide.get_by_label("Approve (EUR)")).to_have_value(re.compile(r"^37\.50+$"))
    decide.get_by_role("button", name="Approve").click()

    expect(manager.get_by_role("status")).to_contain_text("Approved. Finance pays it and the claimant is told.")
    expect(manager.locator(".page-head .state")).to_have_text("Approved")
    expect(manager.get_by_role("region", name="Decide")).to_have_count(0)

    # --- Finance pays it, with a payment reference.
    finance = checked_browser.new_page()
    login(finance, FINANCE, demo_password)
    finance.get_by_role("navigation", name="Main").get_by_role("link", name="Finance").click()
    expect(finance).to_have_url(f"{live_server.url}/claims/finance/")
    finance.get_by_role("checkbox", name=re.compile(rf"^Pay claim \d+: {re.escape(BOOK)}$")).check()
    finance.get_by_label("Payment reference").fill(REFERENCE)
    finance.get_by_role("button", name="Mark ticked claims paid").click()

    expect(finance.get_by_role("status")).to_contain_text("Marked 1 claim paid.")
    paid = finance.get_by_role("row").filter(has=finance.get_by_role("link", name=BOOK))
    expect(paid.get_by_role("cell").last).to_have_text(re.compile(rf"^Paid\s*{REFERENCE}$"))
    expect(paid.get_by_role("checkbox")).to_have_count(0)

    # --- The member sees the whole trail, and the budget spent.
    member.reload()
    expect(member.locator(".page-head .state")).to_have_text("Paid")
    facts = member.get_by_role("region", name="The claim")
    expect(facts).to_contain_text("Approved€37.50")
    expect(facts).to_contain_text(f"Payment reference{REFERENCE}")
    trail = member.get_by_role("region", name="Trail").get_by_role("listitem")
    at = r"^\s*15 Jan 2026, 09:\d\d\s+— "  # in the member's time zone, Europe/Berlin
    expect(trail).to_have_text(
        [
            re.compile(at + r"Tom Becker started it as a draft\s*$"),
            re.compile(at + r"Tom Becker: submitted\s*$"),
            re.compile(at + r"Maja Schneider: approved\s+\(€37\.50\)\s*$"),
            re.compile(at + rf"Fiona Gruber: paid\s+“Payment reference {REFERENCE}”\s*$"),
        ]
    )

    member.get_by_role("link", name="← Claims").click()
    expect(member).to_have_url(f"{live_server.url}/claims/")
    budget = member.get_by_role("region", name="Your 2026 budget")
    expect(budget.get_by_role("definition")).to_have_text(["€37.50", "€24.00", "€938.50", "€1,000.00"])
    expect(budget.get_by_role("img")).to_have_accessible_name(
        "€37.50 approved or paid, €24.00 waiting, €938.50 left of €1,000.00"
    )
    mine = member.get_by_role("row").filter(has=member.get_by_role("link", name=BOOK))
    expect(mine.get_by_role("cell")).to_have_text([f"{BOOK} (book)", "12 Jan 2026", "€37.50", "Paid"])
