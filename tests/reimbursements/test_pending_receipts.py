"""Receipts survive errors: a receipt attached to a claim form that comes back with errors is
kept for its owner (pending), shown again with a way to remove it, and filed with the claim
when the form is sent again; nobody else can use it; one never used is gone after a day."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import html5lib
import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reimbursements import pending, services, tasks
from reimbursements.models import Claim, PendingReceipt, Receipt
from reimbursements.receipts import process_receipt
from tests.conftest import NOW
from tests.factories import ClaimFactory, jpeg_bytes
from tests.reimbursements.test_views import claim_form, upload

pytestmark = pytest.mark.django_db


def photo_bytes(side: int = 320) -> bytes:
    """A JPEG of noise: hundreds of kB, as a phone photo is, where a blank one is a few hundred bytes."""
    noise = random.Random(side).randbytes(side * side * 3)  # noqa: S311  (test pixels, the same every run)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def stored_files(settings) -> set[str]:
    """Every file in the receipts storage, as names relative to it."""
    root = settings.MEDIA_ROOT / "receipts"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def parse(body: str):
    return html5lib.parse(body, namespaceHTMLElements=False)


def field_input(body: str, element_id: str):
    found = [e for e in parse(body).iter("input") if e.get("id") == element_id]
    assert len(found) == 1, f"one input #{element_id}"
    return found[0]


def kept_ids(body: str) -> list[str]:
    return [e.get("value") for e in parse(body).iter("input") if e.get("name") == "pending"]


def keep_for(user, name: str = "theirs.jpg") -> PendingReceipt:
    return pending.pending_receipt_keep(user=user, processed=process_receipt(data=jpeg_bytes("red"), filename=name))


# --- An error keeps the receipt, and the corrected form files it ------------------------------


def test_a_missing_description_keeps_the_receipt_and_the_corrected_submit_files_it_once(
    member_client, member, manager, frozen, settings
):
    response = member_client.post(
        "/claims/new/", {**claim_form(description=""), "receipts": [upload("receipt-murphy.jpg", photo_bytes())]}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what it was for." in body
    kept = PendingReceipt.objects.get()
    assert (kept.owner, kept.original_name) == (member, "receipt-murphy.jpg")
    assert 10 * 1024 < kept.size < 1024 * 1024
    assert f"receipt-murphy.jpg, {round(kept.size / 1024)} kB, attached" in body
    assert "no need to attach it again" in body
    assert kept_ids(body) == [str(kept.pk)]
    files_before = stored_files(settings)
    assert files_before == {kept.file.name, kept.thumbnail.name}
    assert not Claim.objects.exists()

    # Sent again with the description and no file: the kept receipt is the claim's.
    response = member_client.post("/claims/new/", {**claim_form(), "pending": kept_ids(body)}, follow=True)

    claim = Claim.objects.get()
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert "Submitted" in response.content.decode()
    assert claim.state == "submitted"
    receipt = claim.receipts.get()
    assert (receipt.original_name, receipt.size, receipt.sha256) == (kept.original_name, kept.size, kept.sha256)
    assert (receipt.file.name, receipt.thumbnail.name) == (kept.file.name, kept.thumbnail.name)
    assert not PendingReceipt.objects.exists()
    assert stored_files(settings) == files_before  # the files were written once, and are the receipt's
    served = member_client.get(f"/claims/{claim.pk}/receipt/{receipt.pk}/")
    assert b"".join(served.streaming_content) == receipt.file.open("rb").read()


def test_a_foreign_currency_without_the_home_amount_keeps_the_receipt_until_it_is_given(member_client, member, frozen):
    response = member_client.post(
        "/claims/new/", {**claim_form(currency="USD", amount="26.00"), "receipts": [upload()]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "home_amount": ["Give the amount in EUR that you were actually charged."]
    }
    body = response.content.decode()
    assert "receipt.jpg" in body and "attached" in body

    corrected = {**claim_form(currency="USD", amount="26.00", home_amount="24.10"), "pending": kept_ids(body)}
    assert member_client.post("/claims/new/", corrected).status_code == 302

    claim = Claim.objects.get()
    assert (claim.state, claim.currency, claim.home_amount) == ("submitted", "USD", Decimal("24.10"))
    assert claim.receipts.count() == 1
    assert not PendingReceipt.objects.exists()


def test_a_receipt_attached_again_while_it_is_kept_is_filed_once(member_client, frozen):
    body = member_client.post("/claims/new/", {**claim_form(description=""), "receipts": [upload()]}).content.decode()
    # The person did not notice it was kept, and picks the same photo again.
    member_client.post("/claims/new/", {**claim_form(), "pending": kept_ids(body), "receipts": [upload()]})

    assert Claim.objects.get().receipts.count() == 1
    assert not PendingReceipt.objects.exists()


def test_a_second_error_keeps_both_the_earlier_and_the_new_receipt(member_client, frozen):
    first = member_client.post("/claims/new/", {**claim_form(description=""), "receipts": [upload("a.jpg")]})
    second = member_client.post(
        "/claims/new/",
        {
            **claim_form(description="", amount="0"),
            "pending": kept_ids(first.content.decode()),
            "receipts": [upload("b.jpg", jpeg_bytes("blue"))],
        },
    )

    body = second.content.decode()
    assert second.status_code == 400
    assert "no need to attach them again" in body
    assert len(kept_ids(body)) == 2 and "a.jpg" in body and "b.jpg" in body
    member_client.post("/claims/new/", {**claim_form(), "pending": kept_ids(body)})
    assert sorted(Claim.objects.get().receipts.values_list("original_name", flat=True)) == ["a.jpg", "b.jpg"]


def test_a_refused_file_is_not_kept_but_a_good_one_beside_it_is(member_client, frozen, settings):
    response = member_client.post(
        "/claims/new/",
        {**claim_form(), "receipts": [upload("good.jpg"), upload("notes.jpg", b"just some text, not a picture")]},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "notes.jpg: This file is not a JPEG, PNG, WebP, HEIC or PDF" in body
    assert list(PendingReceipt.objects.values_list("original_name", flat=True)) == ["good.jpg"]
    assert "good.jpg" in body and "notes.jpg," not in body


def test_a_repeated_corrected_post_shows_the_claim_it_filed(member_client, frozen):
    body = member_client.post("/claims/new/", {**claim_form(description=""), "receipts": [upload()]}).content.decode()
    token = field_input(body, "id_form_token").get("value")
    corrected = {**claim_form(), "pending": kept_ids(body), "form_token": token}
    first = member_client.post("/claims/new/", corrected)

    # The same post again (a double tap, a resend): its pending receipt is the claim's now.
    again = member_client.post("/claims/new/", corrected, follow=True)

    claim = Claim.objects.get()
    assert first["Location"] == again.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert "This was already saved: here it is." in again.content.decode()
    assert claim.receipts.count() == 1


def test_an_edit_that_comes_back_with_errors_keeps_its_new_receipt(member_client, member, frozen):
    claim = ClaimFactory(claimant=member, state="draft", with_receipt=True)
    url = f"/claims/{claim.pk}/edit/"
    body = member_client.post(url, {**claim_form(amount=""), "receipts": [upload("second.jpg")]}).content.decode()
    assert "second.jpg" in body and "attached" in body

    assert member_client.post(url, {**claim_form(), "pending": kept_ids(body)}).status_code == 302

    claim.refresh_from_db()
    assert claim.state == "submitted"
    assert claim.receipts.count() == 2
    assert not PendingReceipt.objects.exists()


# --- Removing one ----------------------------------------------------------------------------


def test_a_kept_receipt_ticked_remove_goes_with_its_files(
    member_client, frozen, settings, django_capture_on_commit_callbacks
):
    body = member_client.post("/claims/new/", {**claim_form(description=""), "receipts": [upload()]}).content.decode()
    [kept_id] = kept_ids(body)
    remove = field_input(body, f"id_remove_pending_{kept_id}")
    assert (remove.get("type"), remove.get("name"), remove.get("value")) == ("checkbox", "remove_pending", kept_id)
    assert f'<label for="id_remove_pending_{kept_id}">Remove<span class="visually-hidden"> receipt.jpg</span>' in body

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post("/claims/new/", {**claim_form(), "pending": kept_id, "remove_pending": kept_id})

    # Submitting without it is refused, as with no receipt at all, and it is not shown again.
    assert response.status_code == 400
    assert "Add a receipt before you submit" in response.content.decode()
    assert kept_ids(response.content.decode()) == []
    assert not PendingReceipt.objects.exists()
    assert stored_files(settings) == set()
    assert not Claim.objects.exists()


def test_removing_one_of_two_files_the_claim_with_the_other(member_client, frozen):
    body = member_client.post(
        "/claims/new/",
        {**claim_form(description=""), "receipts": [upload("keep.jpg"), upload("wrong.jpg", jpeg_bytes("blue"))]},
    ).content.decode()
    wrong = PendingReceipt.objects.get(original_name="wrong.jpg")

    member_client.post("/claims/new/", {**claim_form(), "pending": kept_ids(body), "remove_pending": wrong.pk})

    assert list(Claim.objects.get().receipts.values_list("original_name", flat=True)) == ["keep.jpg"]
    assert not PendingReceipt.objects.exists()


# --- Only its owner --------------------------------------------------------------------------


def test_another_persons_pending_receipt_is_never_attached_shown_or_removed(client, member, outsider, frozen):
    theirs = keep_for(outsider, name="outsiders-secret-receipt.jpg")
    client.force_login(member)

    submitted = client.post("/claims/new/", {**claim_form(), "pending": theirs.pk})
    assert submitted.status_code == 400
    assert "Add a receipt before you submit" in submitted.content.decode()
    assert "outsiders-secret-receipt" not in submitted.content.decode()
    assert kept_ids(submitted.content.decode()) == []

    draft = claim_form(description="Draft with someone else's receipt")
    del draft["submit"]
    assert client.post("/claims/new/", {**draft, "save": "1", "pending": theirs.pk}).status_code == 302
    assert not Receipt.objects.exists()

    client.post("/claims/new/", {**claim_form(description=""), "pending": theirs.pk, "remove_pending": theirs.pk})

    theirs.refresh_from_db()  # still there, still theirs
    assert theirs.owner == outsider
    assert theirs.file.storage.exists(theirs.file.name)


def test_the_service_refuses_to_attach_someone_elses_pending_receipt(member, outsider, frozen):
    theirs = keep_for(outsider)
    claim = ClaimFactory(claimant=member, state="draft")

    with pytest.raises(services.ClaimError, match="no longer kept"):
        services.receipts_attach_pending(user=member, claim=claim, pending=[theirs])
    with pytest.raises(services.ClaimError, match="no longer kept"):
        services.claim_save(user=member, claim=claim, data=_data(), pending=[theirs], submit=True)
    assert not Receipt.objects.exists()
    assert PendingReceipt.objects.get() == theirs
    assert pending.pending_receipts_remove(user=member, pending=[theirs]) == 0
    assert PendingReceipt.objects.filter(pk=theirs.pk).exists()


def _data():
    from tests.factories import claim_data

    return claim_data()


def test_garbled_pending_ids_are_ignored(member_client, frozen):
    for value in ["x", "-1", "0", "1e3", "٣", "9" * 40, ""]:
        response = member_client.post("/claims/new/", {**claim_form(), "pending": value, "remove_pending": value})
        assert response.status_code == 400
        assert "Add a receipt before you submit" in response.content.decode()


# --- Cleaned after a day ---------------------------------------------------------------------


def test_pending_receipts_never_used_are_cleaned_after_a_day(
    member, frozen, settings, django_capture_on_commit_callbacks
):
    old = keep_for(member, name="old.jpg")
    frozen.move_to(NOW + dt.timedelta(hours=20))
    newer = keep_for(member, name="newer.jpg")

    frozen.move_to(NOW + dt.timedelta(hours=23, minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.clean_pending_receipts.delay().get() == 0
    assert PendingReceipt.objects.count() == 2

    frozen.move_to(NOW + dt.timedelta(hours=24, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.clean_pending_receipts.delay().get() == 1
    assert list(PendingReceipt.objects.all()) == [newer]
    assert stored_files(settings) == {newer.file.name, newer.thumbnail.name}
    assert not old.file.storage.exists(old.file.name)

    # Safe to run twice; and a day after the newer one, that goes too.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.clean_pending_receipts.delay().get() == 0
    frozen.move_to(NOW + dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.clean_pending_receipts.delay().get() == 1
    assert stored_files(settings) == set()


def test_cleaning_leaves_the_files_of_receipts_that_were_filed(
    member_client, frozen, settings, django_capture_on_commit_callbacks
):
    body = member_client.post("/claims/new/", {**claim_form(description=""), "receipts": [upload()]}).content.decode()
    member_client.post("/claims/new/", {**claim_form(), "pending": kept_ids(body)})
    receipt = Receipt.objects.get()

    frozen.move_to(NOW + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert pending.pending_receipts_clean() == 0
    assert stored_files(settings) == {receipt.file.name, receipt.thumbnail.name}


def test_cleaning_goes_through_every_batch(member, frozen):
    for i in range(5):
        keep_for(member, name=f"{i}.jpg")
    frozen.move_to(NOW + dt.timedelta(days=2))
    assert pending.pending_receipts_clean(batch=2) == 5
    assert not PendingReceipt.objects.exists()


def test_beat_cleans_pending_receipts_every_hour():
    entry = project_settings.CELERY_BEAT_SCHEDULE["pending-receipts-clean"]
    assert entry == {"task": "reimbursements.tasks.clean_pending_receipts", "schedule": 60 * 60}
    assert tasks.clean_pending_receipts.name == entry["task"]


# --- The form on its first render ------------------------------------------------------------


def test_the_receipt_inputs_take_files_and_a_phone_camera(member_client):
    body = member_client.get("/claims/new/").content.decode()

    files = field_input(body, "id_receipts")
    assert (files.get("type"), files.get("name"), files.get("multiple")) == ("file", "receipts", "")
    assert files.get("accept").split(",") == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
        ".heic",
        ".heif",
        "application/pdf",
    ]
    assert files.get("capture") is None  # with it, a phone would offer no saved photo or PDF
    camera = field_input(body, "id_receipts_camera")
    assert (camera.get("type"), camera.get("name")) == ("file", "receipts")
    assert (camera.get("accept"), camera.get("capture")) == ("image/*", "environment")
    assert '<label for="id_receipts_camera">Or take a photo of the receipt</label>' in body


def test_a_photo_from_the_camera_and_a_pdf_from_the_files_arrive_together(member_client, frozen):
    from tests.reimbursements.test_receipts import pdf_bytes

    files = [upload("IMG_0001.jpg"), SimpleUploadedFile("invoice.pdf", pdf_bytes(), content_type="application/pdf")]
    assert member_client.post("/claims/new/", {**claim_form(), "receipts": files}).status_code == 302
    assert sorted(Receipt.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/jpeg"]


def test_the_home_currency_amount_is_on_the_form_from_its_first_render(member_client):
    body = member_client.get("/claims/new/").content.decode()

    home = field_input(body, "id_home_amount")
    assert home.get("data-home-currency") == project_settings.HOME_CURRENCY
    assert home.get("required") is None  # required only for another currency, said by the hint
    assert f'<label for="id_home_amount">Amount charged in {project_settings.HOME_CURRENCY}:</label>' in body
    assert "Only if you paid in another currency" in body
    scripts = [s.get("src") for s in parse(body).iter("script")]
    assert "/static/js/claim-form.js" in scripts  # it shows the field's hint as the currency changes


def test_the_pending_size_is_said_as_people_read_it():
    assert PendingReceipt(size=900).size_label == "900 bytes"
    assert PendingReceipt(size=240 * 1024).size_label == "240 kB"
    assert PendingReceipt(size=int(1.4 * 1024 * 1024)).size_label == "1.4 MB"
