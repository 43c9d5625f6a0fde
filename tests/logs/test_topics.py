"""Topic suggestion: which topics an entry is about, from its reading-list items and its words."""

import re
from types import SimpleNamespace

import pytest

from logs.models import Entry, EntryTopic
from logs.services import EntryData, entry_save
from logs.topics import rank, words_found
from reading.models import Topic, split_keywords
from tests.conftest import LAST_THURSDAY
from tests.factories import EntryFactory, ItemFactory


def topic(pk, name, keywords=""):
    return Topic(pk=pk, name=name, slug=name.lower().replace(" ", "-"), keywords=keywords)


ML = topic(1, "ML systems", "ML, MLOps\ninference serving")
DL = topic(2, "Deep learning", "deep learning, transformer, attention")
MATHS = topic(3, "Maths and statistics", "Bayesian, linear algebra, Gödel")
CPP = topic(4, "Software engineering", "C++, .NET, refactoring")
TOPICS = [ML, DL, MATHS, CPP]


def item(title, topic_id):
    return SimpleNamespace(title=title, topic_id=topic_id)


def names(suggestions):
    return [s.topic.name for s in suggestions]


def test_keywords_are_split_by_lines_and_commas_without_blanks_or_repeats():
    assert split_keywords("ML, MLOps\n\n inference   serving ,ML\n") == ["ML", "MLOps", "inference serving"]
    assert split_keywords("") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I wrote some HTML today", []),  # "ML" is not a word of "HTML"
        ("Tuned the XML parser", []),
        ("An ML pipeline", ["ML"]),
        ("ml, in lower case", ["ML"]),
        ("(ML)", ["ML"]),
        ("MLOps at last", ["MLOps"]),
        ("inference\n  serving on GPUs", ["inference serving"]),  # a phrase across a line break
        ("inferences serving", []),
    ],
)
def test_a_keyword_matches_whole_words_in_any_case(text, found):
    assert words_found(text, split_keywords(ML.keywords)) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Gödel's theorem", ["Gödel"]),
        ("GÖDEL in capitals", ["Gödel"]),
        ("Gödelian ideas", []),  # ö and the letters after it are word characters: no partial match
        ("Wrote C++ templates", ["C++"]),
        ("Wrote C++14 code", []),
        ("moved to .NET, then", [".NET"]),
        ("ASP.NETCore", []),
    ],
)
def test_keywords_are_unicode_aware_and_may_hold_symbols(text, found):
    keywords = [*split_keywords(MATHS.keywords), *split_keywords(CPP.keywords)]
    assert words_found(text, keywords) == found


def test_items_rank_above_words_and_every_suggestion_says_why():
    text = "Read about attention and transformers; the Transformer is neat. Some Bayesian bits too."
    items = [item("Pattern Recognition", MATHS.pk), item("Probabilistic ML", MATHS.pk)]
    ranked = rank(text=text, items=items, topics=TOPICS)
    assert names(ranked) == ["Maths and statistics", "Deep learning"]
    maths, deep = ranked
    assert maths.score == 3 + 3 + 1
    assert maths.reasons == [
        "reading-list item “Pattern Recognition”",
        "reading-list item “Probabilistic ML”",
        "the word “Bayesian”",
    ]
    # "transformers" is not "transformer"; "Transformer" is, once however often it occurs.
    assert deep.score == 2
    assert deep.because == "the words “transformer”, “attention”"


def test_ties_are_ordered_by_name_and_nothing_matching_gives_nothing():
    ranked = rank(text="ML and deep learning", items=[], topics=TOPICS)
    assert names(ranked) == ["Deep learning", "ML systems"]
    assert rank(text="Went for a walk", items=[item("Unfiled", None)], topics=TOPICS) == []


# --- Saving: suggested or chosen ------------------------------------------------------


@pytest.fixture
def robotics(db):
    return Topic.objects.create(name="Robotics", slug="robotics", keywords="robot arm, kinematics")


@pytest.fixture
def history(db):
    return Topic.objects.create(name="History of technology", slug="history-of-technology", keywords="Babbage")


