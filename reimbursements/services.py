"""State changes of claims. Every change of state goes through ``_transition``: it checks
the move is allowed, locks the row, writes the event and queues the emails on commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learningday import calendar
from learningday.models import Membership, User
from learningday.services import create_once
from reading import services as reading
from reading.models import Item
from reimbursements import money, signals
from reimbursements.models import Claim, ClaimEvent, PendingReceipt, Receipt
from reimbursements.receipts import ProcessedReceipt
from reimbursements.selectors import can_decide, flags_for
from reimbursements.storage import save_with_files

S = Claim.State

# Every move a claim can make; anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "claimant",
    (S.CHANGES_REQUESTED, S.SUBMITTED): "claimant",
    (S.SUBMITTED, S.WITHDRAWN): "claimant",
    (S.SUBMITTED, S.APPROVED): "decider",
    (S.SUBMITTED, S.REJECTED): "decider",
    (S.SUBMITTED, S.CHANGES_REQUESTED): "decider",
    (S.APPROVED, S.PAID): "finance",
}
MAX_RECEIPTS = 10


class ClaimError(Exception):
    """A claim action that cannot be done; the message is fit to show the person.

    ``field`` names the part of the claim form it concerns, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


NEEDS_RECEIPT = "Add a receipt before you submit: a photo or a PDF."
PENDING_GONE = "A receipt you attached earlier is no longer kept: attach it again."


@dataclass(frozen=True, kw_only=True)
class ClaimData:
    kind: str
    description: str
    vendor: str = ""
    purchase_date: dt.date
    amount: Decimal
    currency: str
    home_amount: Decimal | None = None
    item: Item | None = None
    isbn: str = ""


def _may(user: User, claim: Claim, role: str) -> bool:
    if role == "claimant":
        return user.pk == claim.claimant_id
    if role == "decider":
        return can_decide(user, claim)
    return user.is_finance and user.pk != claim.claimant_id


def _notify(event: ClaimEvent) -> None:
    from reimbursements import tasks

    event_id, claim_id, to_state = event.pk, event.claim_id, event.to_state
    transaction.on_commit(lambda: tasks.notify_claim.delay(event_id))
    transaction.on_commit(
        lambda: signals.claim_stepped.send(ClaimEvent, event_id=event_id, claim_id=claim_id, to_state=to_state)
    )


def _transition(
    *, user: User, claim: Claim, to: str, note: str = "", amount: Decimal | None = None, updates: dict | None = None
) -> Claim:
    with transaction.atomic():
        # Lock the row: of two people deciding at once, the second sees the first's decision.
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        role = TRANSITIONS.get((locked.state, to))
        if role is None:
            raise ClaimError(
                f"This claim is {locked.get_state_display().lower()}: it cannot become {S(to).label.lower()}."
            )
        if not _may(user, locked, role):
            raise ClaimError("You may not do this with this claim.")
        before = locked.state
        locked.state = to
        fields = ["state", "updated_at"]
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        locked.save(update_fields=fields)
        event = ClaimEvent.objects.create(
            claim=locked, actor=user, from_state=before, to_state=to, note=note, amount=amount
        )
        _notify(event)
    claim.refresh_from_db()
    return claim


# --- The claimant ---------------------------------------------------------------------


def _decimals(currency: str) -> str:
    digits = money.minor_units(currency)
    return f"{currency} amounts have {digits} digit{'s' if digits != 1 else ''} after the decimal point."


