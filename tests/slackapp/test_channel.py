"""A team's Slack channel through the app: picking it, each entry posted once and kept up to
date there, and the morning digest."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from learningday.models import Membership, OutboxMessage, Team
from logs.models import Entry
from logs.services import EntryData, entry_delete, entry_save
from slackapp.channel import dispatch_channel_digests, entry_post_sync, entry_posts_sync
from slackapp.models import ChannelPost, TeamChannel
from slackapp.services import team_channel_set
from tests.concurrency import at_once
from tests.conftest import LAST_THURSDAY, require
from tests.factories import EntryFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXX"
# Friday 4 December 2026, 09:30 in Berlin: the morning after Learning Day 3 December.
FRIDAY_MORNING = dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC)


def _text(call) -> str:
    """What a posted or edited message shows: its text and its blocks."""
    return call.args.get("text", "") + json.dumps(call.args.get("blocks", ""))


@pytest.fixture
def channels(team, other_team, member, manager, staff_user, slack_api):
    """The member is in both teams; each team posts to a channel of its own."""
    MembershipFactory(user=member, team=other_team)
    team_channel_set(user=manager, team=team, channel_id="C0ROBOT", channel_name="robotics")
    team_channel_set(user=staff_user, team=other_team, channel_id="C0RESEARCH", channel_name="research")
    return {team.pk: "C0ROBOT", other_team.pk: "C0RESEARCH"}


@pytest.fixture
def save(member, django_capture_on_commit_callbacks):
    """Save, edit or delete the member's entry as the web form does, its after-commit work done."""

    def run(body: str = "Read about **JAX** pmap", *, entry: Entry | None = None, delete: bool = False, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            if delete:
                entry_delete(user=member, entry=entry)
                return None
            saved, _created = entry_save(
                user=member, data=EntryData(day=LAST_THURSDAY, body=body, **fields), entry=entry
            )
        return saved

    return run


# --- Picking the channel -------------------------------------------------------------


def test_manager_picks_the_teams_channel_from_slacks_list(client, manager, team, slack_api):
    Team.objects.filter(pk=team.pk).update(slack_webhook_url=WEBHOOK)
    client.force_login(manager)

    page = client.get(f"/slack/teams/{team.slug}/channel/")
    assert page.status_code == 200
    assert "#learning" in page.content.decode()
    assert slack_api.last("conversations.list").args["types"] == "public_channel"

    response = client.post(f"/slack/teams/{team.slug}/channel/", {"channel": "C0LEARN"}, follow=True)

    chosen = TeamChannel.objects.get(team=team)
    assert (chosen.channel_id, chosen.channel_name, chosen.set_by) == ("C0LEARN", "learning", manager)
    shown = response.content.decode()
    assert "now go to #learning" in shown
    assert "incoming webhook is turned off" in shown
    # The webhook would post every entry a second time: the app's channel replaces it.
    team.refresh_from_db()
    assert team.slack_webhook_url == ""


def test_the_participation_page_leads_a_manager_to_the_channel_page(client, manager, team, slack_api):
    client.force_login(manager)
    page = client.get("/logs/participation/").content.decode()
    assert f'href="/slack/teams/{team.slug}/channel/"' in page


def test_member_may_not_pick_the_teams_channel(member_client, team, slack_api):
    response = member_client.post(f"/slack/teams/{team.slug}/channel/", {"channel": "C0LEARN"})
    assert response.status_code == 403
    assert not TeamChannel.objects.exists()


def test_admin_picks_a_teams_channel(client, staff_user, team, slack_api):
    client.force_login(staff_user)
    response = client.post(f"/slack/teams/{team.slug}/channel/", {"channel": "C0LEARN"})
    assert response.status_code == 302
    assert TeamChannel.objects.get(team=team).set_by == staff_user


def test_a_channel_added_in_the_django_admin_also_turns_the_webhook_off(client, staff_user, team, slack_api):
    Team.objects.filter(pk=team.pk).update(slack_webhook_url=WEBHOOK)
    client.force_login(staff_user)
    response = client.post(
        "/admin/slackapp/teamchannel/add/", {"team": team.pk, "channel_id": "C0LEARN", "channel_name": "learning"}
    )
    assert response.status_code == 302
    assert TeamChannel.objects.get(team=team).set_by == staff_user
    team.refresh_from_db()
    assert team.slack_webhook_url == ""


def test_when_slack_lists_no_channels_the_manager_types_the_id(client, manager, team, slack_api):
    slack_api.fail("conversations.list", "missing_scope")
    client.force_login(manager)

    page = client.get(f"/slack/teams/{team.slug}/channel/").content.decode()
    assert "did not list its channels" in page
    assert "The channel&#x27;s id" in page or "The channel's id" in page

    client.post(f"/slack/teams/{team.slug}/channel/", {"channel_id": "c0private"})
    assert TeamChannel.objects.get(team=team).channel_id == "C0PRIVATE"


def test_a_channel_picked_from_the_list_is_kept_when_slack_stops_listing_them(client, manager, team, slack_api):
    slack_api.fail("conversations.list", "ratelimited")
    client.force_login(manager)
    client.post(f"/slack/teams/{team.slug}/channel/", {"channel": "C0LEARN", "channel_id": ""})
    assert TeamChannel.objects.get(team=team).channel_id == "C0LEARN"


def test_a_typed_id_that_is_no_channel_is_sent_back(client, manager, team, slack_api):
    client.force_login(manager)
    response = client.post(f"/slack/teams/{team.slug}/channel/", {"channel_id": "<script>"})
    assert response.status_code == 400
    assert "looks like C0123ABCD" in response.content.decode()
    assert not TeamChannel.objects.exists()


def test_picking_no_channel_stops_the_posts(client, manager, team, slack_api):
    team_channel_set(user=manager, team=team, channel_id="C0LEARN")
    client.force_login(manager)
    client.post(f"/slack/teams/{team.slug}/channel/", {"channel": ""})
    assert not TeamChannel.objects.exists()


# --- Entries in the channels --------------------------------------------------------------


@pytest.mark.frozen
def test_a_new_entry_is_posted_once_to_each_of_the_authors_teams_channels(channels, save, slack_api):
    TeamChannel.objects.create(team=TeamFactory(name="Applied"), channel_id="C0APPLIED")  # not the author's

    entry = save("Read about **JAX** pmap")

    posts = slack_api.calls("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == ["C0RESEARCH", "C0ROBOT"]
    assert all("Tom Member" in p.args["text"] and "JAX" in _text(p) for p in posts)
    assert {(p.team_id, p.channel_id) for p in ChannelPost.objects.filter(entry_id=entry.pk)} == set(channels.items())
    assert all(p.ts for p in ChannelPost.objects.all())
    # Nothing through the teams' incoming webhooks (there are none once the app posts).
    assert not OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SLACK_WEBHOOK).exists()


@pytest.mark.frozen
def test_an_edited_entry_is_edited_in_the_same_message(channels, save, slack_api):
    entry = save("First notes")
    posted = {c.args["channel"]: c for c in slack_api.calls("chat.postMessage")}
    slack_api.clear()

    save("Better notes about *XLA*", entry=entry)

    assert slack_api.calls("chat.postMessage") == []
    updates = slack_api.calls("chat.update")
    assert len(updates) == 2
    for update in updates:
        original = posted[update.args["channel"]]
        assert update.args["ts"] == ChannelPost.objects.get(channel_id=update.args["channel"]).ts
        assert update.args["ts"] != "" and original.args["channel"] == update.args["channel"]
        assert "XLA" in _text(update) and "First notes" not in _text(update)


@pytest.mark.frozen
def test_editing_an_entry_older_than_the_channel_does_not_post_it_as_news(channels, save, slack_api, settings):
    settings.SLACK_ENABLED = False
    entry = save("Notes from before the team had a channel")
    settings.SLACK_ENABLED = True

    save("Notes from before the team had a channel, typo fixed", entry=entry)

    assert slack_api.calls("chat.postMessage") == [] and slack_api.calls("chat.update") == []
    assert not ChannelPost.objects.exists()


@pytest.mark.frozen
def test_a_deleted_entry_is_removed_from_the_channels(channels, save, slack_api):
    entry = save()
    timestamps = {p.channel_id: p.ts for p in ChannelPost.objects.all()}
    slack_api.clear()

    save(entry=entry, delete=True)

    removed = {c.args["channel"]: c.args["ts"] for c in slack_api.calls("chat.delete")}
    assert removed == timestamps
    assert not ChannelPost.objects.exists()


@pytest.mark.frozen
def test_an_entry_no_longer_visible_to_a_team_is_removed_from_its_channel(
    channels, save, slack_api, member, other_team
):
    entry = save()
    research_ts = ChannelPost.objects.get(team=other_team).ts
    Membership.objects.filter(user=member, team=other_team).delete()  # the author left Research
    slack_api.clear()

    save("Edited after leaving Research", entry=entry)

    assert [(c.args["channel"], c.args["ts"]) for c in slack_api.calls("chat.delete")] == [("C0RESEARCH", research_ts)]
    assert [c.args["channel"] for c in slack_api.calls("chat.update")] == ["C0ROBOT"]
    assert list(ChannelPost.objects.values_list("channel_id", flat=True)) == ["C0ROBOT"]


@pytest.mark.frozen
def test_a_retried_or_duplicated_task_posts_once(channels, member, team, slack_api):
    entry = EntryFactory(author=member, body="Notes")  # saved without its signal: the tasks run by hand

    first = entry_post_sync.apply(args=[entry.pk, team.pk, True]).get()
    again = entry_post_sync.apply(args=[entry.pk, team.pk, True]).get()
    entry_posts_sync.apply(args=[entry.pk, True])

    assert (first, again) == ("posted", "updated")
    robotics = [c for c in slack_api.calls("chat.postMessage") if c.args["channel"] == "C0ROBOT"]
    assert len(robotics) == 1
    assert ChannelPost.objects.filter(entry_id=entry.pk, team=team).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tasks_at_once_for_the_same_entry_post_once(slack_api):
    require(connection.vendor == "postgresql", "PostgreSQL (two tasks at once)")
    team = TeamFactory(name="Robotics", slug="robotics")
    author = UserFactory(display_name="Tom Member")
    MembershipFactory(user=author, team=team, role=Membership.Role.MANAGER)
    team_channel_set(user=author, team=team, channel_id="C0ROBOT")
    entry = EntryFactory(author=author, body="Notes")

    results = at_once(4, lambda _i: entry_post_sync.apply(args=[entry.pk, team.pk, True]).get())

    assert sorted(results) == ["posted", "updated", "updated", "updated"]
    assert len(slack_api.calls("chat.postMessage")) == 1
    assert ChannelPost.objects.get().ts == slack_api.last("chat.update").args["ts"]


@pytest.mark.frozen
def test_slack_refusing_the_channel_gives_up_without_an_error_page(
    member_client, manager, team, slack_api, django_capture_on_commit_callbacks
):
    team_channel_set(user=manager, team=team, channel_id="C0GONE")
    slack_api.fail("chat.postMessage", "channel_not_found")

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            "/logs/new/",
            {"day": "2026-11-24", "body": "Notes", "category": "reading_papers", "visibility": "teams"},
        )

    assert response.status_code == 302
    assert Entry.objects.filter(body="Notes").exists()
    assert len(slack_api.calls("chat.postMessage")) == 1  # not retried: no retry can find the channel
    assert ChannelPost.objects.get().ts == ""


