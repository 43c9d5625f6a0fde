"""``/reading``: suggesting a paper or book from Slack, looked up as the web form does."""

from __future__ import annotations

import pytest

from reading.models import Item
from slackapp import reading as slack_reading
from tests.factories import ItemFactory, MembershipFactory, TeamFactory, UserFactory
from tests.reading.fake_services import NOT_FOUND, FakeServices, atom_reply

pytestmark = pytest.mark.django_db

ARXIV_PATH = "/arxiv/query"
PBA = "Population Based Augmentation: Efficient Learning of Augmentation Policy Schedules"


@pytest.fixture
def metadata(settings):
    """arXiv, Crossref and Open Library on a local server (as in tests/reading/test_lookup.py)."""
    fake = FakeServices()
    fake.start()
    settings.ARXIV_API_URL = f"{fake.url}{ARXIV_PATH}"
    settings.CROSSREF_API_URL = f"{fake.url}/crossref"
    settings.OPENLIBRARY_API_URL = f"{fake.url}/openlibrary"
    settings.METADATA_LOOKUP_TIMEOUT = 2.0
    fake.reply(ARXIV_PATH, atom_reply("arxiv_1905.05393.xml"))
    yield fake
    fake.stop()


@pytest.fixture
def linked(member, slack_api):
    slack_api.add_user("U1", member.email)
    return member


def reply_text(slack_api) -> str:
    (answer,) = slack_api.responses
    assert answer["response_type"] == "ephemeral"
    return "\n".join(block["text"]["text"] for block in answer["blocks"])


def test_reading_acks_at_once_and_looks_up_in_a_task(slack, slack_api, linked, metadata, monkeypatch, team):
    queued = []
    monkeypatch.setattr(slack_reading.suggest_from_slack, "delay", lambda *args: queued.append(args))

    response = slack.command("/reading", "arXiv:1905.05393")

    assert response.status_code == 200
    assert response.json()["text"].startswith("Looking up arXiv:1905.05393")
    assert metadata.requests_to(ARXIV_PATH) == []  # nothing looked up while Slack waits
    assert queued == [(linked.pk, "arXiv:1905.05393", slack_api.response_url())]

    assert slack_reading.suggest_from_slack(*queued[0]) == "suggested"

    text = reply_text(slack_api)
    item = Item.objects.get(arxiv_id="1905.05393")
    assert (item.team, item.status, item.suggested_by) == (team, Item.Status.SUGGESTED, linked)
    assert "suggested for the Robotics list" in text
    assert PBA in text and "Daniel Ho, Eric Liang, Ion Stoica et al." in text and "2019" in text
    assert f"http://127.0.0.1:8000/reading/{item.pk}/" in text


def test_manager_puts_the_paper_straight_on_the_list(slack, slack_api, manager, metadata):
    slack_api.add_user("U2", manager.email)

    slack.command("/reading", "https://arxiv.org/abs/1905.05393v2", user="U2")

    item = Item.objects.get(arxiv_id="1905.05393")
    assert item.status == Item.Status.CURATED
    assert "Added to the Robotics list" in reply_text(slack_api)


def test_suggestion_goes_to_the_first_of_several_teams_by_name(slack, slack_api, linked, metadata):
    MembershipFactory(user=linked, team=TeamFactory(name="Algebra", slug="algebra"))

    slack.command("/reading", "1905.05393")

    assert Item.objects.get(arxiv_id="1905.05393").team.name == "Algebra"


def test_paper_already_on_the_list_links_to_it(slack, slack_api, linked, metadata, team):
    existing = ItemFactory(team=team, title="PBA", arxiv_id="1905.05393")

    slack.command("/reading", "1905.05393")

    text = reply_text(slack_api)
    assert "is on your lists already" in text
    assert f"/reading/{existing.pk}/" in text
    assert Item.objects.filter(arxiv_id="1905.05393").count() == 1


def test_lookup_failure_replies_with_the_lookups_message(slack, slack_api, linked, metadata):
    metadata.reply(ARXIV_PATH, NOT_FOUND)

    slack.command("/reading", "1905.05393")

    text = reply_text(slack_api)
    assert "arXiv does not know arXiv:1905.05393" in text
    assert "/reading/new/" in text
    assert not Item.objects.exists()


def test_bad_input_is_answered_at_once_with_how_to_write_it(slack, slack_api, linked, metadata):
    response = slack.command("/reading", "the book with the blue cover")

    text = response.json()["text"]
    assert "arXiv id" in text and "DOI" in text and "ISBN" in text
    assert metadata.received == [] and slack_api.responses == []


def test_bare_command_explains_itself(slack, slack_api, linked):
    assert "Write `/reading` and an arXiv id" in slack.command("/reading").json()["text"]


def test_someone_without_a_team_is_told_to_join_one(slack, slack_api, db, metadata):
    loner = UserFactory(email="loner@example.com")
    slack_api.add_user("U3", loner.email)

    slack.command("/reading", "1905.05393", user="U3")

    assert "Join a team" in reply_text(slack_api)
    assert not Item.objects.exists()
