"""The dashboard and /growth/, kept per person under their own version (learningday.versions.
person): the next request after any change of what they show shows it, and one person's page
is never shown to another.

Each test opens the page once before the change, so that it is in the cache when it happens.
Thursday 26 November 2026 is a Learning Day, and the quarter's pulse question is open.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from learningday.models import Holiday
from logs.services import EntryData, away_add, entry_delete, entry_save, pulse_answer
from reading.models import Topic
from reading.services import team_home_topics_set
from reimbursements import services as claims
from tests.factories import ClaimFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC))]

THURSDAY = dt.date(2026, 11, 26)


def _page(user, path: str = "/") -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_logging_today_editing_and_deleting_show_on_the_dashboard_at_once(member):
    page = _page(member)
    assert "Share what I learned" in page and "You logged today" not in page
    entry, _ = entry_save(user=member, data=EntryData(day=THURSDAY, body="Read about Kalman filters."))
    page = _page(member)
    assert "You logged today" in page and "Kalman filters" in page
    assert " 1 Learning Day in a row" in page  # the streak
    entry_delete(user=member, entry=entry)
    page = _page(member)
    assert "Share what I learned" in page and " 0 Learning Days in a row" in page


def test_a_day_away_the_pulse_answer_and_a_claim_show_on_the_dashboard_at_once(member):
    page = _page(member)
    assert "were away" not in page and "pulse question" in page and "€1,000.00 left" in page
    away_add(user=member, start=THURSDAY, end=THURSDAY)
    page = _page(member)
    assert "were away on 1" in page
    pulse_answer(user=member, score=4)
    assert "pulse question" not in _page(member)
    ClaimFactory(claimant=member, state="submitted", amount=Decimal("40.00"), submitted_at=dt.datetime.now(dt.UTC))
    assert "€960.00 left" in _page(member)


@pytest.mark.frozen(dt.datetime(2026, 10, 1, 11, 0, tzinfo=dt.UTC))
def test_a_holiday_on_the_quarter_s_first_learning_day_moves_the_pulse_question_at_once(member):
    assert "pulse question" in _page(member)  # Thursday 1 October: the quarter's first Learning Day
    Holiday.objects.create(date=dt.date(2026, 10, 1), name="Company day")
    assert "pulse question" not in _page(member)  # asked from the next Learning Day instead


def test_a_claim_waiting_for_a_manager_shows_on_their_dashboard_at_once(member, manager):
    assert "wait for your decision" not in _page(manager)
    claim = ClaimFactory(claimant=member, description="Probabilistic Robotics", with_receipt=True)
    claims.claim_submit(user=member, claim=claim)  # the member's claim: the manager's version is not moved
    assert "1 claim waits for your decision" in _page(manager)


def test_growth_shows_a_new_entry_s_topic_and_new_home_topics_at_once(member, manager, team):
    robotics = Topic.objects.create(name="Robotics", slug="robotics")
    assert "Robotics" not in _page(member, "/growth/")
    entry_save(user=member, data=EntryData(day=THURSDAY, body="Kalman filters.", topics=[robotics]))
    page = _page(member, "/growth/")
    assert "Robotics" in page and "no home topics are set" in page
    team_home_topics_set(user=manager, team=team, topics=[robotics])  # a many-to-many set: no post_save
    assert "no home topics are set" not in _page(member, "/growth/")


def test_one_person_s_kept_pages_are_never_shown_to_another(member, team):
    entry_save(user=member, data=EntryData(day=THURSDAY, body="Read about Kalman filters."))
    ClaimFactory(claimant=member, state="approved", amount=Decimal("300.00"), approved_amount=Decimal("300.00"))
    assert "Hello, Tom Member" in _page(member) and "€700.00 left" in _page(member)
    assert "€300.00" in _page(member, "/growth/")
    peer = UserFactory(email="pat@example.com", display_name="Pat Peer")
    MembershipFactory(user=peer, team=team)
    page = _page(peer)
    assert "Hello, Pat Peer" in page and "Hello, Tom Member" not in page
    assert "€1,000.00 left" in page and "You logged today" not in page
    assert "€300.00" not in _page(peer, "/growth/")
