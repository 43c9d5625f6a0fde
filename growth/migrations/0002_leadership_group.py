from django.db import migrations


def create_leadership_group(apps, schema_editor):
    # learningday.models.LEADERSHIP_GROUP: the people who see the whole organisation's /impact/.
    apps.get_model("auth", "Group").objects.get_or_create(name="leadership")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("growth", "0001_impact_summaries"),
    ]

    operations = [migrations.RunPython(create_leadership_group, migrations.RunPython.noop)]
