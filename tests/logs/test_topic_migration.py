"""Migration 0012 gives existing entries topics from their items and keywords, marked as suggested."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate

BEFORE = [("logs", "0011_entry_topics")]
AFTER = None  # every app at its latest migration


@pytest.mark.django_db(transaction=True)
def test_existing_entries_get_topics_from_items_and_keywords_as_suggested():
    old = migrate(BEFORE)
    try:
        User, Team = old.get_model("learningday", "User"), old.get_model("learningday", "Team")
        Topic, Item = old.get_model("reading", "Topic"), old.get_model("reading", "Item")
        Entry, EntryTopic = old.get_model("logs", "Entry"), old.get_model("logs", "EntryTopic")
        ann = User.objects.create(email="ann@example.com", timezone="Europe/Berlin")
        team = Team.objects.create(name="Robotics", slug="robotics")
        Topic.objects.create(name="ML systems", slug="ml-systems", keywords="ML\ninference serving")
        robots = Topic.objects.create(name="Robotics", slug="robotics", keywords="kinematics")
        book = Item.objects.create(title="Planning Algorithms", team=team, topic=robots, status="curated")

        def entry(day, body):
            return Entry.objects.create(author=ann, day=dt.date(2026, 11, day), body=body, body_html=body)

        from_item = entry(5, "Chapter two.")
        from_item.items.add(book)
        from_words = entry(12, "Set up ML inference  serving.")
        html_only = entry(19, "Fixed the HTML of our wiki.")
        chosen = entry(26, "Kinematics, by hand.")
        EntryTopic.objects.create(entry=chosen, topic=robots, source="chosen")
    finally:
        new = migrate(AFTER)

    EntryTopic = new.get_model("logs", "EntryTopic")

    def topics(entry):
        return dict(EntryTopic.objects.filter(entry_id=entry.pk).values_list("topic__slug", "source"))

    assert topics(from_item) == {"robotics": "suggested"}
    assert topics(from_words) == {"ml-systems": "suggested"}
    assert topics(html_only) == {}  # "ML" is not a word of "HTML"
    assert topics(chosen) == {"robotics": "chosen"}  # what was there stays as it was
