from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from learningday.forms import FocusFirstErrorMixin, OnceFormMixin
from reading import identifiers
from reading.models import Item
from reading.selectors import items_visible_to
from reimbursements import money, receipts, services
from reimbursements.models import Claim

ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsField(forms.FileField):
    """Several receipt files; each is checked by its content and re-encoded."""

    widget = MultipleFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf"}
    )

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise ValidationError("Add a receipt: a photo or a PDF.", code="required")
        if len(files) > services.MAX_RECEIPTS:
            raise ValidationError(f"Add at most {services.MAX_RECEIPTS} receipts to one claim.", code="too_many")
        processed, problems = [], []
        for upload in files:
            try:
                processed.append(receipts.process_receipt(data=receipts.read_upload(upload), filename=upload.name))
            except receipts.ReceiptRejected as error:
                problems.append(f"{upload.name}: {error}")
        if problems:
            raise ValidationError(problems, code="receipt")
        return processed


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
        ].help_text = f"Only for another currency than {settings.HOME_CURRENCY}: what your card was charged."
        self.fields["item"].queryset = items_visible_to(user).filter(status=Item.Status.CURATED).order_by("title")
        self.fields["item"].label = "Book on the reading list"
        self.fields["item"].empty_label = "None"
        self.fields["purchase_date"].widget.attrs["max"] = today.isoformat()
        if not self.instance.pk:
            self.initial.setdefault("currency", settings.HOME_CURRENCY)

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
