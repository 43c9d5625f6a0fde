"""``/reading <arXiv id, DOI, ISBN or link>``: suggest an item for the reading list from Slack.

The command is answered at once ("Looking up …"); the lookup (arXiv, Crossref or Open
Library, which may take seconds) and the suggestion run in a Celery task, which replies to
the command's ``response_url``. The rules are the web's (``reading/views/item.py``): the
lookup fills in the details, an item already on the person's lists is shown instead, and
the suggestion goes to the person's first team by name (the list the web form starts on)
through ``reading.services.item_suggest``; someone without a team is told to join one.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError
from django.urls import reverse
from slack_bolt import Ack, App
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookClient

from learningday.models import User
from reading import identifiers, lookup, selectors, services
from reading.models import Item
from slackapp import blocks as b
from slackapp import client as slack_client

log = logging.getLogger(__name__)

COMMAND = "/reading"
HOW_TO = (
    "Write `/reading` and an arXiv id (`1905.05393`), a DOI (`10.1038/nature14539`), an ISBN "
    "(`978-0-465-09760-9`) or a link to one (`https://arxiv.org/abs/1905.05393`)."
)
NO_TEAM = "Join a team to suggest reading: suggestions go to a team's list."


def _reading(ack: Ack, command: dict[str, Any], context) -> None:
    raw = (command.get("text") or "").strip()
    if not raw:
        ack(text=HOW_TO, response_type="ephemeral")
        return
    try:
        identifiers.detect(raw)  # no network: a typo is answered at once
    except identifiers.IdentifierError as error:
        ack(text=f"{b.escape(str(error))}\n{HOW_TO}", response_type="ephemeral")
        return
    ack(text=f"Looking up {b.escape(raw[:200])} …", response_type="ephemeral")
    suggest_from_slack.delay(context["person"].pk, raw, command["response_url"])


@shared_task
def suggest_from_slack(user_id: int, raw: str, response_url: str) -> str:
    """Look ``raw`` up, suggest it for the person's team and reply; returns what happened.

    Safe to run twice: the second run finds the item on the list and says so."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "gone"
    outcome, reply = suggest(user=user, raw=raw)
    _reply(response_url, reply)
    return outcome


def suggest(*, user: User, raw: str) -> tuple[str, dict[str, Any]]:
    """What ``/reading raw`` does for ``user``: an outcome name and the reply's text and blocks."""
    team = selectors.teams_to_suggest_for(user).first()
    if team is None:
        return "no_team", _message(NO_TEAM)
    try:
        found = lookup.lookup(raw)
    except lookup.LookupFailed as error:
        by_hand = b.link(reverse("reading:new"), "Suggest it on Learning Day")
        return "lookup_failed", _message(f"{b.escape(str(error))}\n{by_hand}")
    existing = selectors.same_identifier(user, found)
    if existing is not None:
        return "exists", _item_message(existing, f"“{existing.title}” is on your lists already:")
    data = services.ItemData(
        kind=found.kind,
        title=found.title,
        authors=found.authors,
        year=found.year,
        url=found.url,
        arxiv_id=found.arxiv_id,
        doi=found.doi,
        isbn=found.isbn,
        team=team,
    )
    try:
        item = services.item_suggest(user=user, data=data)
    except services.DuplicateItem as duplicate:
        if selectors.items_visible_to(user).filter(pk=duplicate.item.pk).exists():
            return "exists", _item_message(duplicate.item, f"“{duplicate.item.title}” is on the list already:")
        return "exists", _message("Someone suggested this already; it waits for a manager to curate it.")
    except services.ReadingError as error:
        return "refused", _message(b.escape(str(error)))
    except ValidationError as error:
        by_hand = b.link(reverse("reading:new"), "Fill in the details on Learning Day")
        problems = " ".join(message for messages in error.message_dict.values() for message in messages)
        return "refused", _message(f"{b.escape(problems)}\n{by_hand}")
    if item.status == Item.Status.CURATED:
        return "curated", _item_message(item, f"Added to the {team.name} list:")
    return "suggested", _item_message(item, f"Thank you: suggested for the {team.name} list, for a manager to curate.")


def _message(mrkdwn: str) -> dict[str, Any]:
    return {"text": mrkdwn, "blocks": [b.section(mrkdwn)]}


def _item_message(item: Item, lead: str) -> dict[str, Any]:
    details = [part for part in (item.authors_display, str(item.year) if item.year else "") if part]
    line = f"*{b.link(item.get_absolute_url(), item.title)}*"
    if details:
        line += f"\n{b.escape(' · '.join(details))}"
    return {"text": b.escape(f"{lead} {item.title}"), "blocks": [b.section(b.escape(lead)), b.section(line)]}


def _reply(response_url: str, reply: dict[str, Any]) -> None:
    """Answer the command through its response_url (valid for half an hour), only to the person."""
    webhook = WebhookClient(
        response_url,
        timeout=slack_client.TIMEOUT_SECONDS,
        retry_handlers=slack_client.retry_handlers(),
    )
    try:
        response = webhook.send(
            text=reply["text"], blocks=reply["blocks"], response_type="ephemeral", replace_original=False
        )
    except (SlackClientError, OSError) as error:
        log.warning("Could not answer /reading: %s", type(error).__name__)
        return
    if response.status_code != 200:
        log.warning("Slack did not take the answer to /reading: HTTP %s", response.status_code)


def register(app: App) -> None:
    app.command(COMMAND)(_reading)
