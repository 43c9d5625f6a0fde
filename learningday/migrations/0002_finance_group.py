from django.db import migrations


def create_finance_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="finance")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("learningday", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_finance_group, migrations.RunPython.noop)]
