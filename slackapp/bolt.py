"""The Bolt app: Slack's own request signing, acknowledgement and dispatch.

Built once per configuration (``bolt_app``). Every request goes through three global
middlewares before its listener:

1. Bolt's own signature and timestamp check (a forged or stale request gets 401).
2. ``_once``: a delivery Slack retries (``X-Slack-Retry-Num``) after the first was handled
   is acknowledged and dropped, so that nothing is done twice.
3. ``_person``: the Slack user is matched to an account (``people.person_for``); someone
   without one, or whose account is deactivated, gets a link to connect and nothing else.

``process_before_response``: each listener runs inside the request and answers Slack
within its 3 seconds; what may take longer (another service, many messages) is queued
for Celery. The app's Web API client (``context.client``) waits for nothing inside a
request: 2 seconds at most per call and no wait for a rate limit, so that one slow or
rate-limited call fails the click rather than outlasting Slack's patience. (In the
embedded setup, without a broker, queued tasks run in the request itself.)
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from slackapp import checkin, claims, client, home, people, pulse, reading

log = logging.getLogger(__name__)

# How long a handled delivery is remembered: Slack retries within minutes.
DELIVERY_MEMORY_SECONDS = 3600
_apps: dict[tuple[str, str, str], App] = {}


def bolt_app() -> App:
    key = (settings.SLACK_BOT_TOKEN, settings.SLACK_SIGNING_SECRET, settings.SLACK_API_URL)
    app = _apps.get(key)
    if app is None:
        app = _apps[key] = _build()
    return app


def _build() -> App:
    app = App(
        token=settings.SLACK_BOT_TOKEN,
        signing_secret=settings.SLACK_SIGNING_SECRET,
        client=client.web_client(in_request=True),
        token_verification_enabled=False,
        process_before_response=True,
        logger=log,
    )
    app.use(_once)
    app.use(_person)
    for module in (checkin, reading, home, claims, pulse):
        module.register(app)
    app.error(_forget_delivery)
    return app


def delivery_key(body: dict[str, Any]) -> str | None:
    """What names one delivery, the same on Slack's retries of it."""
    if body.get("event_id"):
        return f"slack:delivery:event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"slack:delivery:trigger:{body['trigger_id']}"
    return None


def _once(body: dict[str, Any], request: BoltRequest, context, next) -> BoltResponse | None:
    key = delivery_key(body)
    if key is not None:
        context["delivery_key"] = key
        retried = request.headers.get("x-slack-retry-num")
        # cache.add is atomic: of two deliveries at once, one handles it.
        if not cache.add(key, 1, DELIVERY_MEMORY_SECONDS) and retried:
            log.info("Slack retried a delivery already handled (%s): dropped", key)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
    next()
    return None


def _forget_delivery(error: Exception, request: BoltRequest) -> None:
    """A delivery that failed may be handled again when Slack retries it (Bolt answers 500)."""
    key = request.context.get("delivery_key")
    if key:
        cache.delete(key)
    log.error("A Slack request failed: %s", type(error).__name__, exc_info=error)


def _person(body: dict[str, Any], context, next, respond) -> BoltResponse | None:
    user_id = context.user_id
    if not user_id:
        next()  # a request about no one (an event about a channel): its listener decides
        return None
    found = people.person_for(slack_user_id=user_id, slack_team_id=context.team_id or "", client=context.client)
    if found.user is not None:
        context["person"] = found.user
        next()
        return None
    return people.refuse(body=body, context=context, respond=respond, found=found)
