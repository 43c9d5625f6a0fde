"""Celery tasks of growth: the impact summaries.

Two ways the figures of /impact/ are kept:

- ``compute_impact`` runs nightly from Celery beat (``CELERY_BEAT_SCHEDULE["impact-summaries"]``
  in learningday/settings.py, every 24 hours in UTC) and recomputes the whole last year in one
  go: every team's Learning Days and this quarter's fields picked up. One run costs a few
  queries over a year of entries however many came in (about 4.5 s at 5,000 people). It
  also rebuilds the last weeks' topic weeks, who wrote on what lately, for /growth/.
- ``compute_impact_week`` runs after an entry is saved (``growth/receivers.py`` hears
  ``logs.signals.entry_saved``, which logs sends from ``transaction.on_commit``): only the
  author's teams and the entry's week, a handful of small queries, so a manager who looks
  on a Thursday afternoon sees that day's posts. A deleted entry, or an entry moved to another
  week, is caught up by the next nightly run, as are the fields picked up.

The page says when the figures were last computed in full. Both tasks take ids and are safe
to run twice (the service replaces rows in one transaction). In the embedded setup (no Redis)
tasks run in-process; ``python manage.py shell -c "from growth.tasks import compute_impact;
compute_impact()"`` fills the tables at once.
"""

from __future__ import annotations

from celery import shared_task

from growth.summaries import impact_recompute, impact_recompute_week, topic_weeks_rebuild
from logs.models import Entry


@shared_task
def compute_impact() -> dict:
    result = impact_recompute()
    return {
        "as_of": result.as_of.isoformat(),
        "team_days": result.team_days,
        "pickups_added": result.pickups_added,
        "topic_weeks": topic_weeks_rebuild(),
    }


@shared_task
def compute_impact_week(entry_id: int) -> int:
    """The week of one saved entry, for its author's teams; nothing if the entry is gone."""
    found = Entry.objects.filter(pk=entry_id).values_list("author_id", "day").first()
    if found is None:
        return 0
    author_id, day = found
    return impact_recompute_week(user_id=author_id, day=day)
