"""Versions and versioned pieces of pages (learningday.versions, learningday.fragments)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from learningday import fragments, versions
from learningday.models import Holiday, Membership
from reading.models import Endorsement, Progress, Topic
from tests.factories import ClaimFactory, ItemFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def directory() -> int:
    return versions.current(versions.DIRECTORY)[0]


@pytest.mark.parametrize(
    "change",
    [
        lambda: UserFactory(display_name="New person"),
        lambda: TeamFactory(name="New team"),
        lambda: MembershipFactory(),
        lambda: Topic.objects.create(name="New topic", slug="new-topic"),
        lambda: ItemFactory(title="New item"),
        lambda: Holiday.objects.create(date=dt.date(2026, 12, 24), name="Christmas Eve"),
    ],
    ids=["person", "team", "membership", "topic", "item", "holiday"],
)
def test_a_new_or_renamed_name_moves_the_directory_on(change):
    before = directory()
    change()
    assert directory() > before


def test_a_deleted_membership_and_a_rename_move_it_on_but_a_sign_in_does_not(client):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    before = directory()
    membership.delete()
    assert directory() == before + 1
    person = UserFactory(password="a-long-enough-password")
    before = directory()
    assert client.login(email=person.email, password="a-long-enough-password")  # stamps last_login
    assert directory() == before
    person.display_name = "Renamed"
    person.save(update_fields=["display_name"])
    assert directory() == before + 1


def test_a_change_rolled_back_leaves_the_version_as_it_was():
    before = directory()
    with pytest.raises(RuntimeError), transaction.atomic():
        TeamFactory(name="Never was")
        raise RuntimeError
    assert directory() == before


def test_versions_never_bumped_read_as_zero_and_bumps_count():
    assert versions.current("nothing-yet", "nor-this") == (0, 0)
    versions.bump("nothing-yet")
    versions.bump("nothing-yet")
    assert versions.current("nothing-yet", "nor-this") == (2, 0)


def test_pieces_are_rendered_once_per_key_and_only_the_missing_ones():
    rendered: list[list[int]] = []

    def render(missing):
        rendered.append(sorted(missing))
        return {n: f"<p>{n}</p>" for n in missing}

    first = fragments.many([1, 2], lambda n: fragments.key("test", n), render)
    second = fragments.many([1, 2, 3], lambda n: fragments.key("test", n), render)
    assert rendered == [[1, 2], [3]]
    assert first == {1: "<p>1</p>", 2: "<p>2</p>"} and second[3] == "<p>3</p>"
    calls = []
    assert fragments.one(fragments.key("one", 1), lambda: calls.append(1) or "<b>x</b>") == "<b>x</b>"
    assert fragments.one(fragments.key("one", 1), lambda: calls.append(1) or "<b>y</b>") == "<b>x</b>"
    assert calls == [1]


def test_keys_are_short_and_differ_by_every_part():
    long = fragments.key("test", "x" * 500)
    assert len(long) < 250
    assert fragments.key("test", 1, 2) != fragments.key("test", 12)  # joined with a separator
    assert fragments.key("test", 1) != fragments.key("other", 1)


def test_other_models_are_still_deleted_in_one_statement():
    from django.db.models.deletion import Collector

    from growth.models import TopicWeek
    from learningday.models import Team

    assert Collector(using="default").can_fast_delete(TopicWeek.objects.all())
    assert not Collector(using="default").can_fast_delete(Team.objects.all())  # watched: one signal per row


@pytest.mark.parametrize(
    "change",
    [
        lambda: ClaimFactory(),
        lambda: Progress.objects.create(user=UserFactory(), item=ItemFactory(), state=Progress.State.DONE),
        lambda: Endorsement.objects.create(user=UserFactory(), item=ItemFactory()),
    ],
    ids=["claim", "progress", "endorsement"],
)
def test_claims_and_reading_move_the_activity_on(change):
    before = versions.current(versions.ACTIVITY)[0]
    change()
    assert versions.current(versions.ACTIVITY)[0] > before


def test_an_entry_written_edited_or_deleted_anywhere_moves_the_entries_on():
    from logs.models import Entry
    from tests.factories import EntryFactory

    def entries() -> int:
        return versions.current(versions.ENTRIES)[0]

    before = entries()
    entry = EntryFactory()
    assert entries() == before + 1
    entry.body = "Edited in the admin."
    entry.save()
    assert entries() == before + 2
    Entry.objects.filter(pk=entry.pk).get().delete()
    assert entries() == before + 3


def test_any_part_makes_a_key_memcached_accepts():
    from django.core.cache.backends.base import memcache_key_warnings

    for part in ("a b", "é", "x\x00y", ("t", 1), "?people=2&x=<y>"):
        made = fragments.key("test", part)
        assert list(memcache_key_warnings(made)) == [], made


def test_another_learning_day_or_currency_reads_no_piece_rendered_before(settings):
    fragments._release.cache_clear()
    before = fragments.key("test", 1)
    settings.LEARNING_DAY_WEEKDAY = (settings.LEARNING_DAY_WEEKDAY + 1) % 7
    fragments._release.cache_clear()
    try:
        assert fragments.key("test", 1) != before
    finally:
        fragments._release.cache_clear()


def test_another_database_behind_the_same_cache_reads_no_piece_of_this_one(monkeypatch):
    """Staging and production sharing a Redis, a benchmark's two sizes, a database seeded or
    restored afresh: their versions start from the same numbers, their keys do not."""
    from django.db import connection

    here = fragments._database()
    assert connection.settings_dict["NAME"] in here
    if connection.vendor == "postgresql":  # dropped and made again, a database has a new oid
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            assert cursor.fetchone()[0] in here
    fragments._release.cache_clear()
    try:
        mine = fragments.key("test", 1)
        monkeypatch.setattr(fragments, "_database", lambda: (*here[:-1], "another"))
        fragments._release.cache_clear()
        assert fragments.key("test", 1) != mine
    finally:
        monkeypatch.undo()
        fragments._release.cache_clear()


def test_a_bulk_load_moves_every_version_on_even_after_a_flush():
    """The seeds write in bulk (no signal): every version moves on, by a stride no earlier
    counter can meet, so that nothing kept before them is read; a flush took the counters back
    to nothing, where pieces may have been kept before."""
    versions.bump(versions.person(7))
    before = {key: versions.current(key)[0] for key in (*versions.SHARED, versions.person(7))}
    versions.move_all_on()
    after = {key: versions.current(key)[0] for key in before}
    assert all(after[key] > before[key] for key in before)
    from learningday.models import Version

    counters = []
    for _ in range(2):  # two flushes, two loads: never the same numbers twice
        Version.objects.all().delete()  # what manage.py flush leaves
        versions.move_all_on()
        counters.append(versions.current(*versions.SHARED))
        assert all(n > 0 for n in counters[-1])
    assert counters[0] != counters[1]


def test_rows_carry_the_versions_read_with_them():
    versions.bump("rows-test")
    Topic.objects.create(name="T", slug="t")
    (row,) = versions.with_versions(Topic.objects.filter(slug="t"), seen="rows-test", never="never-bumped")
    assert (row.seen, row.never) == (1, 0)
    versions.bump("rows-test")
    (row,) = versions.with_versions(Topic.objects.filter(slug="t"), seen="rows-test", never="never-bumped")
    assert row.seen == 2
