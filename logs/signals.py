"""What the learning log tells the apps above it, after the change has committed.

The Slack app listens (it sits above logs; logs cannot call it). Sent by ``logs.services``
only, from ``transaction.on_commit``, so a receiver never sees a change that was rolled back.
"""

from django.dispatch import Signal

# An entry was created or edited (``created`` says which): entry_id, author_id, created.
entry_saved = Signal()
# An entry was deleted: entry_id, author_id.
entry_deleted = Signal()
