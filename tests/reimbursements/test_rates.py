"""A foreign purchase at the ECB's reference rate of its day, and the reviewer's flag when the
amount charged is more than 5% away from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reimbursements import rates
from reimbursements.models import Claim
from tests.conftest import NOW
from tests.factories import ClaimFactory

# The ECB's rates of Monday 4 August 2014 and Friday 1 August 2014: 1 EUR = 1.3422 and 1.3395 USD.
MONDAY = dt.date(2014, 8, 4)


def test_the_rate_of_the_purchase_day():
    ref = rates.reference(amount=Decimal("100.00"), currency="USD", day=MONDAY, home="EUR")
    assert (ref.amount, ref.rate_date) == (Decimal("74.50"), MONDAY)


def test_a_weekend_purchase_takes_the_last_rate_published_before_it():
    ref = rates.reference(amount=Decimal("100.00"), currency="USD", day=dt.date(2014, 8, 3), home="EUR")
    assert ref.rate_date == dt.date(2014, 8, 1)
    assert ref.amount == Decimal("74.65")


def test_another_home_currency_crosses_through_the_euro():
    ref = rates.reference(amount=Decimal("1000"), currency="JPY", day=MONDAY, home="GBP")
    assert Decimal("5.5") < ref.amount < Decimal("6.0")  # about 172 yen to the pound that summer
    assert ref.amount == ref.amount.quantize(Decimal("0.01"))


def test_the_home_currency_is_itself():
    assert rates.reference(amount=Decimal("12.34"), currency="EUR", day=MONDAY, home="EUR").amount == Decimal("12.34")


def test_no_rate_for_a_currency_the_ecb_does_not_publish_or_a_day_far_past_its_history():
    assert rates.reference(amount=Decimal("10"), currency="NGN", day=MONDAY, home="EUR") is None
    assert rates.reference(amount=Decimal("10"), currency="USD", day=dt.date(2040, 1, 1), home="EUR") is None
    assert rates.reference(amount=Decimal("10"), currency="USD", day=dt.date(1990, 1, 1), home="EUR") is None


@pytest.mark.parametrize(
    ("claimed", "differs"),
    [("74.50", False), ("78.22", False), ("78.23", True), ("70.78", False), ("70.77", True), (None, False)],
)
def test_more_than_five_percent_away_differs(claimed, differs):
    ref = rates.Reference(amount=Decimal("74.50"), rate=Decimal("0.745"), rate_date=MONDAY)
    assert rates.differs(Decimal(claimed) if claimed else None, ref) is differs


@pytest.mark.django_db
@pytest.mark.parametrize(("charged", "flagged"), [("90.00", False), ("99.00", True)])
def test_the_reviewer_sees_the_reference_amount_and_a_flag_when_far_from_it(
    client, member, manager, frozen, settings, charged, flagged
):
    settings.HOME_CURRENCY = "EUR"
    day = dt.date(2026, 10, 1)
    ref = rates.reference(amount=Decimal("100.00"), currency="USD", day=day, home="EUR")
    assert Decimal("80") < ref.amount < Decimal("95")
    claim = ClaimFactory(
        claimant=member,
        state=Claim.State.SUBMITTED,
        currency="USD",
        amount=Decimal("100.00"),
        home_amount=Decimal(charged),
        purchase_date=day,
        submitted_at=NOW,
        with_receipt=True,
    )
    client.force_login(manager)

    body = client.get(claim.get_absolute_url()).content.decode()

    assert f"ECB reference: €{ref.amount}" in body
    assert ("more than 5% away from" in body) is flagged
    queue = client.get("/claims/review/").content.decode()
    assert f"ECB reference €{ref.amount}" in queue
    assert ("more than 5% away from" in queue) is flagged


@pytest.mark.django_db
def test_the_slack_message_to_a_decider_words_the_flag_as_the_page_does(member, settings):
    from reimbursements.selectors import Budget, Flags
    from slackapp.claims import flag_lines

    settings.HOME_CURRENCY = "EUR"
    claim = ClaimFactory(claimant=member, currency="USD", amount=Decimal("100.00"), home_amount=Decimal("99.00"))
    ref = rates.Reference(amount=Decimal("74.50"), rate=Decimal("0.745"), rate_date=MONDAY)
    budget = Budget(year=2014, total=Decimal("1000"), spent=Decimal("0"), pending=Decimal("0"))

    lines = flag_lines(claim, Flags(reference=ref, rate_differs=True), budget)

    assert lines == ["The amount charged, €99.00, is more than 5% away from €74.50 at the ECB's reference rate of "
                     "Monday 4 August 2014."]  # fmt: skip
    assert flag_lines(claim, Flags(reference=ref), budget) == []


# --- A fresher history, fetched daily when ECB_RATES_URL is set ------------------------------


def _zip(csv: str) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("eurofxref-hist.csv", csv)
    return out.getvalue()


@pytest.fixture
def rates_server():
    from http.server import BaseHTTPRequestHandler

    from tests.local_http import LocalServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = self.server.fake.body
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(LocalServer):
        handler = Handler
        body = b""

    server = Server()
    server.start()
    yield server
    server.stop()


def test_a_fetched_history_is_used_from_then_on(rates_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    day = dt.date(2030, 1, 2)  # after the shipped history
    assert rates.reference(amount=Decimal("10"), currency="USD", day=day, home="EUR") is None
    rates_server.body = _zip("Date,USD,JPY,\n2030-01-02,2.0000,100.00,\n2029-12-31,1.2500,120.00,\n")

    assert tasks_refresh(settings, rates_server.url) is True

    assert rates.reference(amount=Decimal("10"), currency="USD", day=day, home="EUR").amount == Decimal("5.00")


def test_a_broken_download_leaves_the_rates_as_they_were(rates_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    rates_server.body = b"<html>Service unavailable</html>"

    assert tasks_refresh(settings, rates_server.url) is False

    assert not rates.rates_file().exists()
    assert rates.reference(amount=Decimal("100.00"), currency="USD", day=MONDAY, home="EUR").amount == Decimal("74.50")


def test_without_a_url_nothing_is_fetched(settings):
    from reimbursements import tasks

    settings.ECB_RATES_URL = ""
    assert tasks.refresh_exchange_rates.delay().get() is False


def tasks_refresh(settings, url: str) -> bool:
    from reimbursements import tasks

    settings.ECB_RATES_URL = f"{url}/eurofxref-hist.zip"
    return tasks.refresh_exchange_rates.delay().get()
