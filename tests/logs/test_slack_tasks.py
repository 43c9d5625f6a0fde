"""New entries and the team digest reach Slack through Celery; a failing webhook never
costs the entry and is retried."""

import datetime as dt
import json
from http.server import BaseHTTPRequestHandler

import pytest

from learningday.models import OutboxMessage
from logs.models import Entry
from logs.services import EntryData, entry_save
from logs.tasks import _queue_team_digests, post_entry_to_slack
from tests.conftest import LAST_THURSDAY
from tests.factories import EntryFactory
from tests.local_http import LocalServer

pytestmark = pytest.mark.django_db


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        hook = self.server.fake
        body = self.rfile.read(int(self.headers["Content-Length"]))
        hook.received.append(json.loads(body))
        status = hook.statuses.pop(0) if hook.statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"error")

    def log_message(self, *args):
        pass


class Hook(LocalServer):
    """Slack's incoming webhook, answering the statuses it is given in turn, then 200."""

    handler = _HookHandler

    def __init__(self):
        self.statuses: list[int] = []
        self.received: list[dict] = []
        super().__init__()
        self.start()

    @property
    def webhook(self) -> str:
        return f"{self.url}/services/T000/B000/XXXX"


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.stop()


@pytest.fixture
def slack_team(team, hook):
    # The model asks for https; the local stand-in speaks plain http, so it is set directly.
    type(team).objects.filter(pk=team.pk).update(slack_webhook_url=hook.webhook)
    team.refresh_from_db()
    return team


def test_a_new_entry_is_posted_to_the_teams_channel(
    member, slack_team, hook, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=member, data=EntryData(day=LAST_THURSDAY, body="**PBA**: schedules beat policies"))
    assert len(hook.received) == 1
    payload = hook.received[0]
    assert "Tom Member" in payload["text"]
    assert "PBA" in json.dumps(payload["blocks"])


def test_a_failing_webhook_is_retried_and_the_entry_is_saved(
    member, slack_team, hook, frozen, django_capture_on_commit_callbacks
):
    hook.statuses = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=member, data=EntryData(day=LAST_THURSDAY, body="Notes"))
    assert Entry.objects.filter(author=member).exists()  # whatever the webhook does
    # Eager tasks retry in place: two failures, then the third attempt gets through.
    assert len(hook.received) == 3


def test_a_refusing_webhook_is_not_retried(member, slack_team, hook):
    entry = EntryFactory(author=member)
    hook.statuses = [404]
    assert post_entry_to_slack.apply(args=[entry.pk, slack_team.pk]).get() is False
    assert len(hook.received) == 1


def test_the_team_digest_is_posted_once_the_next_morning(member, slack_team, hook):
    EntryFactory(author=member, day=dt.date(2026, 12, 3), body="Kalman filters")
    friday_morning_berlin = dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC)  # 09:30 in Berlin
    _queue_team_digests(friday_morning_berlin)
    _queue_team_digests(friday_morning_berlin + dt.timedelta(minutes=15))
    assert len(hook.received) == 1
    assert "Kalman filters" in json.dumps(hook.received[0])
    assert OutboxMessage.objects.get(kind="channel_digest").sent_at is not None


def test_a_failed_post_keeps_its_error_in_the_outbox_and_a_refused_one_is_given_up(member, slack_team, hook):
    EntryFactory(author=member, day=dt.date(2026, 12, 3), body="Kalman filters")
    hook.statuses = [503]
    _queue_team_digests(dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC))
    digest = OutboxMessage.objects.get(kind="channel_digest")
    assert (digest.state, digest.attempts) == ("sent", 2)  # retried in process, posted once
    assert "503" in digest.last_error
    entry = EntryFactory(author=member, day=dt.date(2026, 12, 10))
    hook.statuses = [404]
    assert post_entry_to_slack.apply(args=[entry.pk, slack_team.pk]).get() is False
    post = OutboxMessage.objects.get(kind="entry_post")
    assert (post.state, post.key, post.team_id) == ("failed", f"entry:{entry.pk}", slack_team.pk)
    assert post_entry_to_slack.apply(args=[entry.pk, slack_team.pk]).get() is False
    assert len(hook.received) == 3  # the digest twice, the refused entry once
