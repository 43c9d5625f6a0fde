"""The review queue on a phone: a manager approves two plain claims with one action.

Every page is also checked with axe and for console errors and CSP violations (see
conftest.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, login

MANAGER = "manager@example.com"
MEMBER = "member@example.com"
# Not among the demo claims, so every row found by them is this test's.
FIRST = "Deep Learning with JAX (e2e)"
SECOND = "Designing Data-Intensive Applications (e2e)"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width} px wide in a {width} px window"


@pytest.fixture
def two_plain_claims(on_a_learning_day):
    """Two small claims of the demo member's, submitted three days ago, with nothing to check."""
    from learningday.models import User
    from reimbursements.models import Claim

    member = User.objects.get(email=MEMBER)
    submitted = on_a_learning_day - dt.timedelta(days=3)
    return [
        Claim.objects.create(
            claimant=member,
            kind="book",
            description=description,
            purchase_date=dt.date(2026, 1, day),
            amount=Decimal(amount),
            currency="EUR",
            home_amount=Decimal(amount),
            state="submitted",
            submitted_at=submitted,
        )
        for description, day, amount in ((FIRST, 8, "41.17"), (SECOND, 9, "38.43"))
    ]


def test_a_manager_approves_two_plain_claims_from_the_queue_on_a_phone(
    checked_browser, demo_password, two_plain_claims
):
    manager = checked_browser.new_page(viewport=PHONE)
    login(manager, MANAGER, demo_password)
    manager.goto("/claims/review/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Claims to decide")
    no_sideways_scroll(manager)

    for title in (FIRST, SECOND):
        row = manager.locator(".review-row").filter(has=manager.get_by_role("heading", name=title))
        expect(row).to_contain_text("Waiting 3 days")
        expect(row.get_by_role("button", name=f"Approve in full for {title} (Tom Becker)")).to_be_visible()
        row.get_by_role("checkbox", name=f"Select {title} (Tom Becker)").check()
    manager.get_by_role("button", name="Approve selected in full").click()

    status = manager.get_by_role("status")
    expect(status).to_contain_text("Approved in full, 2 claims:")
    expect(status).to_contain_text(FIRST)
    expect(status).to_contain_text(SECOND)
    expect(manager.get_by_role("heading", name=FIRST)).to_have_count(0)
    expect(manager.get_by_role("heading", name=SECOND)).to_have_count(0)
    no_sideways_scroll(manager)

    for claim in two_plain_claims:
        manager.goto(claim.get_absolute_url())
        expect(manager.locator(".page-head .state")).to_have_text("Approved")
        no_sideways_scroll(manager)
