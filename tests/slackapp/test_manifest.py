"""The manifest an admin pastes to create the Slack app, and what each setting is for."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from slackapp.manifest import SCOPES

ROOT = Path(__file__).resolve().parents[2]


def _printed(site_url: str) -> dict:
    out = StringIO()
    call_command("slack_manifest", site_url=site_url, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_committed_manifest_is_what_the_command_prints():
    committed = json.loads((ROOT / "slackapp" / "manifest.json").read_text())
    assert committed == _printed("https://learningday.example.com")


def test_manifest_sends_everything_to_the_one_endpoint():
    printed = _printed("https://learn.example.org/")
    endpoint = "https://learn.example.org" + reverse("slackapp:events")
    commands = {c["command"]: c["url"] for c in printed["features"]["slash_commands"]}
    assert commands == {"/learned": endpoint, "/reading": endpoint}
    assert printed["settings"]["event_subscriptions"] == {"request_url": endpoint, "bot_events": ["app_home_opened"]}
    assert printed["settings"]["interactivity"]["request_url"] == endpoint
    assert printed["settings"]["interactivity"]["message_menu_options_url"] == endpoint
    assert printed["features"]["shortcuts"][0]["callback_id"] == "log_as_learning"
    assert printed["features"]["app_home"]["home_tab_enabled"] is True


def test_readme_explains_every_scope_of_the_manifest():
    readme = (ROOT / "README.md").read_text()
    for scope in SCOPES:
        assert f"`{scope}`" in readme, f"README's Slack section does not explain the scope {scope}"
