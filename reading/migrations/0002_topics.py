from django.db import migrations

TOPICS = [
    ("Deep learning reading", "deep-learning-reading"),
    ("Deep learning coding", "deep-learning-coding"),
    ("Maths and statistics", "maths-and-statistics"),
    ("Management", "management"),
    ("Historical context", "historical-context"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("reading", "Topic")
    for name, slug in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("reading", "0001_initial")]
    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
