"""What growth does when the learning log changes: each receiver only queues a task."""

from __future__ import annotations

from django.dispatch import receiver

from growth import tasks
from logs import signals as log_signals


@receiver(log_signals.entry_saved)
def _entry_saved(sender, *, entry_id: int, author_id: int, created: bool, **kwargs) -> None:
    """A saved entry changes its author's teams' week on /impact/: recompute just that."""
    tasks.compute_impact_week.delay(entry_id)
