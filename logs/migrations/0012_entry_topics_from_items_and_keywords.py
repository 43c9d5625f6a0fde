"""Existing entries get topics from their reading-list items and the topics' keywords, as suggested.

The matching is copied here (not imported from logs.topics) so that this migration keeps doing
what it did when it ran, whatever the app's suggestion code becomes.
"""

import re

from django.db import migrations

BATCH = 500


def _keywords(text):
    words = (" ".join(part.split()) for line in (text or "").splitlines() for part in line.split(","))
    return list(dict.fromkeys(word for word in words if word))


def _pattern(keywords):
    parts = sorted((r"\s+".join(re.escape(w) for w in k.split()) for k in keywords), key=len, reverse=True)
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def add_topics(apps, schema_editor):
    Entry = apps.get_model("logs", "Entry")
    EntryTopic = apps.get_model("logs", "EntryTopic")
    Topic = apps.get_model("reading", "Topic")
    Through = Entry.items.through
    patterns = [(pk, _pattern(_keywords(keywords))) for pk, keywords in Topic.objects.values_list("pk", "keywords")]
    patterns = [(pk, pattern) for pk, pattern in patterns if pattern is not None]
    last = 0
    while True:
        batch = list(Entry.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "body")[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        ids = [pk for pk, _body in batch]
        wanted = set(
            Through.objects.filter(entry_id__in=ids, item__topic__isnull=False).values_list("entry_id", "item__topic_id")
        )
        for pk, body in batch:
            wanted.update((pk, topic_id) for topic_id, pattern in patterns if pattern.search(body))
        have = set(EntryTopic.objects.filter(entry_id__in=ids).values_list("entry_id", "topic_id"))
        EntryTopic.objects.bulk_create(
            [EntryTopic(entry_id=e, topic_id=t, source="suggested") for e, t in sorted(wanted - have)]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0011_entry_topics"),
        ("reading", "0006_topic_keywords_and_home_teams"),
    ]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
