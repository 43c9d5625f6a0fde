"""Demo claims in every state, with small generated receipt images.

Among them a book claim by member@example.com that waits for manager@example.com.
Written straight to the tables (with their trail) so that seeding sends no email.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from learningday.models import User
from reading.models import Item
from reimbursements.models import Claim, ClaimEvent
from reimbursements.receipts import process_receipt
from reimbursements.services import store_receipt

S = Claim.State

# claimant, kind, description, vendor, days ago, amount, currency, home amount, final state, decider, note
CLAIMS = [
    ("member@example.com", "book", "The Book of Why", "Hugendubel", 6, "24.00", "EUR", None, S.SUBMITTED, None, ""),
    ("member@example.com", "book", "Time Series Analysis", "Amazon", 40, "89.90", "EUR", None, S.PAID, "manager@example.com", ""),
    ("member@example.com", "course", "Deep RL Bootcamp videos and notes", "", 3, "15.00", "EUR", None, S.DRAFT, None, ""),
    ("lena@example.com", "tutor", "Four sessions of Bayesian statistics tutoring", "Dr. K. Weber", 20, "240.00", "EUR", None, S.APPROVED, "manager@example.com", ""),
    ("kenji@example.com", "book", "The Information", "Kinokuniya", 12, "3520", "JPY", "21.40", S.CHANGES_REQUESTED, "manager@example.com", "Please add the receipt page that shows the price."),
    ("other@example.com", "course", "Coursera: Probabilistic Graphical Models", "Coursera", 30, "79.00", "USD", "73.12", S.APPROVED, "research-manager@example.com", ""),
    ("aroha@example.com", "book", "Radical Markets", "Unity Books", 25, "45.00", "NZD", "24.80", S.REJECTED, "research-manager@example.com", "Bought for a book club, not for Learning Day."),
    ("priya@example.com", "book", "Dark Territory", "Blossom Books", 9, "799", "INR", "8.90", S.WITHDRAWN, None, ""),
    ("jonas@example.com", "book", "The Hacked World Order", "Adlibris", 15, "289.00", "SEK", "25.10", S.SUBMITTED, None, ""),
    ("manager@example.com", "book", "Thanks for the Feedback", "Thalia", 8, "18.00", "EUR", None, S.SUBMITTED, None, ""),
]  # fmt: skip

PATHS = {
    S.DRAFT: [S.DRAFT],
    S.SUBMITTED: [S.DRAFT, S.SUBMITTED],
    S.APPROVED: [S.DRAFT, S.SUBMITTED, S.APPROVED],
    S.PAID: [S.DRAFT, S.SUBMITTED, S.APPROVED, S.PAID],
    S.REJECTED: [S.DRAFT, S.SUBMITTED, S.REJECTED],
    S.CHANGES_REQUESTED: [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED],
    S.WITHDRAWN: [S.DRAFT, S.SUBMITTED, S.WITHDRAWN],
}


def receipt_image(title: str, amount: str, currency: str) -> bytes:
    """A small picture of a till receipt."""
    image = Image.new("RGB", (360, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 350, 470), outline="black", width=2)
    lines = ["RECEIPT", "", title[:28], title[28:56], "", f"TOTAL {amount} {currency}", "", "Thank you!"]
    for row, text in enumerate(lines):
        draw.text((30, 40 + row * 40), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@transaction.atomic
def seed(*, stdout=None) -> None:
    today = timezone.localdate(timezone=dt.UTC)
    people = {u.email: u for u in User.objects.all()}
    created = 0
    for who, kind, text, vendor, days, amount, currency, home, state, decider, note in CLAIMS:
        claimant = people.get(who)
        if claimant is None or Claim.objects.filter(claimant=claimant, description=text).exists():
            continue
        value = Decimal(amount)
        home_value = Decimal(home) if home else value
        item = Item.objects.filter(title__startswith=text, kind="book").first()
        claim = Claim.objects.create(
            claimant=claimant,
            kind=kind,
            description=text,
            vendor=vendor,
            purchase_date=today - dt.timedelta(days=days),
            amount=value,
            currency=currency,
            home_amount=home_value,
            item=item,
            isbn=item.isbn if item else "",
        )
        store_receipt(
            claim=claim, processed=process_receipt(data=receipt_image(text, amount, currency), filename="receipt.jpg")
        )
        _walk(claim, PATHS[state], decider=people.get(decider) if decider else None, note=note, home=home_value)
        created += 1
    if stdout is not None:
        stdout.write(f"reimbursements: {created} new claims")


def _walk(claim: Claim, path: list[str], *, decider: User | None, note: str, home: Decimal) -> None:
    """Move the claim along its path, writing the trail as the services would."""
    now = timezone.now()
    # Each step a day or two after the one before, from the day after the purchase.
    bought = dt.datetime.combine(claim.purchase_date, dt.time(9, 30), tzinfo=dt.UTC)
    when = {
        S.DRAFT: 1, S.SUBMITTED: 1, S.APPROVED: 3, S.REJECTED: 3, S.CHANGES_REQUESTED: 3, S.WITHDRAWN: 2, S.PAID: 5
    }  # fmt: skip
    before = ""
    for step in path:
        actor = claim.claimant if step in {S.DRAFT, S.SUBMITTED, S.WITHDRAWN} else decider
        if step == S.PAID:
            actor = User.objects.filter(groups__name="finance").first()
        amount = home if step in {S.APPROVED, S.PAID} else (claim.amount if step == S.DRAFT else None)
        event_note = note if step in {S.REJECTED, S.CHANGES_REQUESTED} else ""
        if step == S.PAID:
            event_note = "Payment reference LD-2026-0042"
        event = ClaimEvent.objects.create(
            claim=claim, actor=actor, from_state=before, to_state=step, note=event_note, amount=amount
        )
        at = min(bought + dt.timedelta(days=when[step], hours=len(before)), now)
        ClaimEvent.objects.filter(pk=event.pk).update(at=at)  # demo history; the trail is otherwise append-only
        before = step
    claim.state = path[-1]
    if S.SUBMITTED in path:
        claim.submitted_at = now
    if path[-1] in {S.APPROVED, S.PAID, S.REJECTED}:
        claim.decided_at, claim.decided_by = now, decider
    if path[-1] in {S.APPROVED, S.PAID}:
        claim.approved_amount = home
    if path[-1] == S.PAID:
        claim.paid_at, claim.payment_reference = now, "LD-2026-0042"
    claim.save()
