"""A team's Slack channel through the app: each new entry posted by the bot, edited there when
the entry is edited, removed when it is deleted or no longer visible to the team; and the
morning digest after a Learning Day.

An entry's message in a channel is a ``ChannelPost`` row, unique per (entry, team). Every
change to it runs with that row locked (``entry_post_sync``), so that a post, an edit and a
delete of the same entry, or the same task twice, follow one another: the second finds the
message's ``ts`` and edits or removes that message instead of posting another. Which entries a
team may read is the log's own rule (``logs.selectors.entries_visible_to_team``).

The digest goes through the outbox (channel ``SLACK_CHANNEL``, kind ``CHANNEL_DIGEST``, the
team as recipient), once per team and Learning Day.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from learningday import outbox
from learningday.models import Team
from logs import selectors as log_selectors
from logs import slack as log_slack
from logs import tasks as log_tasks
from logs.models import Entry
from slackapp import client as slack_client
from slackapp.models import ChannelPost, TeamChannel

log = logging.getLogger(__name__)

# The channel picker's list: a short while in the cache (conversations.list is rate-limited
# to about 20 calls a minute), at most this many pages of Slack's largest page size.
CHANNELS_CACHE_SECONDS = 120
CHANNELS_PAGE_SIZE = 200
CHANNELS_MAX_PAGES = 10


# --- The channel picker ------------------------------------------------------------------


def public_channels() -> list[tuple[str, str]]:
    """The workspace's public channels that are not archived, as (id, name) by name.

    Raises ``SlackTryAgain`` or ``SlackRefused`` when Slack does not list them: the page then
    asks for the channel's id. A page does not wait out a rate limit, as a task would.
    """
    key = f"slackapp:channels:{settings.SLACK_API_URL}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    web = slack_client.web_client(in_request=True)  # a page does not wait out a rate limit
    channels: dict[str, str] = {}
    cursor: str | None = None
    for _page in range(CHANNELS_MAX_PAGES):
        answer = slack_client.call(
            "conversations_list",
            web,
            types="public_channel",
            exclude_archived=True,
            limit=CHANNELS_PAGE_SIZE,
            cursor=cursor,
        )
        for found in answer.get("channels") or []:
            if found.get("id") and not found.get("is_archived"):
                channels[str(found["id"])] = str(found.get("name") or found["id"])
        cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "") or None
        if cursor is None:
            break
    listed = sorted(channels.items(), key=lambda pair: (pair[1].lower(), pair[0]))
    cache.set(key, listed, CHANNELS_CACHE_SECONDS)
    return listed


# --- Entries in the channels -----------------------------------------------------------------


@shared_task
def entry_posts_sync(entry_id: int, new: bool = False) -> int:
    """After an entry was saved or deleted: bring its message in each channel concerned up to
    date, one task per team. Concerned are every team whose channel already shows the entry
    and, for a new entry, the author's teams that have a channel: an edit of an older entry
    is not announced as news. Returns how many teams."""
    if not settings.SLACK_ENABLED:
        return 0
    team_ids = set(ChannelPost.objects.filter(entry_id=entry_id).values_list("team_id", flat=True))
    author_id = Entry.objects.filter(pk=entry_id).values_list("author_id", flat=True).first()
    if new and author_id is not None:
        team_ids |= set(
            TeamChannel.objects.filter(team__memberships__user_id=author_id).values_list("team_id", flat=True)
        )
    for team_id in sorted(team_ids):
        entry_post_sync.delay(entry_id, team_id, new)
    return len(team_ids)


@shared_task(bind=True, **outbox.RETRY)
def entry_post_sync(self: Task, entry_id: int, team_id: int, new: bool = False) -> str:
    """Make the team's channel show the entry as it is now: post it once (a ``new`` entry),
    edit that message, or remove it. Safe to run twice and at the same time as itself: the
    (entry, team) row is locked for the whole of it. Returns what it did."""
    if not settings.SLACK_ENABLED:
        return "off"
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return "no team"
    channel = TeamChannel.objects.filter(team=team).first()
    if new and channel is not None and _shown(entry_id, team) is not None:
        # The row to lock. Of two tasks creating it at once, the database lets one; the
        # other waits for it and finds it.
        ChannelPost.objects.get_or_create(entry_id=entry_id, team=team, defaults={"channel_id": channel.channel_id})
    with transaction.atomic():
        post = ChannelPost.objects.select_for_update().filter(entry_id=entry_id, team=team).first()
        if post is None:
            return "nothing"
        # Read again under the lock: the entry may have been edited or deleted meanwhile.
        entry = _shown(entry_id, team)
        if entry is None:
            return _remove(post)
        if post.ts:
            return _update(post, entry)
        return _post(post, entry, TeamChannel.objects.filter(team=team).first())


def _shown(entry_id: int, team: Team) -> Entry | None:
    """The entry, if it exists and the team may read it."""
    return log_selectors.entries_visible_to_team(team).filter(pk=entry_id).first()


def _post(post: ChannelPost, entry: Entry, channel: TeamChannel | None) -> str:
    if channel is None:  # the team stopped its channel before the entry was ever posted
        post.delete()
        return "nothing"
    try:
        answer = slack_client.call("chat_postMessage", channel=channel.channel_id, **log_slack.entry_message(entry))
    except slack_client.SlackRefused as error:
        # A channel that is gone or closed to the bot: no retry helps. The row stays without
        # a ts, so that the next edit of the entry tries again (the channel may be fixed).
        log.warning("Slack refused entry %s in team %s's channel: %s", entry.pk, post.team_id, error)
        return "refused"
    post.channel_id = str(answer.get("channel") or channel.channel_id)
    post.ts = str(answer["ts"])
    post.posted_at = timezone.now()
    post.save(update_fields=["channel_id", "ts", "posted_at"])
    return "posted"


def _update(post: ChannelPost, entry: Entry) -> str:
    message = log_slack.entry_message(entry)
    try:
        slack_client.call(
            "chat_update", channel=post.channel_id, ts=post.ts, text=message["text"], blocks=message["blocks"]
        )
    except slack_client.SlackRefused as error:
        # Removed in Slack, or the channel is gone: the message is not posted again.
        log.warning("Slack refused to edit entry %s in team %s's channel: %s", entry.pk, post.team_id, error)
        return "refused"
    return "updated"


def _remove(post: ChannelPost) -> str:
    if post.ts:
        try:
            slack_client.call("chat_delete", channel=post.channel_id, ts=post.ts)
        except slack_client.SlackRefused as error:
            # Already removed in Slack, or the channel is gone: nothing left to remove.
            log.info("Slack refused to remove entry %s from team %s's channel: %s", post.entry_id, post.team_id, error)
    post.delete()
    return "removed"


# --- The morning digest --------------------------------------------------------------


def channel_digest(day: dt.date) -> outbox.Message:
    return outbox.Message(kind=outbox.Kind.CHANNEL_DIGEST, key=day.isoformat(), channel=outbox.Channel.SLACK_CHANNEL)


@shared_task
def dispatch_channel_digests(at: str | None = None) -> int:
    """Beat, every quarter of an hour: the morning after a Learning Day (``logs.tasks``'
    timing rule), each team with a channel gets the day's digest there once. Returns how
    many digests were queued."""
    if not settings.SLACK_ENABLED:
        return 0
    day = log_tasks.team_digest_day(dt.datetime.fromisoformat(at) if at else timezone.now())
    if day is None:
        return 0
    queued = 0
    for team_id in TeamChannel.objects.order_by("team_id").values_list("team_id", flat=True):
        task_id = str(uuid.uuid4())
        # Claimed before it is queued: the next dispatcher finds it held.
        if outbox.claim(message=channel_digest(day), owner=task_id, team_ids=[team_id]):
            post_channel_digest.apply_async((team_id, day.isoformat()), task_id=task_id)
            queued += 1
    return queued


@shared_task(bind=True, **outbox.RETRY)
def post_channel_digest(self: Task, team_id: int, day: str) -> bool:
    """Post one team's digest of one Learning Day to its channel: claim, post, stamp."""
    learning_day = dt.date.fromisoformat(day)
    message = channel_digest(learning_day)
    owner = self.request.id or f"inline-{message.kind}-{message.key}-{team_id}"
    if not settings.SLACK_ENABLED:
        return False

    def post(_team_id: int) -> bool:
        channel = TeamChannel.objects.select_related("team").filter(team_id=team_id).first()
        if channel is None:
            return False  # the team stopped its channel since
        team = channel.team
        entries = log_selectors.filter_feed(
            log_selectors.entries_visible_to_team(team), team=team, day_from=learning_day, day_to=learning_day
        ).order_by("author__display_name", "pk")
        digest = log_slack.digest_message(team.name, learning_day, entries)
        slack_client.call("chat_postMessage", channel=channel.channel_id, **digest)
        return True

    return outbox.send_each(message=message, owner=owner, send=post, team_ids=[team_id]) == 1
