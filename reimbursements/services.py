"""State changes of claims. Every change of state goes through ``_transition``: it checks
the move is allowed, locks the row, writes the event and queues the emails on commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from learningday.models import User
from reading.models import Item
from reimbursements import money
from reimbursements.models import Claim, ClaimEvent, Receipt
from reimbursements.receipts import ProcessedReceipt
from reimbursements.selectors import can_decide, flags_for

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
    """A claim action that cannot be done; the message is fit to show the person."""


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

    event_id = event.pk
    transaction.on_commit(lambda: tasks.notify_claim.delay(event_id))


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


def _check(data: ClaimData, *, today: dt.date) -> None:
    if data.currency not in money.currencies():
        raise ClaimError(f"{data.currency} is not a currency we know.")
    if data.amount <= 0:
        raise ClaimError("The amount must be more than zero.")
    if not money.has_valid_precision(data.amount, data.currency):
        raise ClaimError(f"{data.currency} has {money.minor_units(data.currency)} digits after the decimal point.")
    if data.purchase_date > today:
        raise ClaimError("The purchase date cannot be in the future.")
    if data.currency != settings.HOME_CURRENCY:
        if data.home_amount is None or data.home_amount <= 0:
            raise ClaimError(f"Give the amount in {settings.HOME_CURRENCY} that you were actually charged.")
        if not money.has_valid_precision(data.home_amount, settings.HOME_CURRENCY):
            raise ClaimError(f"The amount in {settings.HOME_CURRENCY} has too many digits after the decimal point.")


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
    _check(data, today=today)
    with transaction.atomic():
        claim = Claim.objects.create(claimant=user, state=S.DRAFT, **_fields(data))
        ClaimEvent.objects.create(claim=claim, actor=user, from_state="", to_state=S.DRAFT, amount=claim.amount)
    return claim


def claim_update(*, user: User, claim: Claim, data: ClaimData, today: dt.date) -> Claim:
    _check(data, today=today)
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
    receipt = Receipt(
        claim=claim,
        content_type=processed.content_type,
        original_name=processed.original_name[:200],
        size=processed.size,
        sha256=processed.sha256,
        pages=processed.pages,
    )
    receipt.file.save(f"receipt{processed.extension}", ContentFile(processed.content), save=False)
    if processed.thumbnail:
        receipt.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
    try:
        receipt.save()
    except Exception:
        # Do not leave files behind for a row that was never written.
        receipt.file.delete(save=False)
        if receipt.thumbnail:
            receipt.thumbnail.delete(save=False)
        raise
    return receipt


def receipt_add(*, user: User, claim: Claim, processed: ProcessedReceipt) -> Receipt:
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.claimant_id != user.pk or not locked.is_editable:
            raise ClaimError("Receipts can be added only to your own draft or returned claim.")
        if locked.receipts.count() >= MAX_RECEIPTS:
            raise ClaimError(f"A claim can have at most {MAX_RECEIPTS} receipts.")
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


def claim_submit(*, user: User, claim: Claim) -> Claim:
    if not claim.receipts.exists():
        raise ClaimError("Add a receipt before you submit: a photo or a PDF.")
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
