"""The check-in from Slack: /learned, the message shortcut and the buttons open one modal;
submitting it saves an entry by the web form's rules, and says so once by direct message."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from learningday.models import OutboxMessage
from logs.models import Entry, EntryTopic
from reading.models import Topic
from slackapp.checkin import readable
from slackapp.models import SlackAccount
from tests.conftest import LAST_THURSDAY, THURSDAY
from tests.factories import EntryFactory, ItemFactory, UserFactory
from tests.slackapp.fake_api import WORKSPACE

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(THURSDAY)]

FIELDS = ["body", "category", "hours", "links", "items", "visibility", "whats_next"]


@pytest.fixture
def linked(member, slack_api):
    SlackAccount.objects.create(user=member, slack_user_id="U1", slack_team_id=WORKSPACE)
    return member


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the confirmation's task) when the request is done."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def opened(slack_api) -> dict[str, Any]:
    return slack_api.last("views.open").args["view"]


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def values(
    body: str | None = "Read the **PBA** paper: schedules beat policies.",
    *,
    category: str = "reading_papers",
    hours: str | None = None,
    links: str | None = None,
    items: tuple[int, ...] = (),
    visibility: str = "teams",
    whats_next: str | None = None,
) -> dict[str, Any]:
    """The modal's state as Slack submits it."""

    def text(name: str, value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
        return {name: {name: {"type": kind, "value": value}}}

    def choice(name: str, value: str, kind: str) -> dict[str, Any]:
        return {name: {name: {"type": kind, "selected_option": {"value": value, "text": {"text": value}}}}}

    return {
        **text("body", body),
        **choice("category", category, "static_select"),
        **text("hours", hours, "number_input"),
        **text("links", links),
        "items": {
            "items": {
                "type": "multi_external_select",
                "selected_options": [{"value": str(pk), "text": {"text": "x"}} for pk in items],
            }
        },
        **choice("visibility", visibility, "radio_buttons"),
        **text("whats_next", whats_next),
    }


def submission(view: dict[str, Any], state: dict[str, Any], *, user: str = "U1", trigger: str = "t-submit"):
    """A view_submission payload, so that a test can deliver the very same one twice."""
    return {
        "type": "view_submission",
        "trigger_id": trigger,
        "user": {"id": user, "team_id": WORKSPACE},
        "view": {**view, "id": "V0CHECKIN", "hash": "h1", "state": {"values": state}},
    }


def dms(slack_api) -> list[dict[str, Any]]:
    return [c.args for c in slack_api.calls("chat.postMessage")]


# --- Opening -----------------------------------------------------------------------------


def test_learned_opens_the_checkin_modal_with_every_field(slack, slack_api, linked):
    response = slack.command("/learned")

    assert response.status_code == 200
    view = opened(slack_api)
    assert view["callback_id"] == "checkin"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == FIELDS
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs)
    assert "Thursday 26 November" in block(view, "body")["label"]["text"]
    assert block(view, "body")["element"]["multiline"] and not block(view, "body")["optional"]
    category = block(view, "category")["element"]
    assert category["type"] == "static_select"
    assert [o["value"] for o in category["options"]] == list(Entry.Category.values)
    assert category["initial_option"]["value"] == Entry.Category.READING_PAPERS
    assert block(view, "hours")["optional"] and block(view, "hours")["element"]["type"] == "number_input"
    assert block(view, "links")["element"]["multiline"]
    assert block(view, "items")["element"]["type"] == "multi_external_select"
    visibility = block(view, "visibility")["element"]
    assert visibility["type"] == "radio_buttons"
    assert [o["value"] for o in visibility["options"]] == ["teams", "everyone"]
    assert visibility["initial_option"]["value"] == "teams"
    assert block(view, "whats_next")["optional"]
    assert json.loads(view["private_metadata"]) == {"day": "2026-11-26", "entry": None}


