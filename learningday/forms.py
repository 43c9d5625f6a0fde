from __future__ import annotations

import uuid
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from learningday.models import User
from learningday.services import ProfileData
from learningday.widgets import QuickSelect


class ValuesChoiceIterator(forms.models.ModelChoiceIterator):
    """The options as (value, label) pairs read with ``values_list``: no model object each."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", self.field.label_field)


class ValuesModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options come from one column, for long lists.

    Building a model object per option costs about 1 ms per 100 options; the feed's team
    filter lists every team of the organisation (200 at 5,000 people).
    """

    iterator = ValuesChoiceIterator

    def __init__(self, queryset, *, label_field: str, **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)


class FocusFirstErrorMixin:
    """Put the cursor in the first field that needs fixing, without JavaScript."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["autofocus"] = True
                break


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


class HourField(forms.TypedChoiceField):
    """A local hour within the organisation's bounds, or empty for its default."""

    def __init__(self, *, bounds: tuple[int, int], default: int, **kwargs):
        first, last = bounds
        choices = [("", f"The usual time ({hour_label(default)})")]
        choices += [(str(hour), hour_label(hour)) for hour in range(first, last + 1)]
        message = f"Pick a time from {hour_label(first)} to {hour_label(last)}, or the usual time."
        super().__init__(
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            error_messages={"invalid_choice": message},
            **kwargs,
        )


class ProfileForm(FocusFirstErrorMixin, forms.ModelForm):
    """Name, time zone, and which reminders come how and when.

    ``slack`` says whether Slack can carry this person's reminders (the Slack app is on and
    they have connected their Slack user); without it, the reminders come by email and
    the choice is not shown."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "timezone",
            "remind_morning",
            "remind_nudge",
            "receive_digest",
            "reminders_via",
            "morning_hour",
            "nudge_hour",
        ]
        widgets = {
            "timezone": QuickSelect(choices=timezone_choices),  # 600 zones
            "reminders_via": forms.RadioSelect,
        }

    def __init__(self, *args, slack: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        self.fields["morning_hour"] = HourField(
            label="Morning reminder at",
            bounds=settings.REMINDER_MORNING_HOURS,
            default=settings.REMINDER_MORNING_HOUR,
            help_text="Your local time, on each Learning Day.",
        )
        self.fields["nudge_hour"] = HourField(
            label="Afternoon nudge at",
            bounds=settings.REMINDER_AFTERNOON_HOURS,
            default=settings.REMINDER_AFTERNOON_HOUR,
            help_text="Your local time; only when you have not logged the day by then.",
        )
        self.fields["remind_morning"].help_text = "On the morning of each Learning Day: what will you learn?"
        if slack:
            via = self.fields["reminders_via"]
            via.help_text = "A Slack message comes from the Learning Day app, with a button to log your day."
            via.error_messages.update(
                invalid_choice="Pick email, Slack, or both.", required="Pick email, Slack, or both."
            )
        else:
            del self.fields["reminders_via"]

    def profile_data(self) -> ProfileData:
        return ProfileData(**{name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields})


class OnceTokenField(forms.UUIDField):
    """A hidden one-time token: fresh on an empty form, kept when the form comes back; never an error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value) -> uuid.UUID | None:
        try:
            return super().to_python(value)
        except ValidationError:
            return None

    def bound_data(self, data, initial):
        # A missing or garbled token comes back as the fresh one this form was given.
        return data if self.to_python(data) else initial


class OnceFormMixin:
    """A create form whose token makes a second post of it show the first result (see ``create_once``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_token"] = OnceTokenField()

    @property
    def token(self) -> uuid.UUID:
        """The posted token; a post without a usable one gets the fresh token it is shown again with."""
        return self.cleaned_data.get("form_token") or self["form_token"].initial
