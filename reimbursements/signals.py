"""What a claim's steps tell the apps above reimbursements, after the step has committed.

The Slack app listens (it sits above; reimbursements cannot call it). Sent by
``reimbursements.services`` only, from ``transaction.on_commit``.
"""

from django.dispatch import Signal

# A claim changed state: event_id (a ClaimEvent), claim_id, to_state.
claim_stepped = Signal()
