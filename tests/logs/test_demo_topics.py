"""The demo organisation's fields: topics with keywords, teams' home topics, entries tagged."""

import pytest
from django.core.management import call_command

from learningday.models import Team
from logs.models import Entry, EntryTopic

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_tags_its_entries_and_gives_each_team_home_topics(settings):
    settings.DEBUG = True
    seed()
    homes = {team.slug: sorted(team.home_topics.values_list("name", flat=True)) for team in Team.objects.all()}
    assert homes["robotics"] == ["Deep learning coding", "Deep learning reading", "Robotics"]
    assert homes["applied"] == ["Deep learning coding", "ML systems", "Software engineering"]
    assert Entry.objects.filter(topic_links__isnull=True).count() < Entry.objects.count() / 5
    kalman = Entry.objects.filter(body__contains="Kalman filter").first()
    assert {"History of technology", "Maths and statistics"} <= set(kalman.topics.values_list("name", flat=True))
    assert set(EntryTopic.objects.values_list("source", flat=True)) == {"suggested"}

    tagged = sorted(EntryTopic.objects.values_list("entry_id", "topic_id"))
    seed()
    assert sorted(EntryTopic.objects.values_list("entry_id", "topic_id")) == tagged
