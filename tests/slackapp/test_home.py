"""The home tab: what a person sees when they open the app in Slack."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from learningday.models import Membership
from reading.models import Progress
from slackapp.home import home_view
from tests.conftest import LAST_THURSDAY, NOW, THURSDAY
from tests.factories import ClaimFactory, EntryFactory, ItemFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = THURSDAY.date()


@pytest.fixture
def linked(member, slack_api):
    slack_api.add_user("U1", member.email)
    return member


@pytest.fixture
def teammate(team):
    person = UserFactory(email="teammate@example.com", display_name="Tess Teammate")
    MembershipFactory(user=person, team=team)
    return person


def open_home(slack, slack_api) -> dict:
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"})
    call = slack_api.last("views.publish")
    assert call.args["user_id"] == "U1"
    return call.args["view"]


def text_of(view: dict) -> str:
    """Everything the tab says, block by block."""
    parts = []
    for block in view["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    return "\n".join(parts)


def action_ids(view: dict) -> list[str]:
    return [e["action_id"] for block in view["blocks"] if block["type"] == "actions" for e in block["elements"]]


@pytest.mark.frozen(THURSDAY)
def test_home_tab_shows_the_day_streak_teams_entries_reading_and_budget(
    slack, slack_api, linked, teammate, outsider, team, other_team
):
    sharer = UserFactory(email="sharer@example.com")
    MembershipFactory(user=sharer, team=other_team)
    type(linked).objects.filter(pk=linked.pk).update(date_joined=NOW - dt.timedelta(days=30))
    EntryFactory(author=linked, day=LAST_THURSDAY, body="Kalman filters")
    EntryFactory(author=teammate, day=TODAY, body="Read **about** JAX pmap and sharding", category="tutorial")
    EntryFactory(author=UserFactory(email="loner@example.com"), day=TODAY, body="not in a team")
    EntryFactory(author=outsider, day=TODAY, body="Research team secret", visibility="teams")
    EntryFactory(author=sharer, day=TODAY, body="Shared with everyone", visibility="everyone")
    paper = ItemFactory(team=team, title="Population Based Augmentation", authors=["Daniel Ho", "Eric Liang"])
    Progress.objects.create(user=linked, item=paper, state="reading")
    ClaimFactory(claimant=linked, state="approved", amount=Decimal("250.00"), approved_amount=Decimal("250.00"))
    ClaimFactory(claimant=linked, state="submitted", amount=Decimal("30.00"))

    view = open_home(slack, slack_api)
    text = text_of(view)

    assert view["type"] == "home"
    assert "Today, Thursday 26 November, is your Learning Day" in text
    assert "You have not logged it yet" in text
    assert "Your streak: *1* Learning Day in a row" in text
    assert "checkin_open" in action_ids(view)
    # This Learning Day's entries of the person's teams, and only those.
    assert "Tess Teammate" in text and "Tutorial or course" in text
    assert "Read about JAX pmap and sharding" in text
    assert "Research team secret" not in text
    assert "Shared with everyone" not in text
    assert "not in a team" not in text
    assert "Kalman" not in text  # their own, and last week's
    assert "Population Based Augmentation" in text and "Daniel Ho, Eric Liang" in text
    assert "*€720.00* left of €1,000.00" in text and "€30.00 waits for a decision" in text
    assert "http://127.0.0.1:8000/reading/" in text or any(
        e.get("url", "").endswith("/reading/") for block in view["blocks"] for e in block.get("elements", [])
    )


@pytest.mark.frozen(THURSDAY)
def test_home_tab_after_logging_offers_to_edit_the_entry(slack, slack_api, linked):
    entry = EntryFactory(author=linked, day=TODAY, body="Attention is all you need")

    view = open_home(slack, slack_api)

    assert "You have logged it" in text_of(view)
    edit = next(
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "checkin_edit"
    )
    assert edit["value"] == str(entry.pk)
    assert "checkin_open" not in action_ids(view)


@pytest.mark.frozen(NOW)
def test_home_tab_of_a_newcomer_reads_well(slack, slack_api, slack_api_user_without_team):
    view = open_home(slack, slack_api)
    text = text_of(view)

    assert "Today is not a Learning Day. The next one is *Thursday 26 November*" in text
    assert "No streak yet" in text
    assert "Join a team to see what your teammates learn here" in text
    assert "Nothing at the moment" in text
    assert "*€1,000.00* left of €1,000.00" in text
    assert "checkin_open" in action_ids(view)


@pytest.fixture
def slack_api_user_without_team(slack_api, db):
    person = UserFactory(email="new@example.com")
    slack_api.add_user("U1", person.email)
    return person


@pytest.mark.frozen(NOW)
def test_home_tab_on_another_day_shows_the_last_learning_day(slack, slack_api, linked, teammate):
    EntryFactory(author=teammate, day=LAST_THURSDAY, body="Bayesian optimisation")

    text = text_of(open_home(slack, slack_api))

    assert "What your teams learned on Thursday 19 November" in text
    assert "Bayesian optimisation" in text


@pytest.mark.frozen(THURSDAY)
def test_home_tab_with_nobody_logged_yet_says_so(slack, slack_api, linked, teammate):
    assert "Nobody in your teams has logged today yet" in text_of(open_home(slack, slack_api))


@pytest.mark.frozen(THURSDAY)
def test_home_tab_reads_a_constant_number_of_queries(linked, team, django_assert_max_num_queries):
    other = TeamFactory(name="Vision", slug="vision")
    MembershipFactory(user=linked, team=other, role=Membership.Role.MANAGER)
    for n in range(12):
        author = UserFactory(email=f"author{n}@example.com")
        MembershipFactory(user=author, team=team if n % 2 else other)
        EntryFactory(author=author, day=TODAY, body=f"entry {n}")
        Progress.objects.create(user=linked, item=ItemFactory(team=team), state="reading")
    fresh = type(linked).objects.get(pk=linked.pk)

    with django_assert_max_num_queries(9):
        view = home_view(fresh)

    assert text_of(view).count("· _Reading papers_") == 5


def test_messages_tab_publishes_nothing(slack, slack_api, linked):
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "messages", "channel": "D1"})
    assert slack_api.calls("views.publish") == []


@pytest.mark.frozen(THURSDAY)
def test_slack_user_without_an_account_sees_the_link_to_connect(slack, slack_api, db):
    slack_api.add_user("U1", "stranger@elsewhere.example")
    view = open_home(slack, slack_api)
    assert "connect" in text_of(view)
    assert dt.date.today() == TODAY
