from __future__ import annotations

import zoneinfo

from django import forms

from learningday.models import User
from learningday.widgets import QuickSelect


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


class ProfileForm(FocusFirstErrorMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "timezone", "remind_morning", "remind_nudge", "receive_digest"]
        widgets = {"timezone": QuickSelect(choices=timezone_choices)}  # 600 zones

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
