"""Forms of the Slack app's pages."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from learningday.forms import FocusFirstErrorMixin

# Slack's channel ids: C… for channels, G… for older private ones; upper-case letters and digits.
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")
NONE = ""


class TeamChannelForm(FocusFirstErrorMixin, forms.Form):
    """Pick one of the listed public channels, or type a channel's id (a private channel the bot
    was invited to, or any channel when Slack did not list them)."""

    channel = forms.ChoiceField(label="Channel", required=False)
    channel_id = forms.CharField(
        label="Or the channel's id",
        required=False,
        max_length=32,
        help_text="In Slack: open the channel's details; the id (C…) is at the bottom. "
        "For a private channel, invite the Learning Day app to it first.",
    )

    def __init__(self, *args, channels: list[tuple[str, str]] | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.names = dict(channels or [])
        if channels is None:
            # Slack listed nothing this time: a choice made from an earlier list still counts,
            # read as an id, so that it is not taken for "none".
            self.fields["channel"] = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
            self.fields["channel_id"].label = "The channel's id"
            self.fields[
                "channel_id"
            ].help_text = (
                "In Slack: open the channel's details; the id (C…) is at the bottom. Leave it empty to stop posting."
            )
        else:
            self.fields["channel"].choices = [(NONE, "None: stop posting in Slack")] + [
                (channel_id, f"#{name}") for channel_id, name in channels
            ]

    def clean_channel_id(self) -> str:
        return _channel_id(self.cleaned_data["channel_id"])

    def clean_channel(self) -> str:
        return _channel_id(self.cleaned_data["channel"])

    def chosen(self) -> tuple[str, str]:
        """The channel's id and name (the name only when Slack listed it); ("", "") for none."""
        channel_id = self.cleaned_data.get("channel_id") or self.cleaned_data.get("channel") or NONE
        return channel_id, self.names.get(channel_id, "")


def _channel_id(value: str) -> str:
    value = (value or "").strip().lstrip("#").upper()
    if value and not CHANNEL_ID.fullmatch(value):
        raise ValidationError("A channel's id looks like C0123ABCD: a C, then letters and digits.", code="invalid")
    return value
