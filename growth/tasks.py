"""Celery tasks of growth: the impact summaries.

``compute_impact`` runs nightly from Celery beat (``CELERY_BEAT_SCHEDULE["impact-summaries"]``
in learningday/settings.py, every 24 hours in UTC) and recomputes the whole last year in one
go. Why nightly and not after each saved entry: /impact/ is read for a leadership meeting or
a manager's quarterly look, not watched live; one run costs a few queries over a year of
entries however many entries came in, where a run per entry would be thousands a Thursday.
The page says when its figures were computed. The task takes no arguments and is safe to
run twice (the service replaces the year's rows in one transaction). In the embedded setup
(no Redis) tasks run in-process; ``python manage.py shell -c "from growth.tasks import
compute_impact; compute_impact()"`` fills the tables at once.
"""

from __future__ import annotations

from celery import shared_task

from growth.summaries import impact_recompute


@shared_task
def compute_impact() -> dict:
    result = impact_recompute()
    return {"as_of": result.as_of.isoformat(), "team_days": result.team_days, "pickups_added": result.pickups_added}
