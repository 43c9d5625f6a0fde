"""The Slack app's Celery tasks. Each takes ids, goes through the outbox or its own records,
and is safe to run twice. Each area keeps its tasks in its own module; they are imported
here so that Celery's autodiscovery finds them."""

from __future__ import annotations

from slackapp.channel import dispatch_channel_digests  # noqa: F401
from slackapp.checkin import send_checkin_done  # noqa: F401
from slackapp.claims import send_claim_to_decide  # noqa: F401
from slackapp.home import publish_home  # noqa: F401
from slackapp.reading import suggest_from_slack  # noqa: F401
from slackapp.reminders import dispatch_slack_reminders  # noqa: F401
from slackapp.services import tell_connected  # noqa: F401