def sources(entry):
    return dict(EntryTopic.objects.filter(entry=entry).values_list("topic__name", "source"))


@pytest.mark.django_db
def test_not_asked_the_app_records_its_suggestions_as_suggested(member, team, frozen, robotics, history):
    paper = ItemFactory(team=team, title="Difference engines", topic=history)
    entry, _ = entry_save(
        user=member, data=EntryData(day=LAST_THURSDAY, body="Kinematics of a robot arm.", items=[paper])
    )
    assert sources(entry) == {"Robotics": "suggested", "History of technology": "suggested"}


@pytest.mark.django_db
def test_a_kept_suggestion_is_suggested_a_tick_of_ones_own_is_chosen_an_untick_stays_off(
    member, frozen, robotics, history
):
    maths = Topic.objects.get(slug="maths-and-statistics")
    asked = EntryData(
        day=LAST_THURSDAY,
        body="Kinematics and some Babbage.",
        topics=[robotics, maths],
        topics_offered=frozenset({robotics.pk, history.pk}),
    )
    entry, _ = entry_save(user=member, data=asked)
    assert sources(entry) == {"Robotics": "suggested", "Maths and statistics": "chosen"}

    # Editing keeps where each came from; one taken off goes.
    entry, _ = entry_save(user=member, entry=entry, data=EntryData(**{**asked.__dict__, "topics": [maths]}))
    assert sources(entry) == {"Maths and statistics": "chosen"}


@pytest.mark.django_db
def test_an_edit_without_asking_keeps_the_topics_and_adds_new_suggestions(member, frozen, robotics, history):
    entry = EntryFactory(author=member, day=LAST_THURSDAY, body="Nothing yet")
    EntryTopic.objects.create(entry=entry, topic=history, source="chosen")
    entry, _ = entry_save(user=member, entry=entry, data=EntryData(day=LAST_THURSDAY, body="A robot arm."))
    assert sources(entry) == {"History of technology": "chosen", "Robotics": "suggested"}


# --- The check-in form ----------------------------------------------------------------


def form_data(**overrides):
    return {
        "day": "2026-11-24",
        "body": "Calibrated a robot arm",
        "category": "reading_papers",
        "visibility": "teams",
        "topics_shown": "",
        **overrides,
    }


def _before_details(body: str) -> str:
    form = body[body.index('<form method="post" novalidate') :]
    return form[: form.index('<details class="more-details"')]


def _suggested_fieldset(body: str) -> str:
    start = body.index('<fieldset class="field field-topics-suggested"')
    return body[start : body.index("</fieldset>", start)]


def _behind_details(body: str) -> str:
    start = body.index('<details class="more-details"')
    return body[start : body.index("</details>", start)]


def tick(name, *, checked):
    state = r"[^>]*checked" if checked else r"(?![^>]*checked)[^>]*"
    return re.compile(rf'<input type="checkbox" name="topics" value="\d+"{state}>\s*{name}</label>')


@pytest.mark.django_db
def test_without_suggestions_topics_wait_behind_more_details(member_client, frozen, robotics):
    body = member_client.get("/logs/new/").content.decode()
    assert (
        '<fieldset class="field field-topics-suggested" data-topics-suggested aria-describedby="topics-note" hidden>'
        in body
    )
    assert 'name="topics"' not in _before_details(body)
    assert tick("Robotics", checked=False).search(_behind_details(body))
    assert "<legend>Topics</legend>" in body
    assert '<input type="hidden" name="topics_shown" id="id_topics_shown">' in body


