"""The team's Slack channel, end to end: an entry made from Slack (``/learned``, then the
modal submitted) shows on the web feed, and editing it on the web edits its message in the
team's channel.

Slack is the local fake Web API (tests/slackapp/fake_api.py); what Slack sends to the app is
signed as Slack signs it and posted over HTTP to the live server's ``/slack/events``.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from playwright.sync_api import Page, expect

from learningday.models import Team, User
from slackapp.models import ChannelPost
from slackapp.services import team_channel_set
from tests.e2e.conftest import login
from tests.slackapp.fake_api import SlackSender

MEMBER = "member@example.com"
MANAGER = "manager@example.com"
FROM_SLACK = "Tried JAX's shard_map on the robot arm simulator"
FROM_THE_WEB = "Tried JAX's shard_map on the simulator: 3x faster than pmap"

pytestmark = pytest.mark.usefixtures("on_a_learning_day", "demo_data")


class LiveServerClient:
    """What ``SlackSender`` asks of Django's test client, over real HTTP to the live server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def post(self, path: str, *, data: str, content_type: str, headers: dict[str, str]) -> requests.Response:
        return requests.post(
            self.base_url + path,
            data=data.encode(),
            headers={"Content-Type": content_type, **headers},
            timeout=10,
            allow_redirects=False,
        )


def test_an_entry_made_in_slack_shows_on_the_web_and_its_web_edit_edits_the_channel_message(
    page: Page, live_server, slack_api, demo_password
):
    robotics = Team.objects.get(slug="robotics")
    team_channel_set(user=User.objects.get(email=MANAGER), team=robotics, channel_id="C0LEARN", channel_name="learning")
    slack_api.add_user("U1", MEMBER)  # Tom Becker in Slack, found by his verified email
    slack = SlackSender(LiveServerClient(live_server.url), api=slack_api)

    # In Slack: /learned opens the check-in modal; Tom types what he learned and submits it.
    assert slack.command("/learned", user="U1").status_code == 200
    view = slack_api.last("views.open").args["view"]
    assert view["callback_id"] == "checkin"
    submitted = slack.submit(view, body=FROM_SLACK, user="U1")
    assert submitted.status_code == 200

    # The bot posts the entry to Robotics' channel.
    in_channel = [c for c in slack_api.calls("chat.postMessage") if c.args["channel"] == "C0LEARN"]
    assert len(in_channel) == 1
    posted = in_channel[0]
    assert "Tom Becker" in posted.args["text"]
    assert FROM_SLACK in json.dumps(posted.args["blocks"])
    message_ts = ChannelPost.objects.get(team=robotics).ts
    assert message_ts

    # On the web: the entry is in the feed; Tom edits it there.
    login(page, MEMBER, demo_password)
    page.goto("/logs/")
    mine = page.get_by_role("article").filter(has_text=FROM_SLACK)
    expect(mine).to_have_count(1)
    expect(mine.get_by_role("link", name="Tom Becker", exact=True)).to_be_visible()
    mine.get_by_role("link", name=re.compile(r"^Edit")).click()
    page.get_by_label("What did you learn today?").fill(FROM_THE_WEB)
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(r"/logs/\d+/$"))
    expect(page.get_by_role("article")).to_contain_text("3x faster than pmap")

    # The same message in the channel now says what the entry says; nothing was posted again.
    update = slack_api.last("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("C0LEARN", message_ts)
    assert "3x faster than pmap" in json.dumps(update.args["blocks"])
    assert [c for c in slack_api.calls("chat.postMessage") if c.args["channel"] == "C0LEARN"] == [posted]
