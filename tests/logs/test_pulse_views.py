"""The pulse question on the web: the dashboard's card on Learning Days until answered, and
/pulse/, which works on any day the quarter's question is open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from learningday.quarters import Quarter
from logs.models import PulseAnswer
from tests.conftest import THURSDAY
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

QUESTION = "How much did Learning Day help you grow this quarter?"
Q4 = Quarter(2026, 4)


@pytest.mark.frozen(THURSDAY)
def test_the_dashboard_asks_on_a_learning_day_and_thanks_after_the_answer(member_client, member):
    body = member_client.get("/").content.decode()
    assert QUESTION in body
    assert "<legend>" + QUESTION in body
    assert "1 · Not at all" in body and "5 · A lot" in body

    response = member_client.post(
        "/pulse/", {"score": "4", "comment": "The reading group helped.", "from": "dashboard"}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    body = response.content.decode()
    assert "Thank you. Your answer counts in this quarter" in body
    assert QUESTION not in body  # answered: the card is gone
    answer = PulseAnswer.objects.get()
    assert (answer.score, answer.comment, answer.quarter) == (4, "The reading group helped.", Q4.first_day)


@pytest.mark.frozen  # Tuesday: not a Learning Day
def test_the_dashboard_does_not_ask_on_other_days_but_the_pulse_page_does(member_client):
    assert QUESTION not in member_client.get("/").content.decode()
    body = member_client.get("/pulse/").content.decode()
    assert "Pulse question for 2026-Q4" in body and QUESTION in body


@pytest.mark.frozen(dt.datetime(2027, 1, 1, 11, 0, tzinfo=dt.UTC))  # Friday, before 2027-Q1's first Learning Day
def test_before_the_quarters_first_learning_day_the_page_says_when_it_opens(member_client):
    body = member_client.get("/pulse/").content.decode()
    assert "opens on" in body and "Thursday 7 January" in body
    assert QUESTION not in body
    response = member_client.post("/pulse/", {"score": "3"})
    assert response.status_code == 400
    assert "opens on Thursday 7 January" in response.content.decode()
    assert not PulseAnswer.objects.exists()


@pytest.mark.frozen(THURSDAY)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comment": "Kept: a comment typed before the mistake"}, "Choose a number from 1 (not at all) to 5 (a lot)."),
        ({"score": "7", "comment": "Kept: a comment typed before the mistake"}, "Choose a number from 1"),
        ({"score": "3", "comment": "x" * 2001}, "Keep the comment to 2000 characters."),
    ],
)
def test_a_mistake_comes_back_with_a_clear_message_and_what_was_typed(member_client, data, message):
    response = member_client.post("/pulse/", {**data, "from": "dashboard"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert data["comment"][:40] in body
    assert 'aria-invalid="true"' in body
    assert '<input type="hidden" name="from" value="dashboard">' in body  # back to the dashboard once fixed
    assert not PulseAnswer.objects.exists()


@pytest.mark.frozen(THURSDAY)
def test_the_page_shows_the_persons_own_answer_to_change_and_nobody_elses(client, member, team):
    teammate = UserFactory(email="mate@example.com")
    MembershipFactory(user=teammate, team=team)
    PulseAnswer.objects.create(user=teammate, quarter=Q4.first_day, team=team, score=1, comment="Teammate secret words")
    client.force_login(member)
    body = client.get("/pulse/").content.decode()
    assert "Teammate secret words" not in body and "You answered" not in body
    assert QUESTION in client.get("/").content.decode()  # the teammate's answer is not the member's

    client.post("/pulse/", {"score": "5", "comment": "Mine"})
    body = client.get("/pulse/").content.decode()
    assert "You answered <strong>5 of 5</strong> for 2026-Q4" in body
    assert "Mine" in body and "Teammate secret words" not in body
    client.post("/pulse/", {"score": "2", "comment": "Mine, changed"})
    assert PulseAnswer.objects.filter(user=member).get().score == 2
    assert PulseAnswer.objects.count() == 2


# 2026-09-30 20:00 UTC: Thursday 1 October, 2026-Q4's first Learning Day, in Auckland;
# Wednesday 30 September in Los Angeles.
@pytest.mark.frozen(dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC))
@pytest.mark.parametrize(("tz", "asked"), [("Pacific/Auckland", True), ("America/Los_Angeles", False)])
def test_the_card_appears_on_the_first_learning_day_in_the_persons_own_time_zone(tz, asked):
    person = UserFactory(email="far@example.com", timezone=tz)
    client = Client()
    client.force_login(person)
    assert (QUESTION in client.get("/").content.decode()) is asked


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/pulse/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.frozen(THURSDAY)
def test_the_card_costs_two_queries_on_a_learning_day(member_client, django_assert_max_num_queries):
    # The dashboard's 14 on a Learning Day (tests/logs/test_participation_views.py), and the
    # quarter's holidays and the person's answer.
    with django_assert_max_num_queries(16):
        assert member_client.get("/").status_code == 200
