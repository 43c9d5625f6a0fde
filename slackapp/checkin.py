"""The check-in: ``/learned``, the "Log as learning" message shortcut, the ``checkin_open``
and ``checkin_edit`` buttons, and the modal that saves an entry as the web form does.

A submission is validated by the web form itself (``logs.forms.EntryForm``: the modal's
values are mapped to its data), then saved by ``logs.services.entry_save``; so the rules
and the messages are the web's. Errors go back on the modal's fields and Slack keeps what
was typed. The day is fixed when the modal opens (``private_metadata``): a modal opened
before midnight saves the day it names. A confirmation goes to the person's direct
messages once per submission, through the outbox.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from html import unescape
from typing import Any

from celery import shared_task
from django.db import models, transaction
from django.db.models import Q
from slack_bolt import Ack, App

from learningday import calendar, outbox
from learningday.models import User
from logs import selectors as log_selectors
from logs import services as log_services
from logs.forms import MAX_LINKS, EntryForm, reading_choices
from logs.models import Entry
from reading.models import Item
from slackapp import blocks, dm
from slackapp import client as slack_client
from slackapp.models import SlackAccount

log = logging.getLogger(__name__)

CALLBACK = "checkin"
SHORTCUT = "log_as_learning"
OPEN = "checkin_open"
EDIT = "checkin_edit"
WEB = "checkin_web"  # the "Open on the web" link button: Slack tells the app of the click too

# Slack's limits: a text input holds 3,000 characters, an option's text 75 and its
# description 75, an external select offers 100 options, a field's error about 150.
TEXT_LIMIT = 3000
OPTION_TEXT = 75
MAX_OPTIONS = 100
ERROR_CHARS = 150
# Map Slack's state to the form's data; the block ids are the form's field names.
FIELDS = ("body", "category", "hours", "links", "items", "visibility", "whats_next")
ITEMS_REFUSED = "Pick only items of the reading lists you can see."


# --- The modal -------------------------------------------------------------------------


def modal(
    *,
    user: User,
    day: dt.date | None = None,
    text: str = "",
    links: list[str] | None = None,
    entry: Entry | None = None,
) -> dict[str, Any]:
    """The check-in modal for ``day`` (the person's today by default), or filled with ``entry``.

    ``text`` and ``links`` are a prefill (a command's text, a message's links); on an entry
    they are added to what it says already.
    """
    day = entry.day if entry is not None else (day or calendar.user_today(user))
    body = entry.body if entry is not None else ""
    if text:
        body = f"{body.rstrip()}\n\n{text}" if body.strip() else text
    all_links = list(dict.fromkeys([*(entry.links if entry is not None else []), *(links or [])]))
    values = {
        "body": body[:TEXT_LIMIT],
        "links": "\n".join(all_links)[:TEXT_LIMIT],
        "whats_next": (entry.whats_next if entry is not None else "")[:TEXT_LIMIT],
    }
    category = entry.category if entry is not None else Entry._meta.get_field("category").default
    visibility = entry.visibility if entry is not None else Entry._meta.get_field("visibility").default
    chosen = list(reading_choices(user).filter(entries=entry).select_related("team")) if entry is not None else []

    heading = f"What I learned on {calendar.day_name(day)}"
    top: list[dict[str, Any]] = []
    if entry is not None:
        top.append(blocks.context(f"You are editing your entry for {blocks.escape(calendar.day_name(day))}."))
    else:
        plan = log_selectors.last_plan(user, before=day)
        if plan is not None:
            top.append(blocks.context(f"Last time you planned: {blocks.escape(plan.whats_next[:500])}"))
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": blocks.plain("Learning Day", 24),
        "submit": blocks.plain("Save" if entry is not None else "Log it", 24),
        "close": blocks.plain("Cancel", 24),
        "private_metadata": json.dumps({"day": day.isoformat(), "entry": entry.pk if entry is not None else None}),
        "blocks": [
            *top,
            _input("body", heading, _text_input("body", values["body"], multiline=True)),
            _input(
                "category",
                "Category",
                {
                    "type": "static_select",
                    "action_id": "category",
                    "options": [_option(value, label) for value, label in Entry.Category.choices],
                    "initial_option": _option(category, _label(Entry.Category, category)),
                },
            ),
            _input(
                "hours",
                "Time spent (hours)",
                {
                    "type": "number_input",
                    "action_id": "hours",
                    "is_decimal_allowed": True,
                    **({"initial_value": str(entry.hours)} if entry is not None and entry.hours is not None else {}),
                },
                optional=True,
                hint="In steps of half an hour, such as 1.5 or 6.",
            ),
            _input(
                "links",
                "Links",
                _text_input("links", values["links"], multiline=True),
                optional=True,
                hint=f"Papers, repositories, notebooks: one per line, at most {MAX_LINKS}.",
            ),
            _input(
                "items",
                "From the reading list",
                {
                    "type": "multi_external_select",
                    "action_id": "items",
                    "min_query_length": 0,
                    "placeholder": blocks.plain("Type a few letters of the title"),
                    **({"initial_options": [_item_option(item) for item in chosen]} if chosen else {}),
                },
                optional=True,
            ),
            _input(
                "visibility",
                "Who sees it",
                {
                    "type": "radio_buttons",
                    "action_id": "visibility",
                    "options": [_option(value, label) for value, label in Entry.Visibility.choices],
                    "initial_option": _option(visibility, _label(Entry.Visibility, visibility)),
                },
            ),
            _input(
                "whats_next",
                "What's next",
                _text_input("whats_next", values["whats_next"], multiline=True),
                optional=True,
                hint="Shown to you as a prompt on the next Learning Day.",
            ),
        ],
    }


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": blocks.plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = blocks.plain(hint, 2000)
    return block


def _text_input(action_id: str, value: str, *, multiline: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": TEXT_LIMIT,
    }
    if value:
        element["initial_value"] = value
    return element


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _option(value: str, label: Any) -> dict[str, Any]:
    return {"text": blocks.plain(str(label), OPTION_TEXT), "value": str(value)}


def _item_option(item: Item) -> dict[str, Any]:
    option = _option(str(item.pk), item.title)
    option["description"] = blocks.plain(item.team.name if item.team_id else "Everyone's list", OPTION_TEXT)
    return option


def too_long_for_slack(entry: Entry) -> bool:
    """An entry Slack's inputs cannot hold whole: editing it there would cut it."""
    return any(len(text) > TEXT_LIMIT for text in (entry.body, "\n".join(entry.links), entry.whats_next))


def notice(text: str) -> dict[str, Any]:
    """A modal that only tells something (an entry that cannot be edited here)."""
    return {
        "type": "modal",
        "title": blocks.plain("Learning Day", 24),
        "close": blocks.plain("OK", 24),
        "blocks": [blocks.section(text)],
    }


# --- Opening it ------------------------------------------------------------------------


def _open(context, trigger_id: str, view: dict[str, Any]) -> bool:
    """Open a modal with the trigger Slack gave (valid for 3 seconds); False if Slack would not."""
    try:
        slack_client.call("views_open", context.client, trigger_id=trigger_id, view=view)
    except (slack_client.SlackRefused, slack_client.SlackTryAgain) as error:
        log.warning("Could not open the check-in: %s", error)
        return False
    return True


def _checkin_view(
    user: User, *, text: str = "", links: list[str] | None = None, day: dt.date | None = None
) -> dict[str, Any]:
    """The modal for ``day`` (today unless said); when that day has an entry, that entry (as
    the web's "new entry" does)."""
    day = day or calendar.user_today(user)
    logged = log_selectors.entries_visible_to(user).filter(author=user, day=day).first()
    if logged is not None:
        if too_long_for_slack(logged):
            return _too_long(logged)
        return modal(user=user, entry=logged, text=text, links=links)
    return modal(user=user, day=day, text=text, links=links)


def _asked_day(user: User, value: Any) -> dt.date | None:
    """The Learning Day a reminder's button asks about (its value), if it has come: a reminder
    answered after midnight still logs the day it asked about."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if day <= calendar.user_today(user) else None


def _too_long(entry: Entry) -> dict[str, Any]:
    return notice(
        f"Your entry for {blocks.escape(calendar.day_name(entry.day))} is too long to edit in Slack: "
        f"{blocks.link(entry.get_absolute_url(), 'edit it on the web')}."
    )


def _learned(ack: Ack, command: dict[str, Any], context, body: dict[str, Any]) -> None:
    text = (command.get("text") or "").strip()
    if _open(context, body["trigger_id"], _checkin_view(context["person"], text=text)):
        ack()
    else:
        ack(text="Slack did not open the check-in in time: please try /learned again.")


def _shortcut(ack: Ack, shortcut: dict[str, Any], context) -> None:
    ack()
    text, links = readable((shortcut.get("message") or {}).get("text") or "")
    _open(context, shortcut["trigger_id"], _checkin_view(context["person"], text=text, links=links))


def _open_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], context) -> None:
    ack()
    user: User = context["person"]
    _open(context, body["trigger_id"], _checkin_view(user, day=_asked_day(user, action.get("value"))))


def _edit_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], context) -> None:
    ack()
    user: User = context["person"]
    entry = _own_entry(user, action.get("value"))
    if entry is None:
        view = notice("You can only edit your own entries, and this one is not yours (or it is gone).")
    elif too_long_for_slack(entry):
        view = _too_long(entry)
    else:
        view = modal(user=user, entry=entry)
    _open(context, body["trigger_id"], view)


def _own_entry(user: User, value: Any) -> Entry | None:
    try:
        pk = int(str(value))
    except ValueError:
        return None
    return log_selectors.entries_visible_to(user).filter(pk=pk, author=user).first()


def _web_button(ack: Ack) -> None:
    ack()  # the link opens in the browser; Slack only wants to hear the app got the click


# Slack's message formatting: <https://x|label>, <https://x>, <@U1|name>, <#C1|name>, <!here>.
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def readable(text: str) -> tuple[str, list[str]]:
    """A Slack message as readable text, and its web links (in order, once each)."""
    links: list[str] = []
    parts: list[str] = []
    start = 0
    for match in _SLACK_LINK.finditer(text):
        parts.append(unescape(text[start : match.start()]))
        start = match.end()
        target, label = unescape(match.group(1)), unescape(match.group(2) or "")
        if target.startswith(("http://", "https://")):
            links.append(target)
            parts.append(label or target)
        elif target.startswith(("@", "#")):
            parts.append(f"{target[0]}{label.lstrip(target[0])}" if label else target)
        elif target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^...|fallback>
            parts.append(label or "@" + target[1:])
        else:  # mailto:, tel:
            parts.append(label or target.split(":", 1)[-1])
    parts.append(unescape(text[start:]))
    return "".join(parts).strip()[:TEXT_LIMIT], list(dict.fromkeys(links))


# --- The reading list's options ---------------------------------------------------------


def item_options(user: User, typed: str) -> list[dict[str, Any]]:
    """Items the person may point an entry at (the web form's choices), matching what they typed."""
    items = reading_choices(user).select_related("team")
    for word in typed.split()[:10]:
        items = items.filter(Q(title__icontains=word) | Q(authors__icontains=word))
    return [_item_option(item) for item in items.order_by("title", "pk")[:MAX_OPTIONS]]


def _suggest_items(ack: Ack, payload: dict[str, Any], context) -> None:
    ack(options=item_options(context["person"], str(payload.get("value") or "")))


def _in_checkin(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("callback_id") == CALLBACK


# --- Submitting it ----------------------------------------------------------------------


def form_data(values: dict[str, Any], *, day: dt.date, crowded_out: bool) -> dict[str, Any]:
    """The web form's data from the modal's state (block id == action id == field name)."""

    def element(name: str) -> dict[str, Any]:
        return (values.get(name) or {}).get(name) or {}

    def selected(name: str) -> str:
        return str((element(name).get("selected_option") or {}).get("value") or "")

    data: dict[str, Any] = {
        "day": day.isoformat(),
        "body": element("body").get("value") or "",
        "category": selected("category"),
        "hours": element("hours").get("value") or "",
        "links": element("links").get("value") or "",
        "items": [str(option.get("value")) for option in element("items").get("selected_options") or []],
        "visibility": selected("visibility"),
        "whats_next": element("whats_next").get("value") or "",
    }
    if crowded_out:  # not in the modal: an edit keeps what the entry says
        data["crowded_out"] = "on"
    return data


def field_errors(form: EntryForm) -> dict[str, str]:
    """The form's errors on the modal's blocks; any other (the day, the whole form) on the body."""
    errors: dict[str, list[str]] = {}
    for name, found in form.errors.as_data().items():
        block = name if name in FIELDS else "body"
        for error in found:
            refused = name == "items" and error.code == "invalid_choice"
            errors.setdefault(block, []).append(ITEMS_REFUSED if refused else " ".join(error.messages))
    return {block: _shorten(" ".join(dict.fromkeys(messages))) for block, messages in errors.items()}


def _shorten(message: str) -> str:
    return message if len(message) <= ERROR_CHARS else message[: ERROR_CHARS - 1] + "…"


def _metadata(view: dict[str, Any]) -> tuple[dt.date | None, int | None]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        day = dt.date.fromisoformat(meta["day"])
        entry = meta.get("entry")
        return day, (int(entry) if entry is not None else None)
    except (ValueError, TypeError, KeyError):
        return None, None


def _submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context) -> None:
    user: User = context["person"]
    day, entry_id = _metadata(view)
    if day is None:
        ack(response_action="errors", errors={"body": "This form is too old: close it and open a new one."})
        return
    entry: Entry | None = None
    if entry_id is not None:
        entry = log_selectors.entries_visible_to(user).filter(pk=entry_id).first()
        if entry is None:
            ack(
                response_action="errors",
                errors={"body": "That entry was deleted meanwhile: copy your text and log it again with /learned."},
            )
            return
        day = entry.day  # the entry's day now, should it have moved on the web
        same_day = entry
    else:
        same_day = log_selectors.entries_visible_to(user).filter(author=user, day=day).first()
    values = (view.get("state") or {}).get("values") or {}
    data = form_data(
        values, day=day, crowded_out=bool(same_day and same_day.author_id == user.pk and same_day.crowded_out)
    )
    form = EntryForm(data, today=calendar.user_today(user), user=user)
    if not form.is_valid():
        ack(response_action="errors", errors=field_errors(form))
        return
    try:
        saved, created = log_services.entry_save(user=user, data=form.entry_data(), entry=entry)
    except log_services.LogError as error:
        ack(response_action="errors", errors={"body": _shorten(str(error))})
        return
    ack()  # closes the modal
    submission = submission_key(body, view)
    transaction.on_commit(lambda: send_checkin_done.delay(saved.pk, user.pk, submission, created))


def submission_key(body: dict[str, Any], view: dict[str, Any]) -> str:
    """What names one submission, the same on Slack's retries of it: the modal (a modal is
    submitted successfully once; an edit opens a new one)."""
    return str(view.get("id") or view.get("hash") or body.get("trigger_id") or "")[:40]


# --- The confirmation -------------------------------------------------------------------


def checkin_done(entry_id: int, submission: str) -> outbox.Message:
    return outbox.Message(
        kind=outbox.Kind.CHECKIN_DONE, key=f"entry:{entry_id}:view:{submission}", channel=outbox.Channel.SLACK_DM
    )


def confirmation_blocks(entry: Entry, *, created: bool, streak: int) -> tuple[str, list[dict[str, Any]]]:
    day = calendar.day_name(entry.day)
    said = f"Logged {day}. Thank you for sharing what you learned." if created else f"Your entry for {day} is updated."
    if streak:
        kept = f"Your streak: {streak} Learning Day{'s' if streak != 1 else ''} in a row."
    else:
        kept = "Log on the next Learning Day to start a streak."
    text = f"{said} {kept}"
    return text, [
        blocks.section(f"*{blocks.escape(said)}*"),
        blocks.context(blocks.escape(kept)),
        blocks.actions(
            blocks.button("Edit", action_id=EDIT, value=str(entry.pk)),
            blocks.button("Open on the web", action_id=WEB, url=blocks.absolute(entry.get_absolute_url())),
        ),
    ]


@shared_task(bind=True, **outbox.RETRY)
def send_checkin_done(self, entry_id: int, user_id: int, submission: str, created: bool = True) -> bool:
    """Tell the person their check-in is saved, with their streak: once per submission."""
    account = SlackAccount.objects.select_related("user").filter(user_id=user_id, user__is_active=True).first()
    if account is None:
        return False
    user = account.user
    entry = log_selectors.entries_visible_to(user).filter(pk=entry_id, author=user).first()
    if entry is None:
        return False  # deleted since
    message = checkin_done(entry_id, submission)
    owner = self.request.id or f"inline-{message.key}"

    def confirm(_user_id: int) -> bool:
        today = calendar.user_today(user)
        text, content = confirmation_blocks(entry, created=created, streak=log_selectors.streak(user, today=today))
        dm.send(account, text=text, blocks=content)
        return True

    return outbox.send_each(message=message, owner=owner, send=confirm, user_ids=[user_id]) == 1


def register(app: App) -> None:
    app.command("/learned")(_learned)
    app.message_shortcut(SHORTCUT)(_shortcut)
    app.action(OPEN)(_open_button)
    app.action(EDIT)(_edit_button)
    app.action(WEB)(_web_button)
    app.block_suggestion("items", matchers=[_in_checkin])(_suggest_items)
    app.view_submission(CALLBACK)(_submit)
