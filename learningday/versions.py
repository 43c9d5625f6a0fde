"""Versions for caching by version, never by time.

A cached piece of a page is stored under a key that holds the version of everything it
shows; when any of that changes, the version goes up in the same transaction, the next
request builds a new key, and the old piece is never read again (it ages out of the cache
by LRU). Nothing is invalidated, and nothing older than the database can be shown: a reader
who sees the new version also sees the change it stands for (it committed together), and
one who read the old version a moment before stores, at worst, newer content under the old
key.

``DIRECTORY`` is the names pages show beside the data: people (their name and email), teams,
memberships, topics and reading-list items, and the holidays (which days are Learning
Days). They change rarely, so one counter serves all. ``ACTIVITY`` is claims, reading
progress, endorsements and pulse answers, added up on some pages. ``CLAIMS`` is the claims
alone, with their receipts, their trail and the personal budgets they are counted against:
the claims pages, kept whole per viewer, change only when one of those does, not with every
book someone marks as read. ``READING`` is reading progress and endorsements, for the reading
list. ``ENTRIES`` is every entry of the learning log, for the feed, an item's page and the
dashboard's recent entries: one entry written anywhere moves it. ``person(id)`` is one
person's own entries, days away, pulse answer, shelf, claims and budget (``PERSONAL``), for
their dashboard and /growth/. ``TOPIC_WEEKS`` is bumped by growth.summaries when it rewrites
the topic weeks.

All but ``TOPIC_WEEKS`` are bumped on every save and delete of their models (``WATCHED``,
``PERSONAL``; ``post_save`` and ``post_delete``, which run inside the saving transaction; a
sign-in, which only stamps ``last_login``, does not count). ``QuerySet.update()``,
``bulk_create`` and a many-to-many ``set`` send no signal: code that changes what a page
shows with them must call ``bump`` itself (the reading list's reordering and its BibTeX
import, a team's home topics do).

A bump locks its row until the transaction ends, so two transactions that bump the same two
versions in opposite orders can deadlock (PostgreSQL then stops one). The services bump in
the order directory, activity, entries, claims or reading, a person's: a saved item before a
claim (reimbursements.services._save), a claim before its events and receipts, an entry
before its author's own. Keep that order in a new service that changes several of them. A
deleted person is the exception: Django deletes their entries and memberships in no set
order, so two people deleted at once may deadlock and one deletion fail (nothing half-done).

The counters go back with a database restored from a backup. Restored into a new database
(or one dropped and made again), its pieces are apart by themselves: keys hold the database's
oid (``fragments._database``). Restored into the same database, clear the cache.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from learningday.models import Version

DIRECTORY = "directory"
# Money, reading and the pulse added up live: what a manager's /impact/ shows of their teams
# beside the nightly summaries.
ACTIVITY = "activity"
# Every entry of the learning log: the feed, an item's page and the dashboard's recent entries.
ENTRIES = "entries"
# Claims as the claims pages show them (reimbursements.views).
CLAIMS = "claims"
# Who reads and endorses what, as the reading list shows it (reading.views.browse).
READING = "reading"
# Everyone's entries by topic and week (growth.models.TopicWeek): the peers on /growth/.
TOPIC_WEEKS = "topic-weeks"
# Which models' saves and deletes move which versions on (app_label.ModelName).
WATCHED = {
    "learningday.User": (DIRECTORY,),
    "learningday.Team": (DIRECTORY,),
    "learningday.Membership": (DIRECTORY,),
    "learningday.Holiday": (DIRECTORY,),
    "reading.Topic": (DIRECTORY,),
    "reading.Item": (DIRECTORY,),
    "reimbursements.Claim": (ACTIVITY, CLAIMS),
    "reimbursements.Receipt": (CLAIMS,),
    "reimbursements.ClaimEvent": (CLAIMS,),
    "reimbursements.PersonalBudget": (CLAIMS,),
    "reading.Progress": (ACTIVITY, READING),
    "reading.Endorsement": (ACTIVITY, READING),
    "logs.PulseAnswer": (ACTIVITY,),
    "logs.Entry": (ENTRIES,),
}


# Whose own version (``person``) a model's saves and deletes move, by the field naming them:
# what the dashboard and /growth/ show of one person (their entries, days away, pulse answer,
# shelf, claims and budget).
PERSONAL = {
    "logs.Entry": "author_id",
    "logs.Away": "user_id",
    "logs.PulseAnswer": "user_id",
    "reading.Progress": "user_id",
    "reimbursements.Claim": "claimant_id",
    "reimbursements.PersonalBudget": "user_id",
}


def person(user_id: int) -> str:
    """The key of one person's own version (PERSONAL)."""
    return f"person:{user_id}"


def bump(key: str) -> None:
    """Count one change of ``key``, in the caller's transaction."""
    if Version.objects.filter(key=key).update(n=F("n") + 1):
        return
    try:
        with transaction.atomic():
            Version.objects.create(key=key, n=1)
    except IntegrityError:  # created a moment ago by another transaction
        Version.objects.filter(key=key).update(n=F("n") + 1)


# The versions every page is kept under, one of them at least (a person's comes with the
# directory's): moving these on moves every key.
SHARED = (DIRECTORY, ACTIVITY, ENTRIES, CLAIMS, READING, TOPIC_WEEKS)


def move_all_on() -> None:
    """Every version moves on by a random stride: for bulk loads that send no signal (the demo
    and scale seeds' ``bulk_create``), perhaps after a flush that took every counter back to
    nothing. No piece kept before, whatever numbers it was kept under, is read again."""
    stride = secrets.randbelow(2**40) + 1
    Version.objects.update(n=F("n") + stride)
    for key in SHARED:
        Version.objects.get_or_create(key=key, defaults={"n": stride})


def current(*keys: str) -> tuple[int, ...]:
    """The versions of ``keys`` (0 for one never bumped), in one query."""
    found = dict(Version.objects.filter(key__in=keys).values_list("key", "n"))
    return tuple(found.get(key, 0) for key in keys)


def with_versions(queryset: QuerySet, **keys: str) -> QuerySet:
    """``queryset`` with the versions of ``keys`` on each row, under the names given, read in
    the same query as the rows (one round trip less than ``current``, and the same snapshot)."""
    read = {name: Subquery(Version.objects.filter(key=key).values("n")[:1]) for name, key in keys.items()}
    return queryset.annotate(**{name: Coalesce(version, Value(0)) for name, version in read.items()})


def _changed(sender, instance, **kwargs) -> None:
    # Migrations' historical models ("__fake__") run before the table may exist; they change
    # data before any page is served; a data migration that renames people, teams, topics or
    # items calls bump(DIRECTORY) itself.
    label = sender._meta.label
    if sender.__module__ == "__fake__":
        return
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= {"last_login"}:
        return
    keys = list(WATCHED.get(label, ()))
    if label in PERSONAL:
        keys.append(person(getattr(instance, PERSONAL[label])))
    for key in keys:
        bump(key)


def connect() -> None:
    """Listen for saves and deletes of the watched models (called once, at start-up). Each
    model is named as the sender: a receiver for every model would stop Django deleting
    any other model's rows in one statement (it sends post_delete per row when listened to)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in {**WATCHED, **PERSONAL}:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"learningday.versions.saved.{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"learningday.versions.deleted.{label}")
