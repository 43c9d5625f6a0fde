"""Claims for books, tutors and courses: receipts, decisions and an append-only trail."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from learningday.models import choice_label
from reimbursements.receipt_reading import Proposal

MONEY = {"max_digits": 14, "decimal_places": 3}


def _receipts():
    return storages["receipts"]


def receipt_path(instance, filename: str) -> str:
    """A random name: never the uploader's file name, never guessable."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{suffix}"


class PersonalBudget(models.Model):
    """A person's own annual budget, where it differs from ANNUAL_LEARNING_BUDGET."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_budget")
    amount = models.DecimalField(_("annual budget"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.amount}"


class Claim(models.Model):
    class Kind(models.TextChoices):
        BOOK = "book", _("Book")
        TUTOR = "tutor", _("Tutor")
        COURSE = "course", _("Course")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BOOK)
    description = models.CharField(_("what it was for"), max_length=300)
    vendor = models.CharField(_("bought from"), max_length=200, blank=True)
    purchase_date = models.DateField(_("purchase date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    home_amount = models.DecimalField(
        _("amount charged in the home currency"),
        null=True,
        blank=True,
        help_text=_("What your card was charged."),
        **MONEY,
    )
    approved_amount = models.DecimalField(_("approved amount"), null=True, blank=True, **MONEY)
    item = models.ForeignKey(
        "reading.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="claims", verbose_name=_("book")
    )
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="decided_claims"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(home_amount__isnull=True) | models.Q(home_amount__gt=0),
                name="claim_home_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gt=0),
                name="claim_approved_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["draft", "submitted", "changes_requested", "approved", "rejected", "paid", "withdrawn"]
                ),
                name="claim_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["approved", "paid"]) | models.Q(approved_amount__isnull=False),
                name="claim_approved_has_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["claimant", "purchase_date"], name="claim_budget"),
            models.Index(fields=["state", "submitted_at"], name="claim_queue"),
            # The finance list's order: a page is the first rows of this index, not a sort of them all.
            models.Index(fields=["state", "decided_at", "id"], name="claim_finance_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", args=[self.pk])

    # Once or twice per row of the claim lists: see choice_label.
    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def get_state_display(self) -> str:
        return choice_label(self.State, self.state)

    @property
    def home_value(self) -> Decimal:
        """What the claim is worth in the home currency: what counts against the budget."""
        if self.approved_amount is not None:
            return self.approved_amount
        if self.currency == settings.HOME_CURRENCY:
            return self.amount
        return self.home_amount or Decimal("0")

    @property
    def is_editable(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.CHANGES_REQUESTED}


class Receipt(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(storage=_receipts, upload_to=receipt_path, max_length=200)
    thumbnail = models.FileField(storage=_receipts, upload_to=receipt_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or f"receipt {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class PendingReceipt(models.Model):
    """A checked receipt kept for its owner while their claim form comes back with errors.

    Only its owner may attach it, and only to a claim of theirs: saving the claim turns it
    into the claim's ``Receipt`` (the stored files become the receipt's, nothing is written
    again) and the row goes. One never used is deleted with its files after
    a day (``pending.LIFETIME``, by ``tasks.clean_pending_receipts``)."""

    class Reading(models.TextChoices):
        WAITING = "waiting", _("Being read")
        READ = "read", _("Read")
        UNREADABLE = "unreadable", _("Nothing found")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(storage=_receipts, upload_to=receipt_path, max_length=200)
    thumbnail = models.FileField(storage=_receipts, upload_to=receipt_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # What tasks.read_pending_receipt found on it (receipt_reading.Proposal.as_json), for the
    # claim form to propose; never copied to a claim without the person's submit.
    reading = models.CharField(max_length=10, choices=Reading.choices, default=Reading.WAITING)
    proposal = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or f"pending receipt {self.pk}"

    @property
    def proposed(self) -> Proposal | None:
        """What reading it found, or None."""
        return Proposal.from_json(self.proposal) if self.reading == self.Reading.READ else None

    @property
    def size_label(self) -> str:
        """The size as a person reads it: 240 kB, 1.4 MB (counted in 1,024s, as RECEIPT_MAX_MB is)."""
        if self.size < 1024:
            return f"{self.size} bytes"
        if self.size < 1024 * 1024:
            return f"{round(self.size / 1024)} kB"
        return f"{self.size / 1024 / 1024:.1f} MB"


class ClaimEvent(models.Model):
    """One step in a claim's life. Written once, never changed, never deleted."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state or '—'} → {self.to_state}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("The claim trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The claim trail is append-only.")

    @property
    def to_label(self) -> str:
        return Claim.State(self.to_state).label
