"""The claim state machine, who may move it, and money that adds up exactly."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core import mail

from reimbursements import selectors, services
from reimbursements.models import Claim, ClaimEvent
from reimbursements.receipts import process_receipt
from reimbursements.services import ClaimError
from tests.factories import ClaimFactory, ItemFactory, MembershipFactory, UserFactory, claim_data, jpeg_bytes

pytestmark = pytest.mark.django_db
S = Claim.State
TODAY = dt.date(2026, 11, 24)


_photos = itertools.count(1)


def filed(member, **overrides) -> Claim:
    """A claim by ``member`` with a receipt of its own (a different photo each time), submitted."""
    claim = services.claim_create(user=member, data=claim_data(**overrides), today=TODAY)
    photo = jpeg_bytes(size=(40 + next(_photos), 60))
    services.receipt_add(user=member, claim=claim, processed=process_receipt(data=photo, filename="r.jpg"))
    return services.claim_submit(user=member, claim=claim)


# --- The state machine ----------------------------------------------------------------


def test_a_claim_goes_from_draft_to_paid_with_a_trail(member, manager, finance_user):
    claim = filed(member)
    services.claim_approve(user=manager, claim=claim)
    services.claim_mark_paid(user=finance_user, claims=[claim], reference="LD-1")
    claim.refresh_from_db()
    assert (claim.state, claim.approved_amount, claim.payment_reference) == (S.PAID, Decimal("24.00"), "LD-1")
    trail = list(claim.events.values_list("from_state", "to_state", "actor__email"))
    assert trail == [
        ("", S.DRAFT, "member@example.com"),
        (S.DRAFT, S.SUBMITTED, "member@example.com"),
        (S.SUBMITTED, S.APPROVED, "manager@example.com"),
        (S.APPROVED, S.PAID, "finance@example.com"),
    ]


ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.APPROVED, S.PAID),
}


@pytest.mark.parametrize(
    ("start", "to"), [pair for pair in itertools.product(S.values, S.values) if pair not in ALLOWED]
)
def test_every_move_not_listed_is_refused(member, manager, finance_user, start, to):
    claim = ClaimFactory(
        claimant=member, state=start, approved_amount=Decimal("30.00") if start in {S.APPROVED, S.PAID} else None
    )
    everyone = [member, manager, finance_user]
    for user in everyone:
        with pytest.raises(ClaimError):
            services._transition(user=user, claim=claim, to=to, note="n", amount=Decimal("1"))
    claim.refresh_from_db()
    assert claim.state == start
    assert not claim.events.exists()


def test_a_submitted_claim_needs_a_receipt(member):
    claim = services.claim_create(user=member, data=claim_data(), today=TODAY)
    with pytest.raises(ClaimError, match="Add a receipt"):
        services.claim_submit(user=member, claim=claim)


def test_changes_requested_goes_back_to_the_claimant_and_can_be_resubmitted(member, manager):
    claim = filed(member)
    with pytest.raises(ClaimError, match="Say what should change"):
        services.claim_request_changes(user=manager, claim=claim, note=" ")
    services.claim_request_changes(user=manager, claim=claim, note="Add the second page")
    services.claim_update(user=member, claim=claim, data=claim_data(amount=Decimal("26.00")), today=TODAY)
    services.claim_submit(user=member, claim=claim)
    claim.refresh_from_db()
    assert (claim.state, claim.amount) == (S.SUBMITTED, Decimal("26.00"))


def test_rejecting_needs_a_reason(member, manager):
    claim = filed(member)
    with pytest.raises(ClaimError, match="Give a reason"):
        services.claim_reject(user=manager, claim=claim, reason="")
    services.claim_reject(user=manager, claim=claim, reason="Not for Learning Day")
    assert claim.events.last().note == "Not for Learning Day"


def test_an_approved_claim_is_never_edited(member, manager):
    claim = filed(member)
    services.claim_approve(user=manager, claim=claim)
    with pytest.raises(ClaimError, match="only as a draft"):
        services.claim_update(user=member, claim=claim, data=claim_data(amount=Decimal("999.00")), today=TODAY)


def test_the_trail_is_append_only(member):
    claim = services.claim_create(user=member, data=claim_data(), today=TODAY)
    event = claim.events.get()
    event.note = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()
    assert ClaimEvent.objects.get().note == ""


# --- Nobody decides their own claim ---------------------------------------------------------


def test_manager_cannot_approve_own_claim(manager):
    claim = filed(manager)
    with pytest.raises(ClaimError, match="may not"):
        services.claim_approve(user=manager, claim=claim)


def test_a_managers_claim_goes_to_another_manager_of_the_team(manager, team, finance_user):
    other = UserFactory(email="second-manager@example.com")
    MembershipFactory(user=other, team=team, role="manager")
    claim = filed(manager)
    assert selectors.can_decide(other, claim)
    assert not selectors.can_decide(finance_user, claim)
    services.claim_approve(user=other, claim=claim)


def test_a_managers_claim_goes_to_finance_when_there_is_no_other_manager(manager, finance_user):
    claim = filed(manager)
    assert selectors.can_decide(finance_user, claim)
    assert list(selectors.review_queue(finance_user)) == [claim]
    services.claim_approve(user=finance_user, claim=claim)


def test_finance_cannot_approve_its_own_claim_either(finance_user):
    claim = filed(finance_user)
    assert not selectors.can_decide(finance_user, claim)
    with pytest.raises(ClaimError):
        services.claim_approve(user=finance_user, claim=claim)


def test_another_teams_manager_cannot_decide(member, outsider, other_team):
    boss = UserFactory(email="research-boss@example.com")
    MembershipFactory(user=boss, team=other_team, role="manager")
    claim = filed(member)
    with pytest.raises(ClaimError):
        services.claim_approve(user=boss, claim=claim)


# --- Money ---------------------------------------------------------------------------------------


def test_three_times_33_33_is_exactly_99_99(member, manager):
    for day in (1, 2, 3):
        claim = filed(member, amount=Decimal("33.33"), purchase_date=dt.date(2026, 3, day))
        services.claim_approve(user=manager, claim=claim)
    budget = selectors.budget_for(member, 2026)
    assert budget.spent == Decimal("99.99")
    assert budget.left == Decimal("1000.00") - Decimal("99.99")
    assert isinstance(budget.spent, Decimal)


def test_budgets_follow_the_purchase_year_across_new_year(member, manager):
    services.claim_approve(
        user=manager, claim=filed(member, amount=Decimal("300.00"), purchase_date=dt.date(2025, 12, 31))
    )
    filed(member, amount=Decimal("50.00"), purchase_date=dt.date(2026, 1, 1))
    assert selectors.budget_for(member, 2025).spent == Decimal("300.00")
    b2026 = selectors.budget_for(member, 2026)
    assert (b2026.spent, b2026.pending, b2026.left) == (Decimal("0"), Decimal("50.00"), Decimal("950.00"))


def test_pending_claims_count_against_what_is_left(member, manager, settings):
    settings.ANNUAL_LEARNING_BUDGET = Decimal("100.00")
    first = filed(member, amount=Decimal("80.00"))
    second = filed(member, amount=Decimal("30.00"), description="Another book")
    # Either one alone fits; together they do not, and the reviewer sees it on both.
    assert selectors.flags_for(first).over_budget
    assert selectors.flags_for(second).over_budget
    assert selectors.budget_for(member, 2026).left == Decimal("-10.00")


def test_a_personal_budget_overrides_the_default(member):
    from reimbursements.models import PersonalBudget

    PersonalBudget.objects.create(user=member, amount=Decimal("2500.00"))
    assert selectors.budget_for(member, 2026).total == Decimal("2500.00")


def test_approving_less_needs_a_note_and_never_more_than_claimed(member, manager):
    claim = filed(member, amount=Decimal("40.00"))
    with pytest.raises(ClaimError, match="at most the amount claimed"):
        services.claim_approve(user=manager, claim=claim, amount=Decimal("40.01"))
    with pytest.raises(ClaimError, match="Say why"):
        services.claim_approve(user=manager, claim=claim, amount=Decimal("25.00"))
    services.claim_approve(user=manager, claim=claim, amount=Decimal("25.00"), note="Budget is tight this year")
    claim.refresh_from_db()
    assert claim.approved_amount == Decimal("25.00")
    assert claim.events.last().amount == Decimal("25.00")


def test_another_currency_needs_the_home_amount_charged(member, manager):
    with pytest.raises(ClaimError, match="in EUR that you were actually charged"):
        services.claim_create(user=member, data=claim_data(currency="USD", amount=Decimal("30.00")), today=TODAY)
    claim = filed(member, currency="USD", amount=Decimal("30.00"), home_amount=Decimal("27.61"))
    services.claim_approve(user=manager, claim=claim)
    claim.refresh_from_db()
    assert claim.approved_amount == Decimal("27.61")


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (Decimal("0"), "EUR", "more than zero"),
        (Decimal("-5"), "EUR", "more than zero"),
        (Decimal("10.005"), "EUR", "2 digits after"),
        (Decimal("100.5"), "JPY", "0 digits after"),
    ],
)
def test_impossible_amounts_are_refused(member, amount, currency, message):
    with pytest.raises(ClaimError, match=message):
        services.claim_create(
            user=member, data=claim_data(amount=amount, currency=currency, home_amount=Decimal("1.00")), today=TODAY
        )
    assert not Claim.objects.exists()


def test_a_future_purchase_is_refused(member):
    with pytest.raises(ClaimError, match="future"):
        services.claim_create(user=member, data=claim_data(purchase_date=dt.date(2026, 11, 25)), today=TODAY)


# --- Flags ------------------------------------------------------------------------------------------


def test_a_receipt_used_twice_must_be_checked_before_approval(member, manager):
    photo = jpeg_bytes("red")
    first = services.claim_create(user=member, data=claim_data(), today=TODAY)
    second = services.claim_create(
        user=member, data=claim_data(description="Same receipt again", amount=Decimal("25.00")), today=TODAY
    )
    for claim in (first, second):
        services.receipt_add(user=member, claim=claim, processed=process_receipt(data=photo, filename="r.jpg"))
        services.claim_submit(user=member, claim=claim)
    assert selectors.flags_for(second).duplicate_receipt
    with pytest.raises(ClaimError, match="tick that you checked"):
        services.claim_approve(user=manager, claim=second)
    services.claim_approve(user=manager, claim=second, checked_duplicates=True)


def test_same_date_amount_and_currency_is_flagged(member):
    first = filed(member)
    second = filed(member, description="Typed twice")
    assert selectors.flags_for(second).duplicate_claim
    assert selectors.flags_for(first).duplicate_claim


def test_a_book_a_teammate_claimed_is_flagged(member, manager):
    filed(manager, isbn="9780465097609")
    mine = services.claim_create(user=member, data=claim_data(isbn="9780465097609"), today=TODAY)
    assert selectors.flags_for(mine).bought_in_team


def test_a_reading_item_a_teammate_claimed_is_flagged_but_two_claims_without_isbn_or_item_are_not(
    member, manager, team
):
    item = ItemFactory(team=team)
    filed(manager, description="Other book, no ISBN", amount=Decimal("11.00"))
    filed(manager, item=item, amount=Decimal("12.00"))
    same_item = services.claim_create(user=member, data=claim_data(item=item), today=TODAY)
    neither = services.claim_create(user=member, data=claim_data(description="A third book"), today=TODAY)
    assert selectors.flags_for(same_item).bought_in_team
    assert not selectors.flags_for(neither).bought_in_team


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"isbn": "9780465097609", "description": "Book of Why (Pearl)"}, {"isbn": "9780465097609"}),
        ({"description": "The Book of Why"}, {"description": "  the book of why. "}),
        ({"description": "Deep Learning: A Primer"}, {"description": "Deep learning - a primer"}),
        ({"purchase_date": dt.date(2025, 11, 21)}, {}),  # 364 days earlier
    ],
    ids=["same-isbn", "same-title", "title-punctuation", "within-a-year"],
)
def test_the_same_person_claiming_the_same_book_again_is_flagged(member, first, again):
    filed(member, **first)
    second = services.claim_create(user=member, data=claim_data(amount=Decimal("24.90"), **again), today=TODAY)
    assert selectors.flags_for(second).claimed_before
    assert selectors.flags_for(second).needs_check


def test_the_same_reading_item_claimed_again_by_the_same_person_is_flagged(member, team):
    item = ItemFactory(team=team, kind="book", title="Causality")
    filed(member, item=item, description="Causality, 2nd edition")
    second = services.claim_create(user=member, data=claim_data(item=item, description="Pearl"), today=TODAY)
    assert selectors.flags_for(second).claimed_before


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"purchase_date": dt.date(2025, 11, 20)}, {}),  # a year apart: a new edition, a lost copy
        ({"kind": "tutor", "description": "Statistics tutor"}, {"kind": "tutor", "description": "Statistics tutor"}),
        ({"isbn": "9780465097609", "description": "One"}, {"isbn": "9780262035613", "description": "Two"}),
    ],
    ids=["a-year-apart", "same-tutor-sessions", "other-isbn-other-title"],
)
def test_what_is_not_the_same_book_again_is_not_flagged(member, first, again):
    filed(member, **first)
    second = services.claim_create(user=member, data=claim_data(amount=Decimal("24.90"), **again), today=TODAY)
    assert not selectors.flags_for(second).claimed_before


def test_a_rejected_claim_or_a_teammates_book_is_not_claimed_before(member, manager):
    services.claim_reject(user=manager, claim=filed(member, isbn="9780465097609"), reason="Receipt unreadable")
    filed(manager, isbn="9780465097609", amount=Decimal("30.00"))
    second = services.claim_create(user=member, data=claim_data(isbn="9780465097609"), today=TODAY)
    flags = selectors.flags_for(second)
    assert not flags.claimed_before
    assert flags.bought_in_team


def test_an_old_purchase_and_a_kind_cap_are_flagged(member, settings):
    settings.CLAIM_KIND_CAPS = {"tutor": Decimal("100")}
    old = filed(member, purchase_date=dt.date(2026, 1, 2))
    tutor = filed(member, kind="tutor", amount=Decimal("150.00"), description="Tutor")
    assert selectors.flags(
        selectors.with_flag_queries(Claim.objects.filter(pk=old.pk)).get(),
        selectors.budget_for(member, 2026),
        today=TODAY,
    ).old_purchase
    assert selectors.flags_for(tutor).over_cap == Decimal("100")


# --- Notifications -------------------------------------------------------------------------------------


def test_reviewers_claimant_and_finance_get_emails(member, manager, finance_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim = filed(member)
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    assert "Claim to decide: The Book of Why" in mail.outbox[0].subject
    assert f"/claims/{claim.pk}/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(user=manager, claim=claim)
    assert sorted(m.to[0] for m in mail.outbox) == ["finance@example.com", "member@example.com"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_mark_paid(user=finance_user, claims=[claim], reference="LD-7")
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert "LD-7" in mail.outbox[0].body


def test_no_email_when_the_change_rolls_back(member, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        filed(member)
        raise RuntimeError("something later failed")
    assert mail.outbox == []
    assert not Claim.objects.exists()


def test_a_claim_email_is_sent_once_even_if_the_task_runs_twice(member, manager):
    from reimbursements.tasks import notify_claim

    claim = filed(member)
    event = claim.events.get(to_state=S.SUBMITTED)
    mail.outbox.clear()
    assert notify_claim.apply(args=[event.pk], task_id="run-1").get() == 1
    assert notify_claim.apply(args=[event.pk], task_id="run-2").get() == 0
    assert notify_claim.apply(args=[event.pk], task_id="run-1").get() == 0  # a redelivery of the first
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
