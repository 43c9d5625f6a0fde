"""Migration 0004 repairs what the constraints of 0005 forbid, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate

BEFORE = [("reading", "0003_item_visibility_index")]
AFTER = None  # every app at its latest migration: later ones must not stay undone


@pytest.mark.django_db(transaction=True)
def test_duplicates_and_shared_positions_are_repaired_before_the_constraints(team, member):
    old = migrate(BEFORE)
    Item = old.get_model("reading", "Item")
    Progress = old.get_model("reading", "Progress")
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

    def item(title, minutes, **fields):
        made = Item.objects.create(title=title, status="curated", team_id=fields.pop("team_id", team.pk), **fields)
        Item.objects.filter(pk=made.pk).update(created_at=start + dt.timedelta(minutes=minutes))
        return made.pk

    oldest = item("Deep learning", 0, doi="10.1038/nature14539", position=10)
    newer = item("Deep learning (again)", 5, doi="10.1038/nature14539", position=20)
    everyone_first = item("On everyone's list", 1, team_id=None, arxiv_id="1905.05393", position=10)
    everyone_again = item("On everyone's list, again", 2, team_id=None, arxiv_id="1905.05393", position=10)
    tie_older = item("Tie, older", 3, position=30)
    tie_newer = item("Tie, newer", 4, position=30)
    Progress.objects.create(user_id=member.pk, item_id=newer, state="reading")

    new = migrate(AFTER)

    Item = new.get_model("reading", "Item")
    states = dict(Item.objects.values_list("pk", "status"))
    assert (states[oldest], states[newer]) == ("curated", "rejected")
    assert (states[everyone_first], states[everyone_again]) == ("curated", "rejected")
    assert Item.objects.get(pk=newer).rejection_reason == (
        f"On the list twice: “Deep learning” (#{oldest}) is the one kept."
    )
    assert new.get_model("reading", "Progress").objects.get(user_id=member.pk).item_id == oldest
    on_team = Item.objects.filter(team_id=team.pk, status="curated").order_by("position")
    assert list(on_team.values_list("pk", "position")) == [(oldest, 10), (tie_newer, 20), (tie_older, 30)]
