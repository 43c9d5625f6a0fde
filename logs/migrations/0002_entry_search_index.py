"""A GIN index for the feed's full-text search, on PostgreSQL only (SQLite has no GIN).

The index is built from the same SearchVector expression that logs.selectors.search
queries with, so PostgreSQL can use it.
"""

from django.db import migrations

INDEX_NAME = "entry_body_search"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("body", config="english"), name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("logs", "Entry"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("logs", "Entry"), _index())


class Migration(migrations.Migration):
    dependencies = [("logs", "0001_initial")]
    operations = [migrations.RunPython(add_index, remove_index)]
