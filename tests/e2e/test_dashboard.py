"""The dashboard on a phone: a claim sent back with the manager's note, and the count of
claims to review in the navigation, read by its words (not only a coloured badge).

Every page is also checked with axe and for console errors and CSP violations (see
conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login
from tests.e2e.keyboard import assert_no_sideways_scroll

MANAGER = "manager@example.com"
MEMBER = "member@example.com"
SENT_BACK = "Deep Learning with JAX (e2e dashboard)"
NOTE = "Please attach the invoice, not the order confirmation."

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


@pytest.fixture
def sent_back(on_a_learning_day):
    from learningday.models import User
    from reimbursements import services
    from reimbursements.models import Claim

    member = User.objects.get(email=MEMBER)
    manager = User.objects.get(email=MANAGER)
    claim = Claim.objects.create(
        claimant=member,
        kind="book",
        description=SENT_BACK,
        purchase_date=dt.date(2026, 1, 8),
        amount=Decimal("41.17"),
        currency="EUR",
        home_amount=Decimal("41.17"),
        state="submitted",
        submitted_at=on_a_learning_day - dt.timedelta(days=2),
    )
    return services.claim_request_changes(user=manager, claim=claim, note=NOTE)


def test_a_member_finds_the_note_on_the_dashboard_and_a_manager_the_count(checked_browser, demo_password, sent_back):
    member = checked_browser.new_page(viewport=PHONE)
    login(member, MEMBER, demo_password)
    member.goto("/")
    waiting = member.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text(NOTE)
    assert_no_sideways_scroll(member)
    expect(member.get_by_role("region", name=re.compile(r"learning budget"))).to_contain_text("left of")
    expect(member.get_by_role("link", name=re.compile(r"to review"))).to_have_count(0)
    waiting.get_by_role("link", name=SENT_BACK).click()
    expect(member).to_have_url(re.compile(rf"/claims/{sent_back.pk}/$"))

    manager = checked_browser.new_page(viewport=PHONE)
    login(manager, MANAGER, demo_password)
    manager.goto("/")
    manager.get_by_role("button", name=re.compile(r"^Menu")).click()
    # The badge shows the number; the link's name says what it means (Chromium puts a space
    # before the visually hidden part).
    expect(manager.get_by_role("link", name=re.compile(r"^Review ?, \d+ to review$"))).to_be_visible()
