"""The Slack app's answers to what the apps below it announce (their ``signals`` modules).

Each receiver queues a Celery task and returns: the change has committed, and Slack is
another service that may be slow or down. Nothing happens while the Slack app is off.
"""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver

from logs import signals as log_signals
from reimbursements import signals as claim_signals
from slackapp import channel


@receiver(log_signals.entry_saved)
def _entry_saved(sender, *, entry_id: int, author_id: int, created: bool, **kwargs) -> None:
    """A new entry is posted to its author's teams' channels; an edited one edited there."""
    if not settings.SLACK_ENABLED:
        return
    channel.entry_posts_sync.delay(entry_id, created)


@receiver(log_signals.entry_deleted)
def _entry_deleted(sender, *, entry_id: int, author_id: int, **kwargs) -> None:
    """A deleted entry's messages are removed from the channels."""
    if not settings.SLACK_ENABLED:
        return
    channel.entry_posts_sync.delay(entry_id)


@receiver(claim_signals.claim_stepped)
def _claim_stepped(sender, *, event_id: int, claim_id: int, to_state: str, **kwargs) -> None:
    if not settings.SLACK_ENABLED:
        return
    from slackapp import claims  # the claim messages' tasks (imported here: Bolt comes with them)

    claims.queue_for_step(event_id=event_id, to_state=to_state)
