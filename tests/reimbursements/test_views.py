"""Claims pages: who may see and do what (URL by role), receipts, and query counts."""

import csv
import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reading.models import Item
from reimbursements.models import Claim
from tests.factories import ClaimFactory, MembershipFactory, UserFactory, jpeg_bytes

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "claimant", "teammate", "outsider", "manager", "other_manager", "finance"]


@pytest.fixture
def people(member, manager, outsider, finance_user, team, other_team):
    teammate = UserFactory(email="teammate@example.com")
    MembershipFactory(user=teammate, team=team)
    other_manager = UserFactory(email="research-manager@example.com")
    MembershipFactory(user=other_manager, team=other_team, role="manager")
    return {
        "anonymous": None,
        "claimant": member,
        "teammate": teammate,
        "outsider": outsider,
        "manager": manager,
        "other_manager": other_manager,
        "finance": finance_user,
    }


@pytest.fixture
def submitted(member):
    return ClaimFactory(
        claimant=member,
        state="submitted",
        description="Secret claim for The Book of Why",
        submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        with_receipt=True,
    )


def as_(client, person):
    if person is not None:
        client.force_login(person)
    return client


# expected status per role, in ROLES order
MATRIX = {
    ("get", "/claims/"): [302, 200, 200, 200, 200, 200, 200],
    ("get", "/claims/new/"): [302, 200, 200, 200, 200, 200, 200],
    ("get", "/claims/review/"): [302, 403, 403, 403, 200, 200, 200],
    ("get", "/claims/finance/"): [302, 403, 403, 403, 403, 403, 200],
    ("get", "/claims/finance/export.csv"): [302, 403, 403, 403, 403, 403, 200],
    ("get", "/claims/{id}/"): [302, 200, 404, 404, 200, 404, 404],
    ("get", "/claims/{id}/receipt/"): [302, 200, 404, 404, 200, 404, 404],
    ("get", "/claims/{id}/receipt/{receipt}/"): [302, 200, 404, 404, 200, 404, 404],
    ("post", "/claims/{id}/receipt/{receipt}/delete/"): [302, 302, 404, 404, 403, 404, 404],
    ("post", "/claims/{id}/submit/"): [302, 302, 404, 404, 403, 404, 404],
    ("get", "/claims/{id}/edit/"): [302, 302, 404, 404, 403, 404, 404],
    ("post", "/claims/{id}/withdraw/"): [302, 302, 404, 404, 403, 404, 404],
    ("post", "/claims/{id}/approve/"): [302, 403, 404, 404, 302, 404, 404],
    ("post", "/claims/{id}/reject/"): [302, 403, 404, 404, 302, 404, 404],
    ("post", "/claims/{id}/changes/"): [302, 403, 404, 404, 302, 404, 404],
}


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may(client, people, submitted, method, path, role):
    expected = MATRIX[(method, path)][ROLES.index(role)]
    url = path.format(id=submitted.pk, receipt=submitted.receipts.get().pk)
    data = {"reason": "no", "note": "fix it"} if method == "post" else None
    response = getattr(as_(client, people[role]), method)(url, data)
    assert response.status_code == expected, f"{role} {method} {url}"
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if expected in {403, 404}:
        assert b"Secret claim" not in response.content


@pytest.mark.parametrize("role", ["claimant", "teammate", "manager", "finance"])
def test_finance_sees_approved_claims_of_everyone(client, people, member, role):
    approved = ClaimFactory(
        claimant=member, state="approved", approved_amount=Decimal("30.00"), description="Approved book"
    )
    status = as_(client, people[role]).get(f"/claims/{approved.pk}/").status_code
    assert status == {"claimant": 200, "teammate": 404, "manager": 200, "finance": 200}[role]


def test_a_draft_is_seen_only_by_its_author(client, people, member):
    draft = ClaimFactory(claimant=member, state="draft")
    for role, status in (("claimant", 200), ("manager", 404), ("finance", 404)):
        assert as_(client, people[role]).get(f"/claims/{draft.pk}/").status_code == status


