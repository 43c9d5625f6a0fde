"""Shared fixtures: people in every role, and the rule that CI skips nothing."""

from __future__ import annotations

import os
import socket

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from learningday.models import FINANCE_GROUP, Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
