from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q

from learningday.forms import FocusFirstErrorMixin, OnceFormMixin, ValuesModelChoiceField
from learningday.models import Team
from learningday.widgets import QuickSelect
from logs.models import PULSE_COMMENT_MAX, Away, Entry
from logs.services import EntryData
from logs.topics import Suggestion, suggest_topics
from reading.models import Item, Topic
from reading.selectors import items_visible_to

MAX_LINKS = 10


class LinksField(forms.CharField):
    """Several web addresses, one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "https://arxiv.org/abs/1905.05393"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        return list(dict.fromkeys(lines))

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_LINKS:
            raise ValidationError(f"Add at most {MAX_LINKS} links.", code="too_many")
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for url in value:
            try:
                check(url)
            except ValidationError:
                bad.append(url)
        if bad:
            raise ValidationError(
                "These are not web addresses (they start with https://): %(bad)s",
                code="invalid",
                params={"bad": ", ".join(bad)},
            )

    def run_validators(self, value):
        # Each address is checked in validate(); the length limit applies per address.
        for url in value:
            super().run_validators(url)  # CharField's own: no NUL characters
            if len(url) > 500:
                raise ValidationError("A link can be at most 500 characters long.", code="max_length")


class FirstOptionFocus:
    """Radio buttons and ticks: autofocus (FocusFirstErrorMixin) on the first option only, not on each."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if index or subindex:
            option["attrs"].pop("autofocus", None)
        return option


class RadioButtons(FirstOptionFocus, forms.RadioSelect):
    pass


class Ticks(FirstOptionFocus, forms.CheckboxSelectMultiple):
    pass


def typed_ids(value) -> set[int]:
    """Ids from a form's data or initial: strings, numbers, model instances or a comma-separated string."""
    if value in (None, ""):
        return set()
    if isinstance(value, str):
        value = value.split(",")
    ids = set()
    for one in value:
        one = getattr(one, "pk", one)
        try:
            ids.add(int(one))
        except (TypeError, ValueError):
            continue
    return ids


class EntryForm(FocusFirstErrorMixin, forms.ModelForm):
    links = LinksField(label="Links", required=False, help_text="Papers, repositories, notebooks: one per line.")
    # The topics the form proposed, so that saving knows which ticks were suggested and which
    # suggestions the person unticked. Its presence also says the person was asked at all.
    topics_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    # Asked every time; the rest waits behind "More details", with defaults that fit most days.
    MAIN_FIELDS = ("body", "category", "whats_next")
    quick = False

    class Meta:
        model = Entry
        # In the order the page shows them: errors are listed, and the first one focused, in this order.
        fields = ["body", "category", "whats_next", "day", "hours", "links", "items", "topics", "crowded_out"]
        fields += ["visibility"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 6}),
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24", "inputmode": "decimal"}),
            "whats_next": forms.Textarea(attrs={"rows": 2}),
            "items": Ticks,  # with a search box to find a title: checkin.js
            "topics": Ticks,
            "visibility": RadioButtons,
        }
        error_messages = {
            "body": {"required": "Write what you learned: a few lines are enough."},
            "hours": {
                "min_value": "Time spent is at least half an hour.",
                "max_value": "A day has at most 24 hours.",
                "max_decimal_places": "Use steps of half an hour, such as 1.5 or 6.",
                "max_digits": "A day has at most 24 hours.",
                "max_whole_digits": "A day has at most 24 hours.",
                "invalid": "Give the time in hours, such as 1.5 or 6.",
            },
        }

    def __init__(self, *args, today: dt.date, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if "items" in self.fields:
            items = self.fields["items"]
            items.queryset = reading_choices(user)
            items.help_text = "Papers, books or courses of your reading lists this was about."
        self.topic_suggestions: list[Suggestion] = []
        self.suggested_ids: set[int] = set()
        self.topics_asked = False
        if "topics" in self.fields:
            self._propose_topics()
        self.fields["day"].widget.attrs["max"] = today.isoformat()
        self.fields["day"].help_text = "Today by default; you may log a past day, not a future one."
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("day", today)
        if not self.quick:
            # The check-in page is for writing: the cursor starts in the text box.
            self.fields["body"].widget.attrs["autofocus"] = True

    def _typed(self, name: str):
        if self.is_bound:
            return self[name].data
        return self.initial.get(name)

    def _propose_topics(self) -> None:
        """Suggest topics from the text and items typed (or saved): new suggestions are ticked,
        and remembered as shown, so that one the person unticks stays off."""
        field = self.fields["topics"]
        field.queryset = Topic.objects.order_by("name")
        field.required = False
        field.label = "Topics"
        source = self.data if self.is_bound else self.initial
        self.topics_asked = "topics_shown" in source
        items = []
        item_ids = typed_ids(self._typed("items")) if "items" in self.fields else set()
        if item_ids:
            items = list(self.fields["items"].queryset.filter(pk__in=item_ids).only("pk", "title", "topic_id"))
        self.topic_suggestions = suggest_topics(text=str(self._typed("body") or ""), items=items)
        suggested = {s.topic.pk for s in self.topic_suggestions}
        ticked = typed_ids(self._typed("topics"))
        offered = typed_ids(self._typed("topics_shown"))
        if self.instance.pk and not self.is_bound and not self.topics_asked:
            # The entry as saved: its topics are as the person left them; suggestions are only marked.
            offered |= suggested | ticked
        else:
            ticked |= suggested - offered
            offered |= suggested
        shown = ",".join(str(pk) for pk in sorted(offered))
        if self.is_bound:
            if self.topics_asked:
                self.data = self.data.copy()
                values = [str(pk) for pk in sorted(ticked)]
                if hasattr(self.data, "setlist"):
                    self.data.setlist("topics", values)
                else:
                    self.data["topics"] = values
                self.data["topics_shown"] = shown
        else:
            self.initial["topics"] = sorted(ticked)
            self.initial["topics_shown"] = shown
        self.suggested_ids = suggested
        field.help_text = "What this was about. Topics are also suggested from your text and reading-list items."

    @property
    def topics_note(self) -> str:
        """Why each suggested topic is suggested, shown above the suggested ticks."""
        reasons = "; ".join(f"{s.topic.name}: {s.because}" for s in self.topic_suggestions)
        return f"Suggested from your text and reading-list items ({reasons}). Untick any that do not fit."

    def topic_boxes(self) -> tuple[list, list]:
        """The topics' ticks in two groups: the suggested ones, asked with the three questions,
        and the others, behind "More details"."""
        suggested, others = [], []
        for box in self["topics"]:
            (suggested if int(str(box.data["value"])) in self.suggested_ids else others).append(box)
        return suggested, others

    def suggested_topic_boxes(self) -> list:
        return self.topic_boxes()[0]

    def other_topic_boxes(self) -> list:
        return self.topic_boxes()[1]

    def full_clean(self) -> None:
        super().full_clean()
        # One autofocus per page: the first field to fix (FocusFirstErrorMixin) wins over the text box.
        first = next((name for name in self.errors if name in self.fields), None)
        if first not in (None, "body"):
            self.fields["body"].widget.attrs.pop("autofocus", None)

    def main_fields(self) -> list:
        return [field for field in self.visible_fields() if field.name in self.MAIN_FIELDS]

    def more_fields(self) -> list:
        return [field for field in self.visible_fields() if field.name not in self.MAIN_FIELDS]

    def more_open(self) -> bool:
        """Open "More details" where something in it needs fixing, or already says something:
        typed before an error or a preview, or saved on the entry being edited."""
        more = self.more_fields()
        if self.is_bound and any(field.name in self.errors for field in more):
            return True
        return any(self._says_something(field.name, field.value()) for field in more)

    def _says_something(self, name: str, value) -> bool:
        if name == "day":
            usual = self.instance.day if self.instance.pk else self.today
            return bool(value) and str(value) != usual.isoformat()
        if name == "visibility":
            return bool(value) and value != Entry.Visibility.TEAMS
        if name == "links" and isinstance(value, str):
            return bool(value.strip())
        if name == "topics":  # the suggested ones are in sight already
            return bool(typed_ids(value) - self.suggested_ids)
        return bool(value)

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day > self.today:
            raise ValidationError("That day has not come yet. Pick today or a past day.", code="future")
        return day

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name not in ("items", "topics")}
        if self.topics_asked:
            fields["topics"] = list(data["topics"])
            fields["topics_offered"] = frozenset(typed_ids(data.get("topics_shown")))
        return EntryData(**fields, items=list(data["items"]))