def check_claim(*, data: ClaimData, today: dt.date) -> None:
    """The rules of a claim's date and money, for the claim form and the services alike."""
    if data.currency not in money.currencies():
        raise ClaimError(f"{data.currency} is not a currency we know.", field="currency")
    if data.amount <= 0:
        raise ClaimError("The amount must be more than zero.", field="amount")
    if not money.has_valid_precision(data.amount, data.currency):
        raise ClaimError(_decimals(data.currency), field="amount")
    if data.purchase_date > today:
        raise ClaimError("The purchase date cannot be in the future.", field="purchase_date")
    if data.currency != settings.HOME_CURRENCY:
        if data.home_amount is None or data.home_amount <= 0:
            raise ClaimError(
                f"Give the amount in {settings.HOME_CURRENCY} that you were actually charged.", field="home_amount"
            )
        if not money.has_valid_precision(data.home_amount, settings.HOME_CURRENCY):
            raise ClaimError(_decimals(settings.HOME_CURRENCY), field="home_amount")


def _fields(data: ClaimData) -> dict:
    home = data.amount if data.currency == settings.HOME_CURRENCY else data.home_amount
    isbn = data.isbn or (data.item.isbn if data.item else "")
    return {
        "kind": data.kind,
        "description": data.description.strip(),
        "vendor": data.vendor.strip(),
        "purchase_date": data.purchase_date,
        "amount": data.amount,
        "currency": data.currency,
        "home_amount": home,
        "item": data.item,
        "isbn": isbn,
    }


def claim_create(*, user: User, data: ClaimData, today: dt.date) -> Claim:
    check_claim(data=data, today=today)
    with transaction.atomic():
        claim = Claim.objects.create(claimant=user, state=S.DRAFT, **_fields(data))
        ClaimEvent.objects.create(claim=claim, actor=user, from_state="", to_state=S.DRAFT, amount=claim.amount)
    return claim


def claim_update(*, user: User, claim: Claim, data: ClaimData, today: dt.date) -> Claim:
    check_claim(data=data, today=today)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.claimant_id != user.pk:
            raise ClaimError("Only the person who filed a claim can change it.")
        if not locked.is_editable:
            raise ClaimError("A claim can be changed only as a draft or when changes were asked for.")
        fields = _fields(data)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
    claim.refresh_from_db()
    return claim


def store_receipt(*, claim: Claim, processed: ProcessedReceipt) -> Receipt:
    """Write a checked receipt and its thumbnail under random names, and its row."""
    receipt = Receipt(claim=claim)
    save_with_files(receipt, processed)
    return receipt


def receipt_add(*, user: User, claim: Claim, processed: ProcessedReceipt) -> Receipt:
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.claimant_id != user.pk or not locked.is_editable:
            raise ClaimError("Receipts can be added only to your own draft or returned claim.")
        if locked.receipts.count() >= MAX_RECEIPTS:
            raise ClaimError(f"A claim can have at most {MAX_RECEIPTS} receipts.", field="receipts")
        receipt = store_receipt(claim=locked, processed=processed)
    return receipt


def receipt_remove(*, user: User, receipt: Receipt) -> None:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=receipt.claim_id)
        if claim.claimant_id != user.pk or not claim.is_editable:
            raise ClaimError("Receipts can be removed only from your own draft or returned claim.")
        files = [receipt.file.name, receipt.thumbnail.name]
        receipt.delete()
        storage = receipt.file.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files if name])


# --- Receipts kept while the claim form is corrected (the rest in pending.py) ----------------


def receipts_attach_pending(*, user: User, claim: Claim, pending: Sequence[PendingReceipt]) -> list[Receipt]:
    """Make the owner's pending receipts the claim's receipts: the files already stored become
    the receipts' (nothing is written again) and the pending rows go, all or nothing."""
    if not pending:
        return []
    wanted = {p.pk for p in pending}
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.claimant_id != user.pk or not locked.is_editable:
            raise ClaimError("Receipts can be added only to your own draft or returned claim.")
        rows = list(
            PendingReceipt.objects.select_for_update()
            .filter(owner_id=user.pk, pk__in=wanted)
            .order_by("created_at", "pk")
        )
        if len(rows) != len(wanted):  # cleaned away meanwhile, or not this person's
            raise ClaimError(PENDING_GONE, field="receipts")
        if locked.receipts.count() + len(rows) > MAX_RECEIPTS:
            raise ClaimError(f"A claim can have at most {MAX_RECEIPTS} receipts.", field="receipts")
        receipts = [
            Receipt.objects.create(
                claim=locked,
                file=row.file.name,
                thumbnail=row.thumbnail.name,
                content_type=row.content_type,
                original_name=row.original_name,
                size=row.size,
                sha256=row.sha256,
                pages=row.pages,
            )
            for row in rows
        ]
        PendingReceipt.objects.filter(pk__in=wanted).delete()  # the rows only: the files are the receipts' now
    return receipts