@pytest.mark.django_db
def test_the_preview_shows_suggested_topics_ticked_up_front_with_why(member_client, frozen, robotics, history):
    body = member_client.post("/logs/new/", form_data(preview="1")).content.decode()
    suggested = _suggested_fieldset(body)
    assert "hidden" not in suggested[: suggested.index(">")]
    assert "<legend>Suggested topics</legend>" in suggested
    assert tick("Robotics", checked=True).search(suggested)
    assert "Suggested from your text and reading-list items (Robotics: the word “robot arm”)" in suggested
    assert "History of technology" not in suggested
    behind = _behind_details(body)
    assert "<legend>Other topics</legend>" in behind
    assert tick("History of technology", checked=False).search(behind)
    assert "Robotics</label>" not in behind
    assert '<details class="more-details">' in body  # nothing behind it says anything: closed
    assert f'name="topics_shown" value="{robotics.pk}"' in body
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_saving_without_seeing_suggestions_keeps_them_and_an_unticked_one_stays_off(
    member_client, member, frozen, robotics
):
    member_client.post("/logs/new/", form_data())
    entry = Entry.objects.get(author=member)
    assert sources(entry) == {"Robotics": "suggested"}

    # Seen on the edit page and unticked: gone, and not suggested again on the next save.
    body = member_client.get(f"/logs/{entry.pk}/edit/").content.decode()
    assert tick("Robotics", checked=True).search(_suggested_fieldset(body))
    assert f'name="topics_shown" value="{robotics.pk}"' in body
    member_client.post(f"/logs/{entry.pk}/edit/", form_data(topics_shown=str(robotics.pk)))
    assert sources(entry) == {}
    body = member_client.get(f"/logs/{entry.pk}/edit/").content.decode()
    assert tick("Robotics", checked=False).search(_suggested_fieldset(body))
    member_client.post(f"/logs/{entry.pk}/edit/", form_data(topics_shown=str(robotics.pk)))
    assert sources(entry) == {}


@pytest.mark.django_db
def test_a_topic_ticked_by_the_person_is_chosen_and_opens_more_details_on_edit(
    member_client, member, frozen, robotics, history
):
    member_client.post("/logs/new/", form_data(topics=[str(history.pk)]))
    entry = Entry.objects.get(author=member)
    assert sources(entry) == {"Robotics": "suggested", "History of technology": "chosen"}
    body = member_client.get(f"/logs/{entry.pk}/edit/").content.decode()
    assert '<details class="more-details" open>' in body
    assert tick("History of technology", checked=True).search(_behind_details(body))


@pytest.mark.django_db
def test_live_suggestions_for_the_text_and_the_ticked_items(member_client, team, outsider, robotics, history):
    paper = ItemFactory(team=team, title="Difference engines", topic=history)
    hidden = ItemFactory(team=outsider.memberships.get().team, title="Not on my lists", topic=history)
    answer = member_client.post("/logs/topics/", {"body": "A ROBOT ARM", "items": [paper.pk]}).json()
    assert answer == {
        "topics": [
            {"id": history.pk, "name": "History of technology", "because": "reading-list item “Difference engines”"},
            {"id": robotics.pk, "name": "Robotics", "because": "the word “robot arm”"},
        ]
    }
    # An item of a list the person cannot see says nothing, not even its title.
    assert member_client.post("/logs/topics/", {"body": "", "items": [hidden.pk]}).json() == {"topics": []}


# --- Topics on entries ----------------------------------------------------------------


def _tagged_entry(author, day, *topics):
    entry = EntryFactory(author=author, day=day, body="Notes")
    for one in topics:
        EntryTopic.objects.create(entry=entry, topic=one, source="suggested")
    return entry


@pytest.mark.django_db
def test_the_feed_shows_topics_as_tags_at_a_constant_query_count(
    member_client, member, frozen, robotics, history, django_assert_max_num_queries
):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _tagged_entry(member, LAST_THURSDAY, robotics, history)
    with CaptureQueriesContext(connection) as few:
        body = member_client.get("/logs/").content.decode()
    assert re.search(
        r'<ul class="entry-topics" aria-label="Topics">\s*'
        r'<li class="tag tag-topic">History of technology</li><li class="tag tag-topic">Robotics</li>',
        body,
    )
    for weeks in range(1, 15):
        _tagged_entry(member, LAST_THURSDAY - dt.timedelta(weeks=weeks), robotics, history)
    with django_assert_max_num_queries(len(few)):
        body = member_client.get("/logs/").content.decode()
    assert body.count('<li class="tag tag-topic">Robotics</li>') == 15