def reading_choices(user):
    """Curated items of the person's lists, and their own suggestions, by title."""
    if user is None:
        return Item.objects.none()
    visible = items_visible_to(user)
    return visible.filter(Q(status=Item.Status.CURATED) | Q(suggested_by=user)).order_by("title")


class QuickEntryForm(EntryForm):
    """The dashboard's short form: what, and what kind; the rest keeps its defaults."""

    links = None  # declared on EntryForm, so it must be taken off here explicitly
    topics_shown = None
    quick = True

    class Meta(EntryForm.Meta):
        fields = ["day", "body", "category"]
        widgets = {**EntryForm.Meta.widgets, "day": forms.HiddenInput, "body": forms.Textarea(attrs={"rows": 4})}

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        return EntryData(day=data["day"], body=data["body"], category=data["category"])


class FeedFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    team = ValuesModelChoiceField(
        label="Team",
        queryset=Team.objects.order_by("name"),
        label_field="name",
        required=False,
        to_field_name="slug",
        empty_label="All teams",
        widget=QuickSelect,  # every team of the organisation: 200 at 5,000 people
    )
    category = forms.ChoiceField(
        label="Category", choices=[("", "All categories"), *Entry.Category.choices], required=False, widget=QuickSelect
    )
    day_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("day_from") and data.get("day_to") and data["day_from"] > data["day_to"]:
            self.add_error("day_to", "The end of the range is before its start.")
        return data


class AwayForm(OnceFormMixin, FocusFirstErrorMixin, forms.ModelForm):
    """Days away; posting the same form twice marks them once."""

    class Meta:
        model = Away
        fields = ["start", "end", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The last day away cannot be before the first.")
        return data


PULSE_QUESTION = "How much did Learning Day help you grow this quarter?"
PULSE_CHOICES = [(1, "1 · Not at all"), (2, "2"), (3, "3"), (4, "4"), (5, "5 · A lot")]


class PulseForm(FocusFirstErrorMixin, forms.Form):
    """The quarter's pulse question: a score from 1 to 5 and an optional comment."""

    score = forms.TypedChoiceField(
        label=PULSE_QUESTION,
        choices=PULSE_CHOICES,
        coerce=int,
        widget=RadioButtons(attrs={"class": "pulse-scale"}),
        help_text="From 1, not at all, to 5, a lot.",
        error_messages={
            "required": "Choose a number from 1 (not at all) to 5 (a lot).",
            "invalid_choice": "Choose a number from 1 (not at all) to 5 (a lot).",
        },
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=PULSE_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Answers are shown only as totals of at least five people, and comments without names. "
            "In a small group, a comment's words may still say who wrote it."
        ),
        error_messages={"max_length": f"Keep the comment to {PULSE_COMMENT_MAX} characters."},
    )