@pytest.mark.frozen
def test_nothing_reaches_slack_while_the_app_is_off(member, manager, team, save, settings):
    TeamChannel.objects.create(team=team, channel_id="C0ROBOT")
    settings.SLACK_ENABLED = False
    save()
    assert not ChannelPost.objects.exists()
    assert dispatch_channel_digests.apply(args=[FRIDAY_MORNING.isoformat()]).get() == 0


# --- The morning digest --------------------------------------------------------------


def test_the_digest_goes_to_the_teams_channel_once_the_next_morning(channels, member, team, slack_api):
    EntryFactory(author=member, day=dt.date(2026, 12, 3), body="Kalman filters")
    EntryFactory(author=UserFactory(), day=dt.date(2026, 12, 3), body="Not in the team")

    assert dispatch_channel_digests.apply(args=[(FRIDAY_MORNING - dt.timedelta(hours=1)).isoformat()]).get() == 0
    assert dispatch_channel_digests.apply(args=[FRIDAY_MORNING.isoformat()]).get() == 2
    assert dispatch_channel_digests.apply(args=[(FRIDAY_MORNING + dt.timedelta(minutes=15)).isoformat()]).get() == 0

    digests = {c.args["channel"]: c for c in slack_api.calls("chat.postMessage")}
    assert sorted(digests) == ["C0RESEARCH", "C0ROBOT"]
    robotics = _text(digests["C0ROBOT"])
    assert "Learning Day in Robotics" in robotics and "Kalman filters" in robotics
    assert "Not in the team" not in robotics
    rows = OutboxMessage.objects.filter(kind="channel_digest", channel=OutboxMessage.Channel.SLACK_CHANNEL)
    assert sorted((row.team_id, row.key, row.state) for row in rows) == sorted(
        (team_id, "2026-12-03", "sent") for team_id in channels
    )


def test_a_refused_digest_is_given_up(channels, team, slack_api):
    slack_api.fail("chat.postMessage", "is_archived")
    dispatch_channel_digests.apply(args=[FRIDAY_MORNING.isoformat()])
    dispatch_channel_digests.apply(args=[(FRIDAY_MORNING + dt.timedelta(minutes=15)).isoformat()])
    assert len(slack_api.calls("chat.postMessage")) == 2  # one per team, never again
    assert {row.state for row in OutboxMessage.objects.filter(kind="channel_digest")} == {"failed"}
