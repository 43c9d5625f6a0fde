import datetime as dt
from decimal import Decimal

import pytest

from learningday.models import User
from logs.models import Entry
from logs.services import EntryData, LogError, entry_delete, entry_save, reminder_unsubscribe
from tests.conftest import LAST_THURSDAY
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def data(**overrides) -> EntryData:
    return EntryData(**{"day": LAST_THURSDAY, "body": "Read the PBA paper.", **overrides})


def test_a_future_day_is_refused(member, frozen):
    with pytest.raises(LogError, match="not come yet: today is Tuesday 24 November 2026"):
        entry_save(user=member, data=data(day=dt.date(2026, 11, 26)))
    assert not Entry.objects.exists()


def test_today_is_the_persons_local_today(member, frozen):
    # 11:00 UTC on Tuesday is already Wednesday 00:00 in Kiritimati (UTC+14).
    member.timezone = "Pacific/Kiritimati"
    entry, _ = entry_save(user=member, data=data(day=dt.date(2026, 11, 25)))
    assert entry.day == dt.date(2026, 11, 25)


def test_posting_twice_on_one_day_edits_the_first_entry(member, frozen):
    first, created = entry_save(user=member, data=data(body="First version"))
    second, created_again = entry_save(user=member, data=data(body="Second version", hours=Decimal("4.5")))
    assert (created, created_again) == (True, False)
    assert second.pk == first.pk
    assert Entry.objects.count() == 1
    saved = Entry.objects.get()
    assert (saved.body, saved.hours) == ("Second version", Decimal("4.5"))


def test_nobody_edits_another_persons_entry(member, outsider, frozen):
    entry = EntryFactory(author=member, body="Mine")
    with pytest.raises(LogError, match="only change your own"):
        entry_save(user=outsider, data=data(body="Hijacked"), entry=entry)
    entry.refresh_from_db()
    assert entry.body == "Mine"


def test_nobody_deletes_another_persons_entry(member, manager, frozen):
    entry = EntryFactory(author=member)
    with pytest.raises(LogError, match="only delete your own"):
        entry_delete(user=manager, entry=entry)
    assert Entry.objects.filter(pk=entry.pk).exists()
    entry_delete(user=member, entry=entry)
    assert not Entry.objects.exists()


def test_moving_an_entry_onto_a_day_that_has_one_is_refused(member, frozen):
    other = EntryFactory(author=member, day=dt.date(2026, 11, 12), body="Older")
    entry = EntryFactory(author=member, day=LAST_THURSDAY, body="Newer")
    with pytest.raises(LogError, match="already have an entry for Thursday 12 November"):
        entry_save(user=member, data=data(day=dt.date(2026, 11, 12), body="Newer"), entry=entry)
    other.refresh_from_db()
    assert other.body == "Older"


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert('x')</script>hello", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="#" onclick="steal()">click</a>', "onclick"),
        ("[click me](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert(1)"),
        ("<iframe src='https://evil.test'></iframe>", "<iframe"),
        ('<svg onload="alert(1)"></svg>', "onload"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_dangerous_markdown_never_reaches_the_page(member, frozen, markdown, forbidden):
    entry, _ = entry_save(user=member, data=data(body=markdown))
    assert forbidden.lower() not in entry.body_html.lower()


def test_markdown_renders_and_links_get_nofollow(member, frozen):
    entry, _ = entry_save(user=member, data=data(body="**Bold** and [PBA](https://arxiv.org/abs/1905.05393)"))
    assert "<strong>Bold</strong>" in entry.body_html
    assert '<a href="https://arxiv.org/abs/1905.05393" rel="nofollow noopener">PBA</a>' in entry.body_html


def test_the_database_refuses_a_second_entry_for_the_same_day(member):
    from django.db import IntegrityError, transaction

    EntryFactory(author=member, day=LAST_THURSDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.bulk_create([Entry(author=member, day=LAST_THURSDAY, body="x", body_html="x")])


def test_the_database_refuses_impossible_hours(member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.bulk_create([Entry(author=member, day=LAST_THURSDAY, body="x", hours=Decimal("25"))])


# --- Unsubscribing from a reminder email ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field"), [("morning", "remind_morning"), ("nudge", "remind_nudge"), ("digest", "receive_digest")]
)
def test_unsubscribing_stops_that_one_kind_of_reminder_only(member, kind, field):
    reminder_unsubscribe(user=member, kind=kind)
    stored = User.objects.get(pk=member.pk)
    opted_in = {name: getattr(stored, name) for name in ("remind_morning", "remind_nudge", "receive_digest")}
    assert opted_in == {"remind_morning": True, "remind_nudge": True, "receive_digest": True, field: False}


def test_unsubscribing_from_an_unknown_kind_is_refused_and_changes_nothing(member):
    with pytest.raises(LogError, match="no such reminder"):
        reminder_unsubscribe(user=member, kind="weekly")
    stored = User.objects.get(pk=member.pk)
    assert (stored.remind_morning, stored.remind_nudge, stored.receive_digest) == (True, True, True)
