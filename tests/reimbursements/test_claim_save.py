"""Saving a claim from its form: one service call files or changes it, its receipts, a
reading-list suggestion and the submit, all or nothing, and says what became of it."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest

from reading.models import Item
from reimbursements import services
from reimbursements.models import Claim
from reimbursements.receipts import process_receipt
from reimbursements.services import ClaimError, claim_save
from tests.factories import ClaimFactory, ItemFactory, claim_data, jpeg_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # Tuesday 24 November 2026
S = Claim.State
BOOK_OF_WHY = "9780465097609"

_photos = itertools.count(1)


def receipts(count: int = 1) -> list:
    """Checked receipts, a different photo each, as the claim form hands them over."""
    return [
        process_receipt(data=jpeg_bytes(size=(40 + next(_photos), 60)), filename="receipt.jpg") for _ in range(count)
    ]


def test_a_new_claim_is_saved_as_a_draft_with_its_receipts(member):
    saved = claim_save(user=member, data=claim_data(), receipts=receipts(2))
    claim = Claim.objects.get()
    assert saved.claim == claim
    assert (claim.state, claim.claimant, claim.amount, claim.home_amount) == (
        S.DRAFT,
        member,
        Decimal("24.00"),
        Decimal("24.00"),
    )
    assert claim.receipts.count() == 2
    assert (saved.submitted, saved.held, saved.suggested, saved.repeat) == (False, "", None, False)


def test_a_new_claim_with_a_receipt_is_submitted_when_asked(member, manager):
    saved = claim_save(user=member, data=claim_data(), receipts=receipts(), submit=True)
    assert saved.submitted
    assert saved.claim.state == S.SUBMITTED
    assert list(saved.claim.events.values_list("to_state", flat=True)) == [S.DRAFT, S.SUBMITTED]


def test_submitting_without_a_receipt_is_refused_on_the_receipts_field_and_nothing_is_saved(member):
    with pytest.raises(ClaimError, match="Add a receipt before you submit") as refused:
        claim_save(user=member, data=claim_data(), submit=True)
    assert refused.value.field == "receipts"
    assert not Claim.objects.exists()


def test_a_returned_claim_is_changed_and_submitted_again_with_the_receipt_it_has(member, manager):
    first = claim_save(user=member, data=claim_data(), receipts=receipts(), submit=True).claim
    services.claim_request_changes(user=manager, claim=first, note="The receipt says 22.00.")

    saved = claim_save(user=member, claim=first, data=claim_data(amount=Decimal("22.00")), submit=True)
    assert saved.claim.pk == first.pk and saved.submitted
    first.refresh_from_db()
    assert (first.state, first.amount, first.receipts.count()) == (S.SUBMITTED, Decimal("22.00"), 1)
    assert Claim.objects.count() == 1


def test_a_draft_gets_more_receipts_when_changed(member):
    draft = claim_save(user=member, data=claim_data(), receipts=receipts()).claim
    claim_save(user=member, claim=draft, data=claim_data(vendor="Hugendubel"), receipts=receipts())
    draft.refresh_from_db()
    assert (draft.state, draft.vendor, draft.receipts.count()) == (S.DRAFT, "Hugendubel", 2)


def test_nobody_changes_another_persons_claim(member, outsider):
    draft = claim_save(user=member, data=claim_data(), receipts=receipts()).claim
    with pytest.raises(ClaimError, match="Only the person who filed a claim can change it"):
        claim_save(user=outsider, claim=draft, data=claim_data(amount=Decimal("1.00")), receipts=receipts())
    draft.refresh_from_db()
    assert (draft.amount, draft.receipts.count()) == (Decimal("24.00"), 1)


def test_all_or_nothing_a_receipt_too_many_leaves_no_claim_behind(member):
    with pytest.raises(ClaimError, match=f"at most {services.MAX_RECEIPTS} receipts") as refused:
        claim_save(user=member, data=claim_data(), receipts=receipts(services.MAX_RECEIPTS + 1), submit=True)
    assert refused.value.field == "receipts"
    assert not Claim.objects.exists()


def test_a_book_a_teammate_bought_is_held_as_a_draft_and_says_why(member, manager):
    ClaimFactory(claimant=manager, state="approved", approved_amount=Decimal("24.00"), isbn=BOOK_OF_WHY)
    saved = claim_save(user=member, data=claim_data(isbn=BOOK_OF_WHY), receipts=receipts(), submit=True)
    assert saved.held == "Already bought in your team — borrow it?"
    assert not saved.submitted
    assert saved.claim.state == S.DRAFT
    services.claim_submit(user=member, claim=saved.claim)  # the claimant still may, on second thought
    assert saved.claim.state == S.SUBMITTED


def test_a_book_the_claimant_claimed_this_year_is_held_as_a_draft_and_says_why(member, manager):
    ClaimFactory(
        claimant=member, state="approved", purchase_date=dt.date(2026, 6, 2), approved_amount=24, isbn=BOOK_OF_WHY
    )
    saved = claim_save(
        user=member, data=claim_data(isbn=BOOK_OF_WHY, amount=Decimal("24.90")), receipts=receipts(), submit=True
    )
    assert saved.held.startswith("You claimed this book already in the past year")
    assert saved.claim.state == S.DRAFT


def test_a_draft_is_never_held_only_a_submit_is(member, manager):
    ClaimFactory(claimant=manager, state="approved", approved_amount=Decimal("24.00"), isbn=BOOK_OF_WHY)
    saved = claim_save(user=member, data=claim_data(isbn=BOOK_OF_WHY), receipts=receipts())
    assert (saved.held, saved.claim.state) == ("", S.DRAFT)


def test_a_book_is_suggested_for_the_claimants_team_and_the_claim_points_at_it(member, team):
    saved = claim_save(user=member, data=claim_data(isbn=BOOK_OF_WHY), receipts=receipts(), suggest=True)
    item = Item.objects.get()
    assert (item.title, item.isbn, item.team, item.status, item.suggested_by) == (
        "The Book of Why",
        BOOK_OF_WHY,
        team,
        Item.Status.SUGGESTED,
        member,
    )
    assert saved.suggested == item
    assert saved.claim.item == item


def test_a_book_already_on_the_list_is_pointed_at_not_suggested_again(member, team):
    listed = ItemFactory(team=team, kind="book", title="The Book of Why", isbn=BOOK_OF_WHY, status="curated")
    saved = claim_save(user=member, data=claim_data(isbn=BOOK_OF_WHY), suggest=True)
    assert Item.objects.get() == listed
    assert (saved.suggested, saved.claim.item) == (listed, listed)


def test_only_a_book_is_suggested_for_the_reading_list(member):
    saved = claim_save(user=member, data=claim_data(kind="tutor", description="Statistics tutor"), suggest=True)
    assert saved.suggested is None
    assert not Item.objects.exists()


def test_a_person_in_no_team_files_the_claim_without_a_suggestion(finance_user):
    saved = claim_save(user=finance_user, data=claim_data(), suggest=True)
    assert saved.suggested is None and saved.claim.item is None


def test_the_same_token_files_one_claim_and_the_repeat_gets_it(member):
    token = uuid.uuid4()
    first = claim_save(user=member, data=claim_data(), receipts=receipts(), submit=True, token=token)
    again = claim_save(user=member, data=claim_data(), receipts=receipts(), submit=True, token=token)
    assert (first.repeat, again.repeat) == (False, True)
    assert again.claim == first.claim
    assert Claim.objects.count() == 1


def test_a_refused_save_frees_its_token(member):
    token = uuid.uuid4()
    with pytest.raises(ClaimError):
        claim_save(user=member, data=claim_data(amount=Decimal("0")), token=token)
    assert not claim_save(user=member, data=claim_data(), token=token).repeat


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "The amount must be more than zero."),
        ({"amount": Decimal("10.005")}, "amount", "EUR amounts have 2 digits after the decimal point."),
        (
            {"amount": Decimal("100.5"), "currency": "JPY", "home_amount": Decimal("1")},
            "amount",
            "JPY amounts have 0 digits after the decimal point.",
        ),
        ({"currency": "USD"}, "home_amount", "Give the amount in EUR that you were actually charged."),
        (
            {"currency": "USD", "home_amount": Decimal("1.005")},
            "home_amount",
            "EUR amounts have 2 digits after the decimal point.",
        ),
        ({"purchase_date": dt.date(2026, 11, 25)}, "purchase_date", "The purchase date cannot be in the future."),
    ],
)
def test_each_money_and_date_rule_names_its_field(member, overrides, field, message):
    with pytest.raises(ClaimError) as refused:
        claim_save(user=member, data=claim_data(**overrides))
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert not Claim.objects.exists()
