"""The claim form proposes what an attached receipt says: read by a task after upload,
filled into the fields the person left empty, marked, and never saved without their submit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reimbursements import receipt_ocr, tasks
from reimbursements.models import Claim, PendingReceipt
from reimbursements.receipt_reading import Proposal
from tests.factories import ItemFactory
from tests.reimbursements.receipt_files import receipt_photo
from tests.reimbursements.test_pending_receipts import field_input, keep_for, kept_ids, parse
from tests.reimbursements.test_views import claim_form, upload

pytestmark = pytest.mark.django_db

THALIA = Proposal(
    amount=Decimal("24.99"),
    currency="EUR",
    currency_printed=True,
    purchase_date=dt.date(2026, 11, 20),
    shop="Thalia Berlin",
    isbns=("9780465097609",),
)
EMPTY_FORM = {"kind": "book", "description": "", "vendor": "", "purchase_date": "", "amount": "", "currency": "EUR"}


@pytest.fixture
def reading(settings, monkeypatch):
    """Receipts are read, by a stand-in for the OCR that says what ``reading.proposal`` holds."""
    settings.RECEIPT_READING = True

    class Reader:
        proposal: Proposal | Exception = THALIA
        calls = 0

        def __call__(self, **kwargs):
            self.calls += 1
            if isinstance(self.proposal, Exception):
                raise self.proposal
            return self.proposal

    reader = Reader()
    monkeypatch.setattr(receipt_ocr, "read_receipt", reader)
    return reader


def read_and_post(client, captured, data: dict, files=None):
    with captured(execute=True):
        response = client.post("/claims/new/", {**data, **({"receipts": files} if files else {})})
    return response


def test_attach_and_read_keeps_the_receipt_and_shows_no_errors(
    member_client, reading, frozen, django_capture_on_commit_callbacks
):
    response = read_and_post(
        member_client, django_capture_on_commit_callbacks, {**EMPTY_FORM, "read_receipt": "1"}, [upload()]
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the amount on the receipt." not in body
    kept = PendingReceipt.objects.get()
    assert kept_ids(body) == [str(kept.pk)]
    assert kept.reading == PendingReceipt.Reading.READ  # the task ran once the post committed
    assert not Claim.objects.exists()


def test_the_next_render_without_javascript_fills_the_empty_fields_marked_as_read(
    member_client, member, reading, frozen
):
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)

    response = member_client.post("/claims/new/", {**EMPTY_FORM, "pending": kept.pk, "read_receipt": "1"})

    body = response.content.decode()
    assert field_input(body, "id_amount").get("value") == "24.99"
    assert field_input(body, "id_purchase_date").get("value") == "2026-11-20"
    assert field_input(body, "id_vendor").get("value") == "Thalia Berlin"
    assert field_input(body, "id_isbn").get("value") == "9780465097609"
    assert "read-from-receipt" in field_input(body, "id_amount").get("class")
    assert body.count("Read from the receipt: check it before you submit.") == 4
    assert "Read from it: 24.99 EUR, 20 November 2026, Thalia Berlin, ISBN 9780465097609." in body
    assert not Claim.objects.exists()


def test_what_the_person_typed_is_never_overwritten(member_client, member, reading, frozen):
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)

    body = member_client.post(
        "/claims/new/", {**EMPTY_FORM, "amount": "19.99", "pending": kept.pk, "read_receipt": "1"}
    ).content.decode()

    assert field_input(body, "id_amount").get("value") == "19.99"
    assert field_input(body, "id_amount").get("class") is None
    assert field_input(body, "id_vendor").get("value") == "Thalia Berlin"


def test_the_proposal_is_saved_only_by_the_persons_submit_with_their_correction(member_client, member, reading, frozen):
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)

    corrected = claim_form(amount="23.99", vendor="Thalia", purchase_date="2026-11-20", pending=kept.pk)
    response = member_client.post("/claims/new/", corrected)

    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.amount, claim.vendor) == (Decimal("23.99"), "Thalia")
    assert claim.receipts.count() == 1


def test_a_receipt_that_cannot_be_read_leaves_the_form_as_it_is(member_client, member, reading, frozen):
    reading.proposal = ValueError("not a receipt")
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)
    kept.refresh_from_db()
    assert (kept.reading, kept.proposal) == (PendingReceipt.Reading.UNREADABLE, None)

    response = member_client.post("/claims/new/", {**EMPTY_FORM, "pending": kept.pk, "read_receipt": "1"})

    assert response.status_code == 200
    body = response.content.decode()
    assert field_input(body, "id_amount").get("value") is None
    assert "Read from" not in body
    assert "error" not in field_input(body, "id_amount").get("class", "")


def test_a_receipt_is_read_once_however_often_the_task_runs(member, reading):
    kept = keep_for(member)
    assert tasks.read_pending_receipt.delay(kept.pk).get() == "read"
    assert tasks.read_pending_receipt.delay(kept.pk).get() == "skipped"
    assert reading.calls == 1


def test_a_foreign_receipt_proposes_the_home_amount_at_the_ecb_rate(member_client, member, reading, frozen):
    reading.proposal = Proposal(
        amount=Decimal("100.00"), currency="USD", currency_printed=True, purchase_date=dt.date(2014, 8, 4)
    )
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)

    body = member_client.post("/claims/new/", {**EMPTY_FORM, "pending": kept.pk, "read_receipt": "1"}).content.decode()

    selected = [o.get("value") for o in parse(body).iter("option") if o.get("selected") is not None]
    assert "USD" in selected
    # The ECB's reference rate of 4 August 2014: 1 EUR = 1.3422 USD.
    assert field_input(body, "id_home_amount").get("value") == "74.50"


# --- The form's script asks a JSON endpoint: its owner's only -------------------------------


def test_the_owner_gets_the_proposal_as_json(member_client, member, reading):
    kept = keep_for(member)
    assert member_client.get(f"/claims/receipts/{kept.pk}/reading/").json()["reading"] == "waiting"
    tasks.read_pending_receipt.delay(kept.pk)

    answer = member_client.get(f"/claims/receipts/{kept.pk}/reading/").json()

    assert answer["reading"] == "read"
    assert answer["fields"] == {
        "amount": "24.99",
        "currency": "EUR",
        "purchase_date": "2026-11-20",
        "vendor": "Thalia Berlin",
        "isbn": "9780465097609",
    }


def test_anyone_elses_receipt_is_not_found(client, member, outsider, reading):
    kept = keep_for(member)
    client.force_login(outsider)
    assert client.get(f"/claims/receipts/{kept.pk}/reading/").status_code == 404


def test_the_endpoint_needs_a_login(client, member, reading):
    kept = keep_for(member)
    response = client.get(f"/claims/receipts/{kept.pk}/reading/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_script_is_loaded_only_while_a_receipt_is_kept(member_client, member, reading):
    scripts = [s.get("src") for s in parse(member_client.get("/claims/new/").content.decode()).iter("script")]
    assert "/static/js/receipt-reading.js" not in scripts
    kept = keep_for(member)
    body = member_client.post("/claims/new/", {**EMPTY_FORM, "pending": kept.pk, "read_receipt": "1"}).content.decode()
    scripts = [s.get("src") for s in parse(body).iter("script")]
    assert "/static/js/receipt-reading.js" in scripts
    status = [e for e in parse(body).iter("span") if e.get("data-reading-url")]
    assert status[0].get("data-reading-url") == f"/claims/receipts/{kept.pk}/reading/"


def test_without_reading_turned_on_nothing_is_read(member_client, member, settings, monkeypatch, frozen):
    settings.RECEIPT_READING = False
    monkeypatch.setattr(receipt_ocr, "read_receipt", lambda **kwargs: pytest.fail("read while turned off"))
    member_client.post("/claims/new/", {**EMPTY_FORM, "read_receipt": "1", "receipts": [upload()]})
    assert PendingReceipt.objects.get().reading == PendingReceipt.Reading.UNREADABLE


# --- The whole way, with the real OCR (about two seconds) ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_photo_attached_and_read_proposes_amount_date_and_shop_on_the_same_render(client, member, settings):
    settings.RECEIPT_READING = True
    client.force_login(member)
    photo = receipt_photo(
        [("Hugendubel Berlin", ""), ("20.11.2026 14:02", ""), ("The Book of Why", "24,00"), ("SUMME EUR", "24,00")]
    )

    body = client.post(
        "/claims/new/", {**EMPTY_FORM, "read_receipt": "1", "receipts": [upload("bon.jpg", photo)]}
    ).content.decode()

    assert field_input(body, "id_amount").get("value") == "24.00"
    assert field_input(body, "id_purchase_date").get("value") == "2026-11-20"
    assert field_input(body, "id_vendor").get("value") == "Hugendubel Berlin"


def test_the_isbn_picks_the_book_on_the_reading_list(member_client, member, team, reading, frozen):
    book = ItemFactory(team=team, kind="book", title="The Book of Why", isbn="9780465097609")
    ItemFactory(kind="book", title="Someone else's copy", isbn="9780465097609")  # another team's list
    kept = keep_for(member)
    tasks.read_pending_receipt.delay(kept.pk)

    body = member_client.post("/claims/new/", {**EMPTY_FORM, "pending": kept.pk, "read_receipt": "1"}).content.decode()

    selected = [o.get("value") for o in parse(body).iter("option") if o.get("selected") is not None]
    assert str(book.pk) in selected
    assert member_client.get(f"/claims/receipts/{kept.pk}/reading/").json()["fields"]["item"] == str(book.pk)
