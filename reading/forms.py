from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from learningday.forms import FocusFirstErrorMixin, OnceFormMixin
from learningday.models import Team
from learningday.widgets import QuickSelect
from reading import identifiers
from reading.models import Item, Progress, Topic
from reading.services import ItemData

EVERYONE = "everyone"


class AuthorsField(forms.CharField):
    """Authors, one per line (or separated by semicolons)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = (value or "").replace(";", "\n")
        return [name.strip() for name in text.splitlines() if name.strip()]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > 100:
            raise ValidationError("List at most 100 authors; add “et al.” for the rest.", code="too_many")

    def run_validators(self, value):
        for name in value:
            super().run_validators(name)  # CharField's own: no NUL characters
            if len(name) > 200:
                raise ValidationError("An author's name can be at most 200 characters.", code="max_length")


def _normalizer(name: str, normalize):
    def clean(self):
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return ""
        try:
            return normalize(raw)
        except identifiers.IdentifierError as error:
            raise ValidationError(str(error), code="invalid") from None

    return clean


class ItemForm(FocusFirstErrorMixin, forms.ModelForm):
    """An item's details; ``team`` offers the lists this person may put items on."""

    authors = AuthorsField(label="Authors", required=False, help_text="One per line.")
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    # What people paste is longer than what is stored: hyphens, "arXiv:", "https://doi.org/".
    isbn = forms.CharField(label="ISBN", required=False, max_length=40)
    arxiv_id = forms.CharField(label="arXiv id", required=False, max_length=120)
    doi = forms.CharField(label="DOI", required=False, max_length=300)
    team = forms.ChoiceField(label="List")

    class Meta:
        model = Item
        fields = ["kind", "title", "authors", "year", "url", "arxiv_id", "doi", "isbn", "topic", "why", "team"]
        widgets = {"why": forms.Textarea(attrs={"rows": 3}), "year": forms.NumberInput(attrs={"inputmode": "numeric"})}
        error_messages = {
            "title": {"required": "Give the title, so that others can find it."},
            "year": {"min_value": "That year is too early.", "max_value": "That year is too late."},
        }

    def __init__(self, *args, teams, can_share_with_everyone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(team.pk), team.name) for team in teams]
        if can_share_with_everyone:
            choices.append((EVERYONE, "Everyone (all teams)"))
        self.fields["team"].choices = choices
        self.fields["topic"].queryset = Topic.objects.order_by("name")
        self.fields["topic"].empty_label = "No topic"
        if self.instance.pk:
            self.initial["team"] = str(self.instance.team_id) if self.instance.team_id else EVERYONE
        self.fields["isbn"].help_text = "ISBN-10 or ISBN-13; hyphens are fine."
        self.fields["arxiv_id"].help_text = "Such as 1905.05393."
        self.fields["doi"].help_text = "Such as 10.1038/nature14539."

    clean_isbn = _normalizer("isbn", identifiers.normalize_isbn)
    clean_arxiv_id = _normalizer("arxiv_id", identifiers.normalize_arxiv_id)
    clean_doi = _normalizer("doi", identifiers.normalize_doi)

    def clean_team(self) -> Team | None:
        value = self.cleaned_data["team"]
        return None if value == EVERYONE else Team.objects.get(pk=value)

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(**{name: data[name] for name in self.Meta.fields})


class SuggestForm(OnceFormMixin, ItemForm):
    """A new suggestion: posting the same form twice suggests it once."""


class LookupForm(forms.Form):
    identifier = forms.CharField(
        label="Paste a link, an arXiv id, a DOI or an ISBN",
        max_length=500,
        help_text="We fill in the details from arXiv, Crossref or Open Library.",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why not?", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, help_text="The person sees this."
    )


class ProgressForm(forms.Form):
    state = forms.ChoiceField(
        label="On my shelf as", choices=[("", "Not on my shelf"), *Progress.State.choices], required=False
    )
    finished_on = forms.DateField(
        label="Finished on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For done; today if left empty.",
    )


class BrowseForm(forms.Form):
    q = forms.CharField(label="Search titles and authors", required=False, max_length=200)
    team = forms.ChoiceField(label="List", required=False, widget=QuickSelect)
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="All topics",
        widget=QuickSelect,
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All kinds"), *Item.Kind.choices], required=False, widget=QuickSelect
    )
    progress = forms.ChoiceField(
        label="My progress",
        choices=[("", "Any"), *Progress.State.choices, ("none", "Not on my shelf")],
        required=False,
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(
        label="Order",
        choices=[("position", "The list's order"), ("newest", "Newest"), ("most_read", "Most read")],
        required=False,
        widget=QuickSelect,
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            ("", "All my lists"),
            *((team.slug, team.name) for team in teams),
            (EVERYONE, "Everyone's list"),
        ]


# A reference manager's export of 1,000 entries, abstracts included, is about 2 MB.
BIBTEX_MAX_BYTES = 5 * 1024 * 1024


class BibtexImportForm(forms.Form):
    file = forms.FileField(
        label="BibTeX file (.bib)",
        help_text="At most 5 MB, as exported by Zotero, Mendeley, JabRef or Google Scholar.",
    )
    team = forms.ChoiceField(label="Add to the list of")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(team.pk), team.name) for team in teams]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > BIBTEX_MAX_BYTES:
            raise ValidationError("The file is larger than 5 MB: export fewer entries at a time.", code="too_big")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                "The file is not UTF-8 text: save it as UTF-8 and try again.", code="encoding"
            ) from None


class HomeTopicsForm(forms.Form):
    """A team's home topics: its own fields, ticked among all the organisation's topics."""

    topics = forms.ModelMultipleChoiceField(
        label="Home topics",
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The fields this team works in. An entry in any other topic counts as learning outside the field.",
    )
