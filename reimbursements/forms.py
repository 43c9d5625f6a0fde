from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from learningday.forms import FocusFirstErrorMixin, OnceFormMixin
from learningday.parsing import parse_id
from reading import identifiers
from reading.models import Item
from reading.selectors import items_visible_to
from reimbursements import money, rates, receipts, selectors, services
from reimbursements.models import Claim, PendingReceipt
from reimbursements.receipt_reading import Proposal

# What receipts.py takes; .heic and .heif too, for systems that do not know HEIC's type.
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsInput(MultipleFileInput):
    """The receipt files, and after them a second input that opens a phone's camera.

    One input cannot do both: given ``capture``, a phone opens its camera at once and offers
    no saved photo or PDF. Both inputs are named ``receipts``, so their files arrive together.
    Where the pointer is a mouse the camera input is not shown (site.css): there it would
    only be a second file picker."""

    camera_label = "Or take a photo of the receipt"

    def render(self, name, value, attrs=None, renderer=None):
        files = super().render(name, value, attrs, renderer)
        camera_id = f"{(attrs or {}).get('id') or f'id_{name}'}_camera"
        camera = format_html(
            '<div class="receipt-camera"><label for="{}">{}</label>'
            '<input type="file" name="{}" id="{}" accept="image/*" capture="environment"></div>',
            camera_id,
            self.camera_label,
            name,
            camera_id,
        )
        return files + camera


class ReceiptsField(forms.FileField):
    """Several receipt files; each is checked by its content and re-encoded.

    ``kept`` counts the receipts already attached (pending), for the limit. ``accepted``
    holds, after cleaning, the files that passed the checks, even when others did not:
    those are kept for the person while they correct the form."""

    widget = ReceiptsInput(attrs={"accept": ACCEPTED_TYPES})
    kept = 0

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        self.accepted: list[receipts.ProcessedReceipt] = []
        if self.required and not files and not self.kept:
            raise ValidationError("Add a receipt: a photo or a PDF.", code="required")
        if len(files) + self.kept > services.MAX_RECEIPTS:
            raise ValidationError(f"Add at most {services.MAX_RECEIPTS} receipts to one claim.", code="too_many")
        problems = []
        for upload in files:
            try:
                self.accepted.append(receipts.process_receipt(data=receipts.read_upload(upload), filename=upload.name))
            except receipts.ReceiptRejected as error:
                problems.append(f"{upload.name}: {error}")
        if problems:
            raise ValidationError(problems, code="receipt")
        return list(self.accepted)


READ_NOTE = "Read from the receipt: check it before you submit."


def receipt_proposal(pending: list[PendingReceipt]) -> Proposal | None:
    """What the first kept receipt that could be read proposes."""
    for row in pending:
        if row.reading == PendingReceipt.Reading.READ:
            proposal = Proposal.from_json(row.proposal)
            if proposal is not None and not proposal.is_empty:
                return proposal
    return None


def proposed_values(proposal: Proposal, *, user) -> dict[str, str]:
    """The claim form's fields as the receipt fills them in, as a browser posts them."""
    values: dict[str, str] = {}
    if proposal.amount is not None:
        values["amount"] = str(proposal.amount)
    if proposal.currency_printed and proposal.currency in money.currencies():
        values["currency"] = proposal.currency
    if proposal.purchase_date is not None:
        values["purchase_date"] = proposal.purchase_date.isoformat()
    if proposal.shop:
        values["vendor"] = proposal.shop[:200]
    if proposal.isbns:
        values["isbn"] = proposal.isbns[0]
        item = (
            items_visible_to(user)
            .filter(status=Item.Status.CURATED, isbn__in=proposal.isbns)
            .values_list("pk", flat=True)
            .first()
        )
        if item is not None:
            values["item"] = str(item)
    currency = values.get("currency", settings.HOME_CURRENCY)
    if proposal.amount is not None and proposal.purchase_date is not None and currency != settings.HOME_CURRENCY:
        reference = rates.reference(amount=proposal.amount, currency=currency, day=proposal.purchase_date)
        if reference is not None:
            values["home_amount"] = str(reference.amount)
    return values


