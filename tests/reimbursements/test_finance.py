"""The finance page as finance reads it: select all (with and without the script), the total
of the ticked claims, Approved and Paid told apart by more than colour, and the CSV's money."""

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders

from reimbursements.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


@pytest.fixture
def finance_client(client, finance_user):
    client.force_login(finance_user)
    return client


@pytest.fixture
def claims(member):
    common = {"claimant": member, "decided_at": DECIDED}
    return {
        "course": ClaimFactory(
            description="Course",
            state="approved",
            amount=Decimal("120.50"),
            approved_amount=Decimal("120.50"),
            **common,
        ),
        "book": ClaimFactory(
            description="Book", state="approved", amount=Decimal("24.90"), approved_amount=Decimal("24.90"), **common
        ),
        "paid": ClaimFactory(
            description="Paid book",
            state="paid",
            approved_amount=Decimal("30.00"),
            payment_reference="LD-1",
            **common,
        ),
    }


def text(response) -> str:
    """The page as words, tags removed and spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def test_the_page_offers_select_all_and_the_total_to_pay(finance_client, claims):
    response = finance_client.get("/claims/finance/")
    page = response.content.decode()
    # The script's box, hidden until the script shows it; the link that works without it.
    assert re.search(r'<p class="select-all" data-select-all hidden>', page)
    assert '<label for="pay-all">Select all 2 claims to pay</label>' in page
    assert re.search(r'<a href="\?tick=all#pay">Tick all 2 claims to pay</a>', page)
    assert "To pay on this page: 2 claims, €145.40" in text(response)
    assert '<script src="/static/js/finance.js" defer></script>' in page
    # Each box carries its amount in cents for the script's exact sum; none is ticked yet.
    assert re.search(
        r'value="{}" id="pay-{}" data-amount="12050"'.format(claims["course"].pk, claims["course"].pk), page
    )
    assert " checked" not in page


def test_without_the_script_tick_all_ticks_every_claim_to_pay(finance_client, claims):
    response = finance_client.get("/claims/finance/?state=approved&tick=all")
    page = response.content.decode()
    assert page.count(" checked>") == 2
    assert "Ticked: 2 of 2, €145.40" in text(response)
    # The way back keeps the filter and drops the ticks.
    assert '<a href="?state=approved#pay">Untick all</a>' in page
    # The CSV link keeps the filter, not the ticks.
    assert 'export.csv?state=approved"' in page


def test_paying_ticked_claims_confirms_the_count_total_and_reference(finance_client, claims):
    response = finance_client.post(
        "/claims/finance/paid/",
        {"claims": [claims["course"].pk, claims["book"].pk], "reference": " LD-2026-07 "},
        follow=True,
    )
    assert "Marked 2 claims paid. Total €145.40, payment reference LD-2026-07." in text(response)
    assert set(Claim.objects.filter(state="paid").values_list("description", flat=True)) == {
        "Course",
        "Book",
        "Paid book",
    }
    # Nothing left to pay: no select-all, no total.
    assert "Select all" not in text(response)
    assert "To pay on this page" not in text(response)


def test_approved_and_paid_differ_by_more_than_colour(finance_client, claims):
    page = finance_client.get("/claims/finance/").content.decode()
    assert page.count('<span class="state state-due">Approved</span>') == 2
    assert page.count('<span class="state state-paid">Paid</span>') == 1
    with open(finders.find("css/site.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    # A dashed outline with an open circle for "to pay"; filled with a tick for "paid".
    assert re.search(r"\.state-due \{[^}]*border-style: dashed", css)
    assert re.search(r'\.state-due::before \{ content: "○ "', css)
    assert re.search(r"\.state-paid \{[^}]*background: var\(--ok\)", css)
    assert re.search(r'\.state-paid::before \{ content: "✓ "', css)


def test_the_script_is_a_static_file_collected_with_the_stylesheet():
    """Found by the finders, so collectstatic copies it and WhiteNoise serves it (the browser
    test in tests/e2e/test_finance.py runs it under the strict CSP)."""
    path = finders.find("js/finance.js")
    assert path, "static/js/finance.js is not found by the static files finders"
    with open(path, encoding="utf-8") as file:
        script = file.read()
    assert "data-select-all" in script and "data-pay-total" in script


def test_the_export_writes_three_decimals_for_a_three_decimal_currency(finance_client, member):
    ClaimFactory(
        claimant=member,
        description="Course in dinars",
        state="approved",
        amount=Decimal("12.5"),
        currency="KWD",
        home_amount=Decimal("37.1"),
        approved_amount=Decimal("37.1"),
        decided_at=DECIDED,
    )
    response = finance_client.get("/claims/finance/export.csv")
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert (row["amount"], row["currency"], row["home_amount"], row["approved_amount"]) == (
        "12.500",
        "KWD",
        "37.10",
        "37.10",
    )