def test_learned_with_text_prefills_what_i_learned(slack, slack_api, linked):
    slack.command("/learned", "Read about JAX pmap")

    assert block(opened(slack_api), "body")["element"]["initial_value"] == "Read about JAX pmap"


def test_message_shortcut_prefills_the_text_and_its_links(slack, slack_api, linked):
    message = {
        "type": "message",
        "ts": "1700000000.000100",
        "text": "Great thread on <https://arxiv.org/abs/1905.05393|Population Based Augmentation> "
        "&amp; code at <https://github.com/arcelien/pba> cc <@U2|ana>",
    }
    slack.interaction(
        {
            "type": "message_action",
            "callback_id": "log_as_learning",
            "user": {"id": "U1", "team_id": WORKSPACE},
            "channel": {"id": "C0LEARN"},
            "message": message,
            "response_url": slack_api.response_url(),
        }
    )

    view = opened(slack_api)
    assert block(view, "body")["element"]["initial_value"] == (
        "Great thread on Population Based Augmentation & code at https://github.com/arcelien/pba cc @ana"
    )
    assert block(view, "links")["element"]["initial_value"] == (
        "https://arxiv.org/abs/1905.05393\nhttps://github.com/arcelien/pba"
    )


def test_slack_formatting_becomes_readable_text():
    text, links = readable(
        "<!here> see <mailto:a@b.org|a@b.org> and <#C1|general> &lt;3 <https://x.org|x> <https://x.org>"
    )
    assert text == "@here see a@b.org and #general <3 x https://x.org"
    assert links == ["https://x.org"]


def test_open_button_opens_the_modal(slack, slack_api, linked):
    slack.action({"action_id": "checkin_open", "value": "open"}, message={"ts": "1.1", "channel": "D1"})

    assert opened(slack_api)["callback_id"] == "checkin"


def test_on_a_day_already_logged_the_modal_opens_that_entry(slack, slack_api, linked):
    entry = EntryFactory(author=linked, day=dt.date(2026, 11, 26), body="Morning: read about pmap.", hours="2.0")

    slack.command("/learned", "Afternoon: tried it.")

    view = opened(slack_api)
    assert json.loads(view["private_metadata"])["entry"] == entry.pk
    assert block(view, "body")["element"]["initial_value"] == "Morning: read about pmap.\n\nAfternoon: tried it."
    assert block(view, "hours")["element"]["initial_value"] == "2.0"


def test_an_entry_too_long_for_slack_is_left_to_the_web(slack, slack_api, linked):
    entry = EntryFactory(author=linked, day=dt.date(2026, 11, 26), body="word " * 700)

    slack.action({"action_id": "checkin_edit", "value": str(entry.pk)}, message={"ts": "1.1", "channel": "DU1"})

    view = opened(slack_api)
    assert "submit" not in view
    assert entry.get_absolute_url() in json.dumps(view)


# --- The reading list --------------------------------------------------------------------


def suggest(slack, typed: str = "", *, user: str = "U1") -> list[dict[str, Any]]:
    response = slack.interaction(
        {
            "type": "block_suggestion",
            "action_id": "items",
            "block_id": "items",
            "value": typed,
            "user": {"id": user, "team_id": WORKSPACE},
            "view": {"id": "V0CHECKIN", "callback_id": "checkin", "type": "modal"},
        }
    )
    assert response.status_code == 200
    return response.json()["options"]


def test_reading_list_options_are_only_items_the_person_may_see(slack, linked, team, other_team):
    mine = ItemFactory(team=team, title="Population Based Augmentation")
    everyones = ItemFactory(team=None, title="Attention is all you need")
    ItemFactory(team=other_team, title="Population Based Training")  # another team's list
    ItemFactory(team=team, title="Population Based Bandits", status="suggested")  # not curated, not theirs
    own = ItemFactory(team=other_team, title="Population Based Search", status="suggested", suggested_by=linked)

    assert {o["value"] for o in suggest(slack)} == {str(mine.pk), str(everyones.pk), str(own.pk)}
    found = suggest(slack, "population")
    assert [o["text"]["text"] for o in found] == ["Population Based Augmentation", "Population Based Search"]
    assert found[0]["description"]["text"] == "Robotics"


