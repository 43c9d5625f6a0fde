"""What growth does when the learning log changes.

The week's impact figures are recomputed by a task. The author's topic weeks (the people
to learn with on /growth/) are redone at once, a query and a write of a few rows: an entry
narrowed to its author's teams must not leave them listed on its topics for people outside
those teams, not even until a worker gets to it.
"""

from __future__ import annotations

from django.dispatch import receiver

from growth import tasks
from growth.summaries import topic_weeks_refresh
from logs import signals as log_signals


@receiver(log_signals.entry_saved)
def _entry_saved(sender, *, entry_id: int, author_id: int, created: bool, **kwargs) -> None:
    """A saved entry changes its author's teams' week on /impact/ (recompute just that, in a
    task) and its author's topic weeks."""
    tasks.compute_impact_week.delay(entry_id)
    topic_weeks_refresh(user_id=author_id)


@receiver(log_signals.entry_deleted)
def _entry_deleted(sender, *, entry_id: int, author_id: int, **kwargs) -> None:
    topic_weeks_refresh(user_id=author_id)
