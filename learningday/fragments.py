"""Pieces of pages kept in the shared cache under versioned keys (learningday.versions).

A key names everything the piece shows and who it is shown to: the versions of the rows it
renders and, where what it shows depends on the viewer, what decides that (their teams, their
role). Two requests with the same key may share the piece; any change makes a new key. The
cache's expiry (``FRAGMENT_SECONDS``) only frees memory: it is never what keeps a piece fresh.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TypeVar

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# A week: a piece nobody asked for in that long leaves the cache. The expiry also marks the
# pieces as what Redis may drop when it is full (``maxmemory-policy volatile-lru``, README):
# the least recently used first, never the broker's queues, which have none.
FRAGMENT_SECONDS = 7 * 24 * 3600
# Bump when what a piece shows changes in Python in a way its key does not show (template
# edits change the key by themselves, through _release).
SCHEMA = 1

T = TypeVar("T", bound=Hashable)
# What a key may hold as it is (memcached's rule too); anything else is hashed.
_SAFE = re.compile(r"[A-Za-z0-9:._+-]*")


def key(kind: str, *parts: object) -> str:
    """A cache key for one piece: its kind and the parts that decide it (hashed when long)."""
    text = ":".join(str(part) for part in parts)
    if len(text) > 120 or not _SAFE.fullmatch(text):
        text = hashlib.sha256(text.encode()).hexdigest()
    return f"frag:{SCHEMA}:{_release()}:{kind}:{text}"


def one(piece_key: str, render: Callable[[], str]) -> SafeString:
    """The piece under ``piece_key``, rendered and kept when it is not there yet."""
    html = cache.get(piece_key)
    if html is None:
        html = str(render())
        cache.set(piece_key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308  (HTML our templates rendered, autoescaped)


def many(
    items: Iterable[T], key_of: Callable[[T], str], render: Callable[[list[T]], dict[T, str]]
) -> dict[T, SafeString]:
    """Each item's piece: all keys read in one round trip, the missing ones rendered together
    by ``render`` (given the missing items, it returns their HTML) and stored in one more."""
    keys = {item: key_of(item) for item in items}
    found = cache.get_many(list(keys.values()))
    missing = [item for item, k in keys.items() if k not in found]
    if missing:
        fresh = {item: str(html) for item, html in render(missing).items()}
        cache.set_many({keys[item]: html for item, html in fresh.items()}, FRAGMENT_SECONDS)
        found.update({keys[item]: html for item, html in fresh.items()})
    # An item ``render`` could not render (gone meanwhile) has no piece.
    return {item: mark_safe(found[k]) for item, k in keys.items() if k in found}  # noqa: S308


# What a piece kept for a viewer holds where its forms' CSRF token goes: never a token, so a
# kept piece carries none; ``for_viewer`` puts the request's own in on the way out.
CSRF_MARK = "csrf-mark-5b1e0f7a93c2d864"


def viewer(request: HttpRequest) -> tuple:
    """What decides a page for the person asking: who they are, their groups and their role in
    each team (checked live, as the navigation does), their time zone and their today. A piece
    keyed by it is never shown to anyone else, nor to them after a role changed."""
    from learningday import calendar

    user = request.user
    teams = ",".join(f"{team}{'m' if team in user.managed_team_ids else ''}" for team in sorted(user.team_ids))
    return (user.pk, user.is_finance, user.is_leadership, teams, str(user.tzinfo), calendar.user_today(user))


def for_viewer(request: HttpRequest, kind: str, parts: tuple, template: str, context: Callable[[], dict]) -> SafeString:
    """A page's body for this viewer at this address (path and query), under ``parts`` (the
    versions of what it shows): ``template`` rendered without the request from ``context()``,
    which is called only when the piece is not kept yet. Its forms are rendered with a
    stand-in token and carry the request's own when shown."""
    piece_key = key(kind, *parts, *viewer(request), request.get_full_path())
    html = one(piece_key, lambda: render_to_string(template, {**context(), "csrf_token": CSRF_MARK}))
    # get_token also marks the response to set the CSRF cookie, as {% csrf_token %} would.
    return mark_safe(html.replace(CSRF_MARK, get_token(request)))  # noqa: S308  (our templates' HTML)


# Settings that change how pieces look (which weekday is the Learning Day, the currency, the
# budget, the claims' caps and age limit): part of the release, so a restart with another
# value reads no older piece.
RENDERING_SETTINGS = (
    "LEARNING_DAY_WEEKDAY",
    "HOME_CURRENCY",
    "ANNUAL_LEARNING_BUDGET",
    "TIME_ZONE",
    "CLAIM_KIND_CAPS",
    "CLAIM_MAX_AGE_DAYS",
)


@functools.cache
def _release() -> str:
    """The release the pieces were rendered by: a digest of every project template and of
    RENDERING_SETTINGS, read once per process, so that after a deploy or a restart that
    changed one no piece rendered before is read; and of the database they were read from
    (``_database``)."""
    from django.conf import settings

    digest = hashlib.sha256(repr([getattr(settings, name, None) for name in RENDERING_SETTINGS]).encode())
    digest.update(repr(_database()).encode())
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def _database() -> tuple:
    """Which database the pages are read from: where it is and, on PostgreSQL, its oid, which
    changes when it is dropped and made again. Two databases behind one cache (staging and
    production, a benchmark's two sizes) or a database made again (seeded afresh, restored into
    a new one) start their versions from the same numbers: this keeps their pieces apart."""
    from django.db import connection

    where = (connection.vendor, *(connection.settings_dict.get(name) for name in ("NAME", "HOST", "PORT")))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            where += (cursor.fetchone()[0],)
    return where