def test_reading_list_options_fit_slacks_limits(slack, linked, team):
    for n in range(120):
        ItemFactory(team=team, title=f"{n:03d} " + "A very long title about learning " * 5)

    options = suggest(slack, "learning")

    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in options)


# --- Submitting --------------------------------------------------------------------------


def test_valid_submission_logs_the_entry_and_confirms_it_with_the_streak(slack, slack_api, linked, team, on_commit):
    type(linked).objects.filter(pk=linked.pk).update(date_joined=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    EntryFactory(author=linked, day=LAST_THURSDAY)
    paper = ItemFactory(team=team, title="Population Based Augmentation")
    slack.command("/learned")
    state = values(
        hours="1.5",
        links="https://arxiv.org/abs/1905.05393\n\nhttps://github.com/arcelien/pba",
        items=(paper.pk,),
        visibility="everyone",
        category="reimplementing",
        whats_next="Run it on CIFAR-10.",
    )

    response = on_commit(lambda: slack.view_submission(opened(slack_api), state))

    assert response.status_code == 200
    assert response.content == b""  # the modal closes
    entry = Entry.objects.get(author=linked, day=dt.date(2026, 11, 26))
    assert entry.body.startswith("Read the **PBA** paper")
    assert entry.hours == Decimal("1.5")
    assert entry.links == ["https://arxiv.org/abs/1905.05393", "https://github.com/arcelien/pba"]
    assert list(entry.items.all()) == [paper]
    assert (entry.visibility, entry.category, entry.whats_next) == ("everyone", "reimplementing", "Run it on CIFAR-10.")
    [dm] = dms(slack_api)
    assert dm["channel"] == "U1"  # the first message goes to the user; Slack delivers it in the app's DM
    assert "Logged Thursday 26 November" in dm["text"]
    assert "2 Learning Days in a row" in dm["text"]
    buttons = dm["blocks"][-1]["elements"]
    assert buttons[0]["action_id"] == "checkin_edit" and buttons[0]["value"] == str(entry.pk)
    assert buttons[1]["url"].endswith(entry.get_absolute_url())
    sent = OutboxMessage.objects.get(kind=OutboxMessage.Kind.CHECKIN_DONE)
    assert sent.channel == OutboxMessage.Channel.SLACK_DM and sent.sent_at is not None


@pytest.mark.parametrize(
    ("state", "block_id", "says"),
    [
        pytest.param(values(body=None), "body", "Write what you learned", id="empty-body"),
        pytest.param(values(body="   "), "body", "Write what you learned", id="blank-body"),
        pytest.param(values(hours="0.3"), "hours", "at least half an hour", id="too-few-hours"),
        pytest.param(values(hours="1.3"), "hours", "steps of half an hour", id="not-half-hours"),
        pytest.param(values(hours="25"), "hours", "at most 24 hours", id="too-many-hours"),
        pytest.param(values(hours="lots"), "hours", "in hours", id="not-a-number"),
        pytest.param(values(links="https://ok.example\nnot a link"), "links", "not web addresses", id="bad-link"),
        pytest.param(values(category="gardening"), "category", "valid choice", id="bad-category"),
        pytest.param(values(visibility="world"), "visibility", "valid choice", id="bad-visibility"),
    ],
)
def test_invalid_submission_answers_on_the_field_and_logs_nothing(
    slack, slack_api, linked, on_commit, state, block_id, says
):
    slack.command("/learned")

    response = on_commit(lambda: slack.view_submission(opened(slack_api), state))

    answer = response.json()
    assert answer["response_action"] == "errors"  # not "update": Slack keeps what was typed
    assert says in answer["errors"][block_id]
    assert all(len(message) <= 150 for message in answer["errors"].values())
    assert not Entry.objects.exists()
    assert dms(slack_api) == []


def test_an_item_the_person_may_not_see_is_refused(slack, slack_api, linked, other_team, on_commit):
    hidden = ItemFactory(team=other_team)
    slack.command("/learned")

    response = on_commit(lambda: slack.view_submission(opened(slack_api), values(items=(hidden.pk,))))

    assert response.json()["errors"] == {"items": "Pick only items of the reading lists you can see."}
    assert not Entry.objects.exists()


def test_a_modal_opened_before_midnight_logs_the_day_it_named(slack, slack_api, linked, frozen, on_commit):
    frozen.move_to(dt.datetime(2026, 11, 26, 22, 50, tzinfo=dt.UTC))  # 23:50 Thursday in Berlin
    slack.command("/learned")
    frozen.move_to(dt.datetime(2026, 11, 26, 23, 10, tzinfo=dt.UTC))  # 00:10 Friday

    on_commit(lambda: slack.view_submission(opened(slack_api), values()))

    assert Entry.objects.get(author=linked).day == dt.date(2026, 11, 26)


def test_the_morning_reminders_button_clicked_after_midnight_logs_the_day_it_asked_about(
    slack, slack_api, linked, frozen
):
    frozen.move_to(dt.datetime(2026, 11, 26, 23, 10, tzinfo=dt.UTC))  # 00:10 Friday in Berlin
    slack.action({"action_id": "checkin_open", "value": "2026-11-26"}, message={"ts": "1.1", "channel": "D1"})

    assert json.loads(opened(slack_api)["private_metadata"])["day"] == "2026-11-26"
    # A day that has not come yet for the person is not taken from a button: today instead.
    slack.action({"action_id": "checkin_open", "value": "2026-12-03"}, message={"ts": "1.1", "channel": "D1"})
    assert json.loads(opened(slack_api)["private_metadata"])["day"] == "2026-11-27"


def test_retried_submission_logs_once_and_confirms_once(slack, slack_api, linked, on_commit):
    slack.command("/learned")
    payload = submission(opened(slack_api), values())

    on_commit(lambda: slack.interaction(payload))
    retried = on_commit(lambda: slack.interaction(payload, **{"X-Slack-Retry-Num": "1"}))

    assert retried.status_code == 200
    assert Entry.objects.count() == 1
    assert len(dms(slack_api)) == 1


def test_retried_submission_that_reaches_another_process_still_logs_and_confirms_once(
    slack, slack_api, linked, on_commit
):
    from django.core.cache import cache

    slack.command("/learned")
    payload = submission(opened(slack_api), values())

    on_commit(lambda: slack.interaction(payload))
    cache.clear()  # the retry lands where the first delivery is not remembered
    on_commit(lambda: slack.interaction(payload, **{"X-Slack-Retry-Num": "1"}))

    assert Entry.objects.count() == 1
    assert len(dms(slack_api)) == 1
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CHECKIN_DONE).count() == 1


