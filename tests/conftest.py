"""Shared fixtures: people in every role, one stopped clock, and the rule that CI skips nothing."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

import factory.random
import hypothesis
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache

from learningday.models import FINANCE_GROUP, Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The same examples on every run: a property test must not pass today and fail tomorrow.
hypothesis.settings.register_profile("deterministic", derandomize=True, deadline=None)
hypothesis.settings.load_profile("deterministic")


# Tuesday 24 November 2026, 12:00 in Berlin: the Learning Days around it are Thursday 19
# November (past) and Thursday 26 November (future).
NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
THURSDAY = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)
LAST_THURSDAY = dt.date(2026, 11, 19)


def pytest_configure(config):
    from django.conf import settings

    # A deliberately slow hasher makes every login in the suite cost a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require(condition: bool, what: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {what} is missing: .ci/run must provide it.")
    pytest.skip(f"{what} is not available here")


@pytest.fixture
def frozen(request):
    """The clock stopped at NOW, or at the instant a ``@pytest.mark.frozen(instant)`` names.

    ``frozen.move_to(...)`` moves it within the test. Whatever asks for it, the clock stops
    before any other fixture runs (see ``_clock_first``), so people join and data is made on
    the test's day, never on the machine's.
    """
    marker = request.node.get_closest_marker("frozen")
    instant = marker.args[0] if marker and marker.args else NOW
    with time_machine.travel(instant, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _clock_first(request):
    # Autouse fixtures run before the others of their scope: the people and data fixtures
    # that the test asks for are then made under the stopped clock.
    if "frozen" in request.fixturenames or request.node.get_closest_marker("frozen"):
        request.getfixturevalue("frozen")


@pytest.fixture
def unused_tcp_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis: REDIS_URL, or the usual local one. Fails in CI when it does not answer."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        reachable = True
    except redis.RedisError:
        reachable = False
    require(reachable, f"Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run where they are queued, unless a test asks for the real worker: otherwise,
    with REDIS_URL set, every email a test triggers would wait in Redis for nobody."""
    if "real_worker" in request.fixturenames:
        yield
        return
    from learningday.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def real_worker(redis_url):
    """A Celery worker thread consuming from Redis, on a queue of this test's own."""
    from celery.contrib.testing.worker import start_worker

    from learningday.celery import app

    def forget_connections():
        # Even eager tasks open a producer (to check serialisation); its pool keeps the
        # broker it was made with, so it must go when the broker changes.
        app._pool = None
        app.amqp._producer_pool = None

    queue = f"tests-{uuid.uuid4().hex}"
    before = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue=queue)
    forget_connections()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING", queues=[queue]
        ):
            yield app
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
        app.conf.update(before)
        forget_connections()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads (receipts) written by a test go to its own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _same_fake_data():
    """factory_boy's Faker gives the same names and texts in every run of a test, whatever
    the date or the tests before it (a made-up "Olivia …" once matched a search for Olivia)."""
    factory.random.reseed_random("learning-day")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters in the cache: no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(db):
    return TeamFactory(name="Robotics", slug="robotics")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Research", slug="research")


@pytest.fixture
def member(team):
    user = UserFactory(email="member@example.com", display_name="Tom Member")
    MembershipFactory(user=user, team=team, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def manager(team):
    user = UserFactory(email="manager@example.com", display_name="Maja Manager")
    MembershipFactory(user=user, team=team, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(email="other@example.com", display_name="Olivia Outsider")
    MembershipFactory(user=user, team=other_team, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def finance_user(db):
    user = UserFactory(email="finance@example.com", display_name="Fiona Finance")
    user.groups.add(Group.objects.get(name=FINANCE_GROUP))
    return user


@pytest.fixture
def staff_user(db):
    return UserFactory(email="admin@example.com", display_name="Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture(autouse=True, scope="session")
def _database_known(django_db_setup, django_db_blocker):
    """Kept pieces' keys name the database (learningday.fragments._database), read once per
    process: read before any test, so that no test's query count depends on being the first."""
    from learningday import fragments

    with django_db_blocker.unblock():
        fragments._database()


@pytest.fixture(autouse=True, scope="session")
def _pages_are_valid_html():
    """Every HTML page a test client gets back (200, 400, 403, 404) is checked by an HTML5
    parser (tests/html_check.py); an invalid one fails the request that fetched it."""
    from django.test import Client

    from tests.html_check import assert_valid_html

    original = Client.request

    def request(self, **environ):
        response = original(self, **environ)
        if (
            response.status_code in HTML_CHECKED_STATUSES
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            where = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')} ({response.status_code})"
            assert_valid_html(response.content, where=where)
        return response

    Client.request = request
    yield
    Client.request = original


HTML_CHECKED_STATUSES = frozenset({200, 400, 403, 404})


@pytest.fixture
def slack_api(settings):
    """A local stand-in for Slack's Web API, and the Slack app turned on and pointed at it."""
    from tests.slackapp.fake_api import SIGNING_SECRET, TOKEN, FakeSlackApi

    api = FakeSlackApi()
    api.start()
    settings.SLACK_BOT_TOKEN, settings.SLACK_SIGNING_SECRET = TOKEN, SIGNING_SECRET
    settings.SLACK_API_URL, settings.SLACK_ENABLED = api.api_url, True
    yield api
    api.stop()


@pytest.fixture
def slack(client, slack_api):
    """Sends signed requests to /slack/events as Slack does (``slack.command("/learned")``)."""
    from tests.slackapp.fake_api import SlackSender

    return SlackSender(client, api=slack_api)