@dataclass(frozen=True, kw_only=True)
class ClaimSaved:
    """What saving a claim from its form came to, for the person who filed it."""

    claim: Claim
    submitted: bool = False
    held: str = ""  # why a claim that was to be submitted stays a draft
    suggested: Item | None = None  # the reading-list item the book now points at
    repeat: bool = False  # the same form posted again: ``claim`` is what its first post saved


def claim_save(
    *,
    user: User,
    data: ClaimData,
    receipts: Sequence[ProcessedReceipt] = (),
    pending: Sequence[PendingReceipt] = (),
    submit: bool = False,
    suggest: bool = False,
    claim: Claim | None = None,
    token: uuid.UUID | None = None,
) -> ClaimSaved:
    """File a new claim (``claim`` None) or change one: its data, new receipts, the owner's
    ``pending`` receipts (kept from a form that came back with errors) and, when asked, the
    submit, all or nothing.

    ``suggest`` puts a book that is not on a reading list yet on the claimant's team's list.
    A book a teammate bought already, or one the claimant claimed in the past year, is held
    as a draft instead of being submitted: the claimant decides again. A new claim with a
    ``token`` is filed once per token (see ``create_once``)."""

    def save() -> ClaimSaved:
        # Checked here, not before create_once: a repeat of a post whose pending receipts its
        # first post attached has none left, and is shown what the first post made.
        if submit and not receipts and not pending and (claim is None or not claim.receipts.exists()):
            raise ClaimError(NEEDS_RECEIPT, field="receipts")
        return _save(
            user=user, data=data, receipts=receipts, pending=pending, submit=submit, suggest=suggest, claim=claim
        )

    if claim is not None or token is None:
        return save()
    saved: list[ClaimSaved] = []

    def create() -> Claim:
        saved.append(save())
        return saved[-1].claim

    first, fresh = create_once(user=user, token=token, create=create)
    return saved[-1] if fresh else ClaimSaved(claim=first, repeat=True)


def _save(
    *,
    user: User,
    data: ClaimData,
    receipts: Sequence[ProcessedReceipt],
    pending: Sequence[PendingReceipt],
    submit: bool,
    suggest: bool,
    claim: Claim | None,
) -> ClaimSaved:
    today = calendar.user_today(user)
    with transaction.atomic():
        suggested = None
        if suggest and data.item is None and data.kind == Claim.Kind.BOOK:
            suggested = _suggest_for_reading(user=user, data=data)
            if suggested is not None:
                data = replace(data, item=suggested)
        if claim is None:
            claim = claim_create(user=user, data=data, today=today)
        else:
            claim = claim_update(user=user, claim=claim, data=data, today=today)
        receipts_attach_pending(user=user, claim=claim, pending=pending)
        for processed in receipts:
            receipt_add(user=user, claim=claim, processed=processed)
        held = _held(claim) if submit else ""
        if submit and not held:
            claim_submit(user=user, claim=claim)
    return ClaimSaved(claim=claim, submitted=submit and not held, held=held, suggested=suggested)