# --- Editing -----------------------------------------------------------------------------


def test_edit_button_opens_the_entry_and_saving_edits_it_with_its_own_confirmation(
    slack, slack_api, linked, team, on_commit
):
    paper = ItemFactory(team=team)
    slack.command("/learned")
    on_commit(lambda: slack.interaction(submission(opened(slack_api), values(items=(paper.pk,)))))
    entry = Entry.objects.get()
    edit = dms(slack_api)[0]["blocks"][-1]["elements"][0]

    slack.action({"action_id": edit["action_id"], "value": edit["value"]}, message={"ts": "1.1", "channel": "DU1"})

    view = opened(slack_api)
    assert json.loads(view["private_metadata"])["entry"] == entry.pk
    assert block(view, "items")["element"]["initial_options"][0]["value"] == str(paper.pk)
    edited = {**submission(view, values(body="Read it twice.", hours="3", items=(paper.pk,)))}
    edited["view"]["id"] = "V0EDIT"
    on_commit(lambda: slack.interaction(edited))

    entry.refresh_from_db()
    assert (entry.body, entry.hours) == ("Read it twice.", Decimal("3.0"))
    assert Entry.objects.count() == 1
    assert "Your entry for Thursday 26 November is updated" in dms(slack_api)[-1]["text"]
    assert len(dms(slack_api)) == 2


