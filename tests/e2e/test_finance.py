"""Finance on a phone: every approved claim ticked with one click, the total seen, all paid
with one action; the page never scrolls sideways. Checked with axe, for console errors and
CSP violations like every browser test (see conftest.py). The page without the script (a
"Tick all" link the server answers) is tested in tests/reimbursements/test_finance.py."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reimbursements.models import Claim
from reimbursements.money import format_money
from tests.e2e.conftest import PHONE, login
from tests.e2e.keyboard import assert_no_sideways_scroll

FINANCE = "finance@example.com"
REFERENCE = "LD-2026-0115-ALL"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def test_finance_pays_every_approved_claim_with_one_click_and_one_action(checked_browser, demo_password):
    approved = list(Claim.objects.filter(state="approved").order_by("pk"))
    assert len(approved) >= 2, "the demo data should have at least two approved claims to pay"
    total = format_money(sum((c.approved_amount for c in approved), Decimal(0)), "EUR")
    count = len(approved)

    page = checked_browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, FINANCE, demo_password)
    page.goto("/claims/finance/?state=approved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approved and paid claims")
    assert_no_sideways_scroll(page)

    # The script replaced the no-JavaScript link with a box; nothing is ticked yet.
    expect(page.get_by_role("link", name=re.compile("^Tick all"))).to_be_hidden()
    select_all = page.get_by_role("checkbox", name=f"Select all {count} claims to pay")
    expect(select_all).not_to_be_checked()
    totals = page.locator("[data-pay-total]")
    expect(totals).to_have_text(f"Ticked: 0 of {count}, €0.00")

    select_all.check()
    for claim in approved:
        expect(page.get_by_role("checkbox", name=re.compile(rf"^Pay claim {claim.pk}: "))).to_be_checked()
    expect(totals).to_have_text(f"Ticked: {count} of {count}, {total}")

    # Unticking one shows the box as partly ticked and takes its amount off; ticking it again adds it.
    first = page.get_by_role("checkbox", name=re.compile(rf"^Pay claim {approved[0].pk}: "))
    first.uncheck()
    assert select_all.evaluate("box => box.indeterminate")
    rest = format_money(sum((c.approved_amount for c in approved[1:]), Decimal(0)), "EUR")
    expect(totals).to_have_text(f"Ticked: {count - 1} of {count}, {rest}")
    first.check()
    expect(select_all).to_be_checked()
    assert_no_sideways_scroll(page)

    page.get_by_label("Payment reference").fill(REFERENCE)
    page.get_by_role("button", name="Mark ticked claims paid").click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Marked {count} claims paid. Total {total}, payment reference {REFERENCE}."
    )
    assert Claim.objects.filter(state="approved").count() == 0
    assert Claim.objects.filter(state="paid", payment_reference=REFERENCE).count() == count
    # Paid claims show a tick and a filled badge; none is left to tick.
    expect(page.get_by_role("checkbox", name=re.compile("^Pay claim"))).to_have_count(0)
    paid = page.locator(".state-paid").first
    expect(paid).to_have_text("Paid")
    assert paid.evaluate("el => getComputedStyle(el, '::before').content").startswith('"✓')
    assert_no_sideways_scroll(page)