class ClaimForm(FocusFirstErrorMixin, forms.ModelForm):
    currency = forms.ChoiceField(label="Currency", initial=settings.HOME_CURRENCY)
    receipts = ReceiptsField(
        label="Receipts",
        required=False,
        help_text=f"JPEG, PNG, WebP, HEIC or PDF, up to {settings.RECEIPT_MAX_MB} MB each; one per tutor's session.",
    )
    # Hyphens and spaces are welcome here; the clean ISBN-13 that is stored is shorter.
    isbn = forms.CharField(
        label="ISBN",
        required=False,
        max_length=24,
        help_text="For a book: lets us tell you when a teammate bought it already.",
    )
    suggest_for_reading = forms.BooleanField(label="Also suggest this book for my team's reading list", required=False)

    class Meta:
        model = Claim
        fields = ["kind", "description", "vendor", "purchase_date", "amount", "currency", "home_amount", "item", "isbn"]
        widgets = {
            "purchase_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
            "home_amount": forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
        }
        help_texts = {
            "description": "The book's title, or what the tutor or course taught.",
        }
        error_messages = {
            "description": {"required": "Say what it was for."},
            "purchase_date": {"required": "Give the date on the receipt."},
            "amount": {
                "required": "Give the amount on the receipt.",
                "invalid": "Give the amount as a number, such as 39.90.",
            },
        }

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["currency"].choices = money.currency_choices()
        self.fields["home_amount"].label = f"Amount charged in {settings.HOME_CURRENCY}"
        self.fields[
            "home_amount"
        ].help_text = f"Only if you paid in another currency: what your card was charged, in {settings.HOME_CURRENCY}."
        # static/js/claim-form.js hides the field while the currency is this one.
        self.fields["home_amount"].widget.attrs["data-home-currency"] = settings.HOME_CURRENCY
        self.fields["item"].queryset = items_visible_to(user).filter(status=Item.Status.CURATED).order_by("title")
        self.fields["item"].label = "Book on the reading list"
        self.fields["item"].empty_label = "None"
        self.fields["purchase_date"].widget.attrs["max"] = today.isoformat()
        if not self.instance.pk:
            self.initial.setdefault("currency", settings.HOME_CURRENCY)
        # Receipts kept from an earlier post of this form (``pending``), less those the person
        # ticked to remove (``remove_pending``). Only their own: anyone else's id is ignored.
        posted = self._pending_posted(user, "pending")
        removed = {p.pk for p in self._pending_posted(user, "remove_pending")}
        self.pending: list[PendingReceipt] = [p for p in posted if p.pk not in removed]
        self.removed: list[PendingReceipt] = [p for p in posted if p.pk in removed]
        self.fields["receipts"].kept = len(self.pending)
        self.read_from_receipt: list[str] = []

    def _pending_posted(self, user, name: str) -> list[PendingReceipt]:
        if not self.is_bound:
            return []
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name) or []
        values = [values] if isinstance(values, str) else list(values)
        ids = {parse_id(value) for value in values[: services.MAX_RECEIPTS]} - {None}
        return list(selectors.pending_receipts_of(user).filter(pk__in=ids)) if ids else []

    def propose(self, user) -> list[str]:
        """Fill the fields the person left empty with what their kept receipt says, each
        marked as read from the receipt; returns their names. Nothing is saved here: the
        person sees the values and submits them, or corrects them first."""
        proposal = receipt_proposal(self.pending)
        if proposal is None:
            return []
        filled = []
        values = proposed_values(proposal, user=user)
        if self.is_bound:
            data = self.data.copy()
            for name, value in values.items():
                current = (data.get(name) or "").strip()
                if current == value or (current and not (name == "currency" and current == settings.HOME_CURRENCY)):
                    continue
                data[name] = value
                filled.append(name)
            self.data = data
        else:
            for name, value in values.items():
                current = self.initial.get(name)
                if current == value or (
                    current not in (None, "") and not (name == "currency" and current == settings.HOME_CURRENCY)
                ):
                    continue
                self.initial[name] = value
                filled.append(name)
        for name in filled:
            field = self.fields[name]
            field.widget.attrs["class"] = "read-from-receipt"
            field.help_text = f"{READ_NOTE} {field.help_text}".strip()
            self[name].help_text = field.help_text  # the bound field copied it when the form was cleaned
        self.read_from_receipt = filled
        return filled

    def without_claim_errors(self) -> None:
        """Only the receipts' errors: the person attached a receipt to have it read, and has
        not filled in the rest yet."""
        self._errors = forms.utils.ErrorDict({k: v for k, v in self.errors.items() if k == "receipts"})
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)

    def new_receipts(self) -> list[receipts.ProcessedReceipt]:
        """The files of this post that passed the checks, less any the person attached again
        while it was already kept."""
        kept = {p.sha256 for p in self.pending}
        return [r for r in getattr(self.fields["receipts"], "accepted", []) if r.sha256 not in kept]

    def clean_isbn(self) -> str:
        raw = (self.cleaned_data.get("isbn") or "").strip()
        if not raw:
            return ""
        try:
            return identifiers.normalize_isbn(raw)
        except identifiers.IdentifierError as error:
            raise ValidationError(str(error), code="isbn") from None

    def clean(self):
        data = super().clean()
        if all(name in data for name in self.Meta.fields):
            # The rules of the claim's date and money are the service's; shown here on their field.
            try:
                services.check_claim(data=self.claim_data(), today=self.today)
            except services.ClaimError as error:
                self.add_error(error.field, str(error))
        return data

    def claim_data(self) -> services.ClaimData:
        data = self.cleaned_data
        return services.ClaimData(**{name: data[name] for name in self.Meta.fields})


class NewClaimForm(OnceFormMixin, ClaimForm):
    """A new claim: posting the same form twice files it once."""


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=f"Approve ({settings.HOME_CURRENCY})",
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        required=False,
        help_text="Leave as it is to approve in full.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    checked_duplicates = forms.BooleanField(label="I checked the possible duplicate", required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label="Why not?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ChangesForm(forms.Form):
    note = forms.CharField(label="What should change?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        # Shown beside ApproveForm, which has a note too: ids of its own keep each label on its field.
        kwargs.setdefault("auto_id", "id_changes_%s")
        super().__init__(*args, **kwargs)


class MarkPaidForm(forms.Form):
    claims = forms.ModelMultipleChoiceField(queryset=Claim.objects.none(), widget=forms.CheckboxSelectMultiple)
    reference = forms.CharField(label="Payment reference", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = Claim.objects.filter(state=Claim.State.APPROVED)
        self.fields["claims"].error_messages["required"] = "Tick the claims that were paid."
        self.fields["claims"].error_messages["invalid_choice"] = "One of these claims is no longer waiting for payment."


class PeriodForm(forms.Form):
    start = forms.DateField(label="Decided from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Approved and paid"), ("approved", "Approved, to pay"), ("paid", "Paid")],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period is before its start.")
        return data