def test_an_edit_keeps_what_the_modal_does_not_show(slack, slack_api, linked, on_commit):
    entry = EntryFactory(author=linked, day=dt.date(2026, 11, 26), crowded_out=True)
    slack.action({"action_id": "checkin_edit", "value": str(entry.pk)}, message={"ts": "1.1", "channel": "DU1"})

    on_commit(lambda: slack.view_submission(opened(slack_api), values(body="Shorter day.")))

    entry.refresh_from_db()
    assert entry.body == "Shorter day." and entry.crowded_out


def test_editing_someone_elses_entry_is_refused(slack, slack_api, linked, team, on_commit):
    teammate = UserFactory()
    theirs = EntryFactory(author=teammate, day=LAST_THURSDAY, body="Theirs.", visibility="everyone")

    slack.action({"action_id": "checkin_edit", "value": str(theirs.pk)}, message={"ts": "1.1", "channel": "DU1"})

    view = opened(slack_api)
    assert "submit" not in view and "only edit your own" in json.dumps(view)
    # A submission made up to point at their entry changes nothing either.
    forged = {
        **opened_for(slack, slack_api),
        "private_metadata": json.dumps({"day": "2026-11-19", "entry": theirs.pk}),
    }
    response = on_commit(lambda: slack.view_submission(forged, values(body="Mine now.")))
    assert response.json()["errors"] == {"body": "You can only change your own entries."}
    theirs.refresh_from_db()
    assert theirs.body == "Theirs."
    assert not Entry.objects.filter(author=linked).exists()
    assert dms(slack_api) == []


def opened_for(slack, slack_api) -> dict[str, Any]:
    slack.command("/learned")
    return opened(slack_api)


def test_someone_without_an_account_can_submit_nothing(slack, slack_api, linked, on_commit):
    slack.command("/learned")
    slack_api.add_user("U9", "stranger@elsewhere.example")

    response = on_commit(lambda: slack.view_submission(opened(slack_api), values(), user="U9"))

    assert "connect" in response.json()["errors"]["body"]
    assert not Entry.objects.exists()


def test_an_entry_from_slack_gets_suggested_topics_and_an_edit_keeps_the_chosen_ones(
    slack, slack_api, linked, team, on_commit
):
    Topic.objects.create(name="Robotics", slug="robotics", keywords="robot arm")
    history = Topic.objects.create(name="History of technology", slug="history-of-technology")
    book = ItemFactory(team=team, title="The Information", topic=history)

    slack.command("/learned")
    on_commit(lambda: slack.view_submission(opened(slack_api), values(body="Tuned the Robot Arm.", items=(book.pk,))))
    entry = Entry.objects.get(author=linked)
    links = EntryTopic.objects.filter(entry=entry)
    assert dict(links.values_list("topic__slug", "source")) == {
        "robotics": "suggested",
        "history-of-technology": "suggested",
    }

    # Chosen on the web meanwhile; the modal does not ask for topics, so an edit there keeps them.
    maths = Topic.objects.get(slug="maths-and-statistics")
    EntryTopic.objects.create(entry=entry, topic=maths, source="chosen")
    slack.action({"action_id": "checkin_edit", "value": str(entry.pk)}, message={"ts": "1.1", "channel": "DU1"})
    on_commit(lambda: slack.view_submission(opened(slack_api), values(body="Tuned the robot arm again.")))
    assert dict(links.values_list("topic__slug", "source")) == {
        "robotics": "suggested",
        "history-of-technology": "suggested",
        "maths-and-statistics": "chosen",
    }