def _suggest_for_reading(*, user: User, data: ClaimData) -> Item | None:
    """The book on the reading list of the claimant's first team (by name), new or already there."""
    membership = Membership.objects.filter(user=user).select_related("team").order_by("team__name").first()
    if membership is None:
        return None
    item_data = reading.ItemData(kind=Item.Kind.BOOK, title=data.description, isbn=data.isbn, team=membership.team)
    try:
        return reading.item_suggest(user=user, data=item_data)
    except reading.DuplicateItem as duplicate:
        return duplicate.item
    except reading.ReadingError:
        return None


def _held(claim: Claim) -> str:
    """Why this claim should not be submitted without a second thought; empty when it may be."""
    flags = flags_for(claim)
    if flags.claimed_before:
        return "You claimed this book already in the past year (the same ISBN, reading list item or title)."
    if flags.bought_in_team:
        return "Already bought in your team — borrow it?"
    return ""


def claim_submit(*, user: User, claim: Claim) -> Claim:
    if not claim.receipts.exists():
        raise ClaimError(NEEDS_RECEIPT, field="receipts")
    return _transition(user=user, claim=claim, to=S.SUBMITTED, updates={"submitted_at": timezone.now()})


def claim_withdraw(*, user: User, claim: Claim) -> Claim:
    return _transition(user=user, claim=claim, to=S.WITHDRAWN, note="Withdrawn by the claimant.")


# --- The decider ------------------------------------------------------------------------


def claim_approve(
    *,
    user: User,
    claim: Claim,
    amount: Decimal | None = None,
    note: str = "",
    checked_duplicates: bool = False,
) -> Claim:
    """Approve in full, or a smaller amount in the home currency with a note saying why."""
    full = claim.amount if claim.currency == settings.HOME_CURRENCY else claim.home_amount
    amount = full if amount is None else amount
    if amount is None or amount <= 0:
        raise ClaimError("The approved amount must be more than zero.")
    if amount > full:
        raise ClaimError(
            f"You can approve at most the amount claimed, {money.format_money(full, settings.HOME_CURRENCY)}."
        )
    if not money.has_valid_precision(amount, settings.HOME_CURRENCY):
        raise ClaimError("The approved amount has too many digits after the decimal point.")
    if amount < full and not note.strip():
        raise ClaimError("Say why you approve less than was claimed.")
    flags = flags_for(claim)
    if (flags.duplicate_receipt or flags.duplicate_claim) and not checked_duplicates:
        raise ClaimError("This claim looks like another one: tick that you checked it before approving.")
    return _transition(
        user=user,
        claim=claim,
        to=S.APPROVED,
        note=note.strip(),
        amount=amount,
        updates={"approved_amount": amount, "decided_at": timezone.now(), "decided_by": user},
    )


def claim_reject(*, user: User, claim: Claim, reason: str) -> Claim:
    if not reason.strip():
        raise ClaimError("Give a reason: the person who filed the claim sees it.")
    return _transition(
        user=user,
        claim=claim,
        to=S.REJECTED,
        note=reason.strip(),
        updates={"decided_at": timezone.now(), "decided_by": user},
    )


def claim_request_changes(*, user: User, claim: Claim, note: str) -> Claim:
    if not note.strip():
        raise ClaimError("Say what should change.")
    return _transition(user=user, claim=claim, to=S.CHANGES_REQUESTED, note=note.strip())


# --- Finance ------------------------------------------------------------------------------


def claim_mark_paid(*, user: User, claims: list[Claim], reference: str) -> list[Claim]:
    """Mark approved claims paid with one payment reference; all or none."""
    reference = reference.strip()
    if not reference:
        raise ClaimError("Give the payment reference, so that the payment can be traced.")
    if not claims:
        raise ClaimError("Pick at least one approved claim.")
    with transaction.atomic():
        paid = [
            _transition(
                user=user,
                claim=claim,
                to=S.PAID,
                note=f"Payment reference {reference}",
                amount=claim.approved_amount,
                updates={"payment_reference": reference[:100], "paid_at": timezone.now()},
            )
            for claim in claims
        ]
    return paid