def test_mark_paid_is_for_finance_only(client, people, member):
    approved = ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30.00"))
    for role in ("claimant", "manager"):
        assert (
            as_(client, people[role])
            .post("/claims/finance/paid/", {"claims": approved.pk, "reference": "X"})
            .status_code
            == 403
        )
    response = as_(client, people["finance"]).post(
        "/claims/finance/paid/", {"claims": approved.pk, "reference": "LD-9"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.state, approved.payment_reference) == ("paid", "LD-9")


# --- Filing a claim -------------------------------------------------------------------------


def upload(name="receipt.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type=content_type)


def claim_form(**overrides):
    return {
        "kind": "book",
        "description": "The Book of Why",
        "vendor": "Hugendubel",
        "purchase_date": "2026-11-20",
        "amount": "24.00",
        "currency": "EUR",
        "home_amount": "",
        "isbn": "978-0-465-09760-9",
        "submit": "1",
        **overrides,
    }


def test_member_submits_a_book_claim_with_a_receipt(member_client, member, manager, frozen):
    response = member_client.post("/claims/new/", {**claim_form(), "receipts": [upload()]}, follow=True)
    claim = Claim.objects.get()
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert (claim.state, claim.amount, claim.isbn) == ("submitted", Decimal("24.00"), "9780465097609")
    assert claim.receipts.count() == 1
    assert "Submitted" in response.content.decode()


def test_a_description_with_a_line_break_still_reaches_the_manager(
    frozen, member_client, manager, django_capture_on_commit_callbacks
):
    # A browser's one-line input cannot send CR/LF; a direct POST can, and the subject carries it.
    description = "The Book of Why\r\nBcc: someone@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post("/claims/new/", {**claim_form(description=description), "receipts": [upload()]})

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["manager@example.com"]
    assert email.subject == "[Learning Day] Claim to decide: The Book of Why Bcc: someone@example.com"
    assert email.bcc == [] and "Bcc" not in email.message()


def test_an_isbn_of_another_scripts_digits_is_refused_and_kept(member_client, frozen):
    response = member_client.post("/claims/new/", {**claim_form(isbn="፩፪፫፬፭፮፯፰፱፲"), "receipts": [upload()]})

    assert response.status_code == 400
    body = response.content.decode()
    assert "use only the digits 0 to 9" in body
    assert 'value="፩፪፫፬፭፮፯፰፱፲"' in body
    assert not Claim.objects.exists()


def test_submitting_without_a_receipt_is_refused_and_keeps_the_form(member_client, frozen):
    response = member_client.post("/claims/new/", claim_form())
    assert response.status_code == 400
    body = response.content.decode()
    assert "Add a receipt before you submit" in body
    assert 'value="Hugendubel"' in body and 'value="24.00"' in body
    assert not Claim.objects.exists()


def test_a_draft_needs_no_receipt(member_client, frozen):
    form = claim_form()
    del form["submit"]  # a browser sends only the button that was pressed
    member_client.post("/claims/new/", {**form, "save": "1"})
    assert Claim.objects.get().state == "draft"


BAD_UPLOADS = [
    ("notes.jpg", b"just some text, not a picture", "not a JPEG, PNG, WebP, HEIC or PDF"),
    ("page.jpg", b"<!DOCTYPE html><html><body>hi</body></html>", "not a JPEG, PNG, WebP, HEIC or PDF"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a JPEG, PNG, WebP"),
    ("empty.jpg", b"", "empty"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_UPLOADS)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    member_client, settings, frozen, name, data, message
):
    response = member_client.post("/claims/new/", {**claim_form(), "receipts": [upload(name, data)]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="Hugendubel"' in response.content.decode()
    assert not Claim.objects.exists()
    receipts_dir = settings.MEDIA_ROOT / "receipts"
    assert not receipts_dir.exists() or not any(p.is_file() for p in receipts_dir.rglob("*"))


def test_a_receipt_comes_back_without_exif_gps(member_client, member, frozen):
    image = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (52.0, 31.0, 12.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)
    member_client.post("/claims/new/", {**claim_form(), "receipts": [upload(data=buffer.getvalue())]})
    claim = Claim.objects.get()
    response = member_client.get(f"/claims/{claim.pk}/receipt/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "claim-" in response["Content-Disposition"]
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert not served.getexif()
    assert not served.getexif().get_ifd(0x8825)


@pytest.mark.parametrize("thumbnail", [False, True])
def test_a_receipt_whose_file_is_lost_is_a_404_and_an_error_in_the_log(member_client, submitted, caplog, thumbnail):
    receipt = submitted.receipts.get()
    stored = receipt.thumbnail if thumbnail else receipt.file
    stored.storage.delete(stored.name)
    asked = {"thumbnail": "1"} if thumbnail else {}
    response = member_client.get(f"/claims/{submitted.pk}/receipt/{receipt.pk}/", asked)
    assert response.status_code == 404
    assert f"its file {stored.name!r} is missing" in caplog.text


def test_the_receipts_folder_has_no_public_url(submitted):
    receipt = submitted.receipts.get()
    with pytest.raises(ValueError, match="no public URL"):
        receipt.file.url  # noqa: B018


# --- Deciding ------------------------------------------------------------------------------------


def test_the_reviewer_sees_the_claimants_learning_beside_the_decision(client, manager, member, submitted):
    from tests.factories import EntryFactory

    EntryFactory(author=member, body="Read chapter 3 of The Book of Why", day=dt.date(2026, 11, 19))
    client.force_login(manager)
    body = client.get(f"/claims/{submitted.pk}/").content.decode()
    assert "Tom Member&#x27;s recent learning" in body or "Tom Member's recent learning" in body
    assert "Read chapter 3" in body
    assert "Approve" in body


def test_two_reviewers_at_once_one_wins(client, manager, team, submitted):
    other = UserFactory(email="second-manager@example.com")
    MembershipFactory(user=other, team=team, role="manager")
    client.force_login(manager)
    client.post(f"/claims/{submitted.pk}/approve/", {"amount": "30.00"})
    client.force_login(other)
    response = client.post(f"/claims/{submitted.pk}/reject/", {"reason": "No"}, follow=True)
    assert "This claim is approved: it cannot become rejected." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "approved"
    assert submitted.events.filter(to_state="rejected").count() == 0


# --- Query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 500])
def test_the_review_queue_runs_the_same_queries_for_5_or_500_claims(
    client, manager, team, count, django_assert_max_num_queries
):
    from reimbursements.receipts import process_receipt
    from reimbursements.services import store_receipt

    people = []
    for i in range(5):
        person = UserFactory(email=f"queue{i}@example.com")
        MembershipFactory(user=person, team=team)
        people.append(person)
    claims = Claim.objects.bulk_create(
        [
            Claim(
                claimant=people[i % 5],
                kind="book",
                description=f"Book {i}",
                purchase_date=dt.date(2026, 11, 1),
                amount=Decimal(10 + i),
                currency="EUR",
                home_amount=Decimal(10 + i),
                state="submitted",
                submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            )
            for i in range(count)
        ]
    )
    for i, claim in enumerate(claims[:5]):  # thumbnails on the first page, as a reviewer sees them
        store_receipt(claim=claim, processed=process_receipt(data=jpeg_bytes(size=(20 + i, 20)), filename="r.jpg"))
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get("/claims/review/")
    assert response.status_code == 200
    assert response.content.decode().count('class="card review-row"') == min(count, 25)


@pytest.mark.parametrize("count", [5, 500])
def test_the_finance_list_runs_the_same_queries_for_5_or_500_claims(
    client, finance_user, member, count, django_assert_max_num_queries
):
    Claim.objects.bulk_create(
        [
            Claim(
                claimant=member,
                kind="book",
                description=f"Book {i}",
                purchase_date=dt.date(2026, 11, 1),
                amount=Decimal("10.00"),
                currency="EUR",
                home_amount=Decimal("10.00"),
                approved_amount=Decimal("10.00"),
                state="approved",
                decided_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
            )
            for i in range(count)
        ]
    )
    client.force_login(finance_user)
    with django_assert_max_num_queries(10):
        assert client.get("/claims/finance/").status_code == 200
    response = client.get("/claims/finance/export.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == count + 1
    assert lines[0].startswith("claim,claimant,email,team,kind,description,amount,currency,home_amount")


def test_a_book_a_teammate_bought_is_pointed_out_before_it_is_submitted(member_client, member, manager, frozen):
    ClaimFactory(claimant=manager, state="approved", approved_amount=Decimal("24.00"), isbn="9780465097609")
    response = member_client.post("/claims/new/", {**claim_form(), "receipts": [upload()]}, follow=True)
    assert "Already bought in your team — borrow it?" in response.content.decode()
    claim = Claim.objects.get(claimant=member)
    assert claim.state == "draft"
    member_client.post(f"/claims/{claim.pk}/submit/")
    claim.refresh_from_db()
    assert claim.state == "submitted"


def test_the_finance_export_writes_money_with_each_currencys_decimals(client, finance_user, member):
    common = {"claimant": member, "state": "approved", "decided_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC)}
    ClaimFactory(description="Book in euros", amount=Decimal("240"), approved_amount=Decimal("240"), **common)
    ClaimFactory(
        description="Book in yen",
        amount=Decimal("2400"),
        currency="JPY",
        home_amount=Decimal("14.5"),
        approved_amount=Decimal("14.5"),
        **common,
    )
    client.force_login(finance_user)
    response = client.get("/claims/finance/export.csv")
    rows = {
        row["description"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    }
    euros, yen = rows["Book in euros"], rows["Book in yen"]
    assert (euros["amount"], euros["currency"], euros["home_amount"], euros["approved_amount"]) == (
        "240.00",
        "EUR",
        "240.00",
        "240.00",
    )
    assert (yen["amount"], yen["currency"], yen["home_amount"], yen["approved_amount"]) == (
        "2400",
        "JPY",
        "14.50",
        "14.50",
    )


def test_a_book_the_claimant_already_claimed_is_pointed_out_before_it_is_submitted(member_client, member, frozen):
    ClaimFactory(
        claimant=member,
        state="approved",
        purchase_date=dt.date(2026, 6, 2),
        amount=Decimal("24.00"),
        approved_amount=Decimal("24.00"),
        isbn="9780465097609",
    )
    response = member_client.post("/claims/new/", {**claim_form(amount="24.90"), "receipts": [upload()]}, follow=True)
    assert "You claimed this book already in the past year" in response.content.decode()
    claim = Claim.objects.get(claimant=member, state="draft")
    member_client.post(f"/claims/{claim.pk}/submit/")
    claim.refresh_from_db()
    assert claim.state == "submitted"


def test_the_reviewer_sees_a_book_claimed_twice_by_the_same_person(client, manager, member, frozen):
    ClaimFactory(claimant=member, state="paid", description="The Book of Why", approved_amount=Decimal("24.00"))
    ClaimFactory(
        claimant=member,
        state="submitted",
        description="the book of why",
        amount=Decimal("24.90"),
        submitted_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )
    client.force_login(manager)
    page = client.get("/claims/review/").content.decode()
    assert "The same person claimed this book in the past year" in page


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"amount": "10.005"}, "amount", "EUR amounts have 2 digits after the decimal point."),
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"currency": "USD"}, "home_amount", "Give the amount in EUR that you were actually charged."),
        ({"purchase_date": "2026-11-25"}, "purchase_date", "The purchase date cannot be in the future."),
    ],
)
def test_a_money_or_date_rule_is_shown_on_its_field_in_the_services_words(member_client, frozen, typed, field, message):
    response = member_client.post("/claims/new/", {**claim_form(**typed), "receipts": [upload()]})
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert f'<a href="#id_{field}">' in response.content.decode()
    assert not Claim.objects.exists()


def test_a_book_is_suggested_for_the_team_reading_list_with_the_claim(member_client, member, team, frozen):
    form = {**claim_form(), "suggest_for_reading": "on", "receipts": [upload()]}
    response = member_client.post("/claims/new/", form, follow=True)
    item = Item.objects.get()
    assert (item.team, item.status, Claim.objects.get().item) == (team, "suggested", item)
    assert f"“The Book of Why” is on {team.name}'s reading list." in html.unescape(response.content.decode())
