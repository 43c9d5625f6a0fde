"""manage.py seed_scale: a large organisation for benchmarks, here at a size a test can afford."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from growth.fields import fields_picked_up, pickup_windows
from learningday import calendar
from learningday.markdown import render
from learningday.models import FINANCE_GROUP, LEADERSHIP_GROUP, Membership, Team, User
from logs.models import Entry, EntryTopic
from reading.models import Item, Progress, Topic
from reimbursements.models import Claim, ClaimEvent, Receipt

pytestmark = pytest.mark.django_db

PEOPLE, WEEKS = 30, 6
PASSWORD = "scale-test-password"
S = Claim.State


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", people=PEOPLE, weeks=WEEKS, password=PASSWORD, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(settings) -> str:
    settings.DEBUG = True
    return seed()


def test_seed_scale_builds_an_organisation_of_the_size_asked(seeded):
    assert User.objects.count() == PEOPLE + 1  # and the leadership login, in no team
    assert list(Group.objects.get(name=LEADERSHIP_GROUP).user_set.values_list("email", flat=True)) == [
        "leadership@scale.example"
    ]
    assert Team.objects.count() == 1  # about one team per 25 people
    assert Membership.objects.filter(role="manager").count() >= 2
    assert Group.objects.get(name=FINANCE_GROUP).user_set.count() >= 3
    assert Topic.objects.count() >= 30
    assert Item.objects.count() == PEOPLE * 4
    assert set(Item.objects.values_list("status", flat=True)) == set(Item.Status.values)
    assert Progress.objects.count() >= PEOPLE
    # About 80% of people post on each Learning Day, and a few post on other days.
    entries = Entry.objects.count()
    assert 0.6 * PEOPLE * WEEKS <= entries <= 1.0 * PEOPLE * WEEKS
    last = calendar.previous_learning_day(timezone.localdate(timezone=dt.UTC))
    assert Entry.objects.filter(day=last - dt.timedelta(weeks=WEEKS - 1)).exists()
    assert not Entry.objects.filter(day__lt=last - dt.timedelta(weeks=WEEKS, days=3)).exists()
    assert 4 * PEOPLE <= Claim.objects.count() <= 12 * PEOPLE
    assert set(Claim.objects.values_list("state", flat=True)) == set(S.values)
    assert "Scale data is ready." in seeded
    assert "member@scale.example" in seeded and "entries" in seeded


def test_entries_have_topics_mostly_of_their_teams_field_and_some_people_take_up_a_new_one():
    with time_machine.travel(dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC), tick=False):
        call_command("seed_scale", people=120, weeks=40, force=True, stdout=io.StringIO())
        today = timezone.localdate(timezone=dt.UTC)
    for team in Team.objects.prefetch_related("home_topics"):
        assert 2 <= len(team.home_topics.all()) <= 3
    entries = Entry.objects.count()
    with_topics = Entry.objects.filter(topic_links__isnull=False).distinct().count()
    assert 0.8 * entries <= with_topics < entries  # a few say nothing a topic could be found in
    home = {
        (m.user_id, t.pk)
        for m in Membership.objects.prefetch_related("team__home_topics")
        for t in m.team.home_topics.all()
    }
    links = list(EntryTopic.objects.values_list("entry__author_id", "topic_id", "entry__day"))
    inside = sum((author, topic) in home for author, topic, _ in links)
    assert 0.55 * len(links) <= inside <= 0.85 * len(links)
    windows = pickup_windows(today)
    by_person: dict[int, list] = {}
    for author, topic, day in links:
        by_person.setdefault(author, []).append((topic, day))
    picked = [person for person, days in by_person.items() if fields_picked_up(days, windows=windows)]
    assert 2 <= len(picked) <= 30


def test_entries_have_rendered_bodies_and_their_own_history(seeded):
    for entry in Entry.objects.select_related("author").order_by("?")[:25]:
        assert entry.body_html and entry.body_html == render(entry.body)
        # Stamped when it was written, on its day in the author's time zone; not when seeded.
        assert entry.created_at.astimezone(entry.author.tzinfo).date() == entry.day
        assert entry.created_at <= entry.updated_at <= timezone.now()
    assert Entry.objects.dates("created_at", "day").count() >= WEEKS


def test_every_claim_has_receipts_and_a_trail_that_ends_in_its_state(seeded):
    storage = storages["receipts"]
    now = timezone.now()
    claims = Claim.objects.prefetch_related("receipts", "events")
    for claim in claims:
        events = list(claim.events.all())
        assert events[0].from_state == "" and events[0].to_state == S.DRAFT
        assert events[-1].to_state == claim.state
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events))
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))
        assert claim.created_at <= events[0].at and events[-1].at <= now
        if claim.state != S.DRAFT:
            assert claim.receipts.all(), claim
            assert claim.submitted_at is not None
        if claim.state in (S.APPROVED, S.PAID, S.REJECTED):
            assert claim.decided_by_id not in (None, claim.claimant_id)
        if claim.state == S.PAID:
            assert claim.payment_reference and claim.paid_at
    for receipt in Receipt.objects.order_by("?")[:20]:
        with storage.open(receipt.file.name) as f:
            data = f.read()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (receipt.size, receipt.sha256)
        assert data.startswith(b"\xff\xd8" if receipt.content_type == "image/jpeg" else b"%PDF-")
        if receipt.thumbnail:
            assert storage.exists(receipt.thumbnail.name)


def test_the_member_has_claims_in_every_state(seeded):
    member = User.objects.get(email="member@scale.example")
    assert set(member.claims.values_list("state", flat=True)) == set(S.values)
    assert set(member.reading_progress.values_list("state", flat=True)) == set(Progress.State.values)


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("member@scale.example", ["/", "/logs/", "/logs/?q=postgres", "/reading/", "/claims/", "/growth/"]),
        ("manager@scale.example", ["/claims/review/", "/logs/participation/", "/impact/"]),
        ("finance@scale.example", ["/claims/finance/"]),
        ("leadership@scale.example", ["/impact/", "/impact/export.csv?table=outside"]),
    ],
)
def test_the_logins_sign_in_and_their_pages_work(seeded, client, email, paths):
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_the_managers_review_queue_and_the_finance_list_are_not_empty(seeded, client):
    client.post("/accounts/login/", {"login": "manager@scale.example", "password": PASSWORD})
    assert client.get("/claims/review/").context["page"].paginator.count >= 1
    client.logout()
    client.post("/accounts/login/", {"login": "finance@scale.example", "password": PASSWORD})
    assert client.get("/claims/finance/").context["page"].paginator.count >= 1


def rows(queryset, *fields) -> list:
    return list(queryset.order_by(*fields).values_list(*fields))


def snapshot() -> dict:
    return {
        "users": rows(User.objects, "email", "display_name", "timezone", "date_joined"),
        "teams": rows(Membership.objects, "user__email", "team__slug", "role"),
        "entries": rows(Entry.objects, "author__email", "day", "body", "hours", "created_at"),
        "topics": rows(EntryTopic.objects, "entry__author__email", "entry__day", "topic__slug", "source"),
        "items": rows(Item.objects, "title", "team__slug", "status", "arxiv_id", "created_at"),
        "claims": rows(Claim.objects, "claimant__email", "created_at", "state", "amount", "currency"),
        "events": rows(ClaimEvent.objects, "claim__claimant__email", "at", "to_state", "actor__email"),
    }


# flush truncates the tables, which PostgreSQL refuses inside a test's open transaction.
@pytest.mark.django_db(transaction=True)
def test_seed_scale_refuses_a_database_with_people_and_flush_starts_again_with_the_same_data(settings):
    settings.DEBUG = True
    with time_machine.travel(dt.datetime(2026, 3, 5, 11, 30, tzinfo=dt.UTC), tick=False):
        call_command("seed_scale", people=8, weeks=3, stdout=io.StringIO())
        first = snapshot()
        files = [r.file.name for r in Receipt.objects.all()]
        with pytest.raises(CommandError, match="--flush"):
            call_command("seed_scale", people=8, weeks=3, stdout=io.StringIO())
        assert User.objects.count() == 8 + 1
        call_command("seed_scale", people=8, weeks=3, flush=True, stdout=io.StringIO())
    # Same seed, same day: the same organisation; the old receipts' files are gone.
    assert snapshot() == first
    assert Group.objects.get(name=FINANCE_GROUP).user_set.exists()
    assert not any(storages["receipts"].exists(name) for name in files)


def test_seed_scale_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", people=8, weeks=2)
    assert not User.objects.exists()
    call_command("seed_scale", people=8, weeks=2, force=True, stdout=io.StringIO())
    assert User.objects.count() == 8 + 1
