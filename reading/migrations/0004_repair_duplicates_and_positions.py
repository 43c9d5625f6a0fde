"""Before the constraints of 0005: one item per identifier and one item per position on each list.

Of items on the same list (a team's, or everyone's) with the same DOI, arXiv id, ISBN or
link, the oldest stays; the others become rejected, with a reason that names the one kept,
and their readers' progress and endorsements move to it where that person has none there.
Nothing is deleted. Lists where curated items share a position are renumbered 10, 20, ...
in the order they are shown (position, newest first).
"""

from django.db import migrations
from django.db.models import Count

IDENTIFIERS = ("doi", "arxiv_id", "isbn", "url")


def repair(apps, schema_editor):
    Item = apps.get_model("reading", "Item")
    Progress = apps.get_model("reading", "Progress")
    Endorsement = apps.get_model("reading", "Endorsement")

    kept: dict[tuple, object] = {}
    items = Item.objects.exclude(status="rejected").order_by("created_at", "pk")
    for item in items.only("pk", "title", "team_id", *IDENTIFIERS).iterator():
        keys = [(item.team_id, name, value) for name in IDENTIFIERS if (value := getattr(item, name))]
        original = next((kept[key] for key in keys if key in kept), None)
        if original is None:
            for key in keys:
                kept.setdefault(key, item)
            continue
        Item.objects.filter(pk=item.pk).update(
            status="rejected",
            position=0,
            rejection_reason=f"On the list twice: “{original.title}” (#{original.pk}) is the one kept.",
        )
        for model in (Progress, Endorsement):
            already = model.objects.filter(item_id=original.pk).values("user_id")
            model.objects.filter(item_id=item.pk).exclude(user_id__in=already).update(item_id=original.pk)

    curated = Item.objects.filter(status="curated")
    crowded = {
        row["team_id"]
        for row in curated.values("team_id", "position").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    }
    for team_id in crowded:
        on_list = list(curated.filter(team_id=team_id).order_by("position", "-created_at", "pk").only("position"))
        for number, item in enumerate(on_list, start=1):
            item.position = number * 10
        Item.objects.bulk_update(on_list, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("reading", "0003_item_visibility_index")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
