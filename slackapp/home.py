"""The home tab: a person's Learning Day at a glance, published when they open it.

Today's status, the streak, what their teammates logged on this Learning Day, what they are
reading and their budget left, read through the apps' selectors (so only what they may
see) in a constant number of queries, with a button to log the day and links to the web.
The view is published by a Celery task: Slack may be slow, the event is answered at once.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import strip_tags
from slack_bolt import Ack, App

from learningday import calendar, outbox
from learningday.models import Membership, User
from logs import selectors as log_selectors
from logs.models import Entry
from reading import selectors as reading_selectors
from reading.models import Progress
from reimbursements import money
from reimbursements import selectors as claim_selectors
from slackapp import blocks as b
from slackapp import client as slack_client

log = logging.getLogger(__name__)

# How much of each list the tab shows: a glance, the rest is on the web.
HOME_ENTRIES = 5
HOME_READING = 5
EXCERPT_CHARS = 200


# --- What the tab shows -----------------------------------------------------------


def home_view(user: User, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """The person's home tab (``views.publish``'s ``view``)."""
    today = calendar.user_today(user, at=at)
    history = log_selectors.record(user, today=today)
    blocks: list[dict[str, Any]] = [b.header("Learning Day")]
    blocks += _status(user, today, history)
    blocks.append({"type": "divider"})
    blocks += _team_entries(user, today)
    blocks.append({"type": "divider"})
    blocks += _reading(user)
    blocks.append({"type": "divider"})
    blocks += _budget(user, today)
    blocks.append(
        b.actions(
            b.button("Open Learning Day", action_id="home_link_dashboard", url=b.absolute(reverse("logs:dashboard"))),
            b.button("Team feed", action_id="home_link_feed", url=b.absolute(reverse("logs:feed"))),
            b.button("Reading list", action_id="home_link_reading", url=b.absolute(reverse("reading:list"))),
            b.button("My claims", action_id="home_link_claims", url=b.absolute(reverse("claims:mine"))),
            block_id="home_links",
        )
    )
    return {"type": "home", "blocks": blocks}


def _status(user: User, today: dt.date, history: log_selectors.Record) -> list[dict[str, Any]]:
    logged = today in history.logged
    if calendar.is_learning_day(today):
        if logged:
            text = f"*Today, {calendar.day_name(today)}, is your Learning Day.* You have logged it: well done."
        else:
            text = f"*Today, {calendar.day_name(today)}, is your Learning Day.* You have not logged it yet."
    else:
        upcoming = calendar.next_learning_day(today)
        text = f"Today is not a Learning Day. The next one is *{calendar.day_name(upcoming)}*."
        if logged:
            text += " You logged something today all the same."
    streak = log_selectors.streak(user, today=today, history=history)
    if streak:
        text += f"\nYour streak: *{streak}* Learning Day{'s' if streak != 1 else ''} in a row."
    else:
        text += "\nNo streak yet: log a Learning Day to start one."
    if logged:
        entry_id = Entry.objects.filter(author=user, day=today).values_list("pk", flat=True).first()
        button = b.button("Edit my entry", action_id="checkin_edit", value=str(entry_id))
    else:
        button = b.button("Log my day", action_id="checkin_open", style="primary")
    return [b.section(text), b.actions(button, block_id="home_checkin")]


def _team_entries(user: User, today: dt.date) -> list[dict[str, Any]]:
    day = calendar.previous_learning_day(today)
    when = "today" if day == today else calendar.day_name(day)
    title = f"*What your teams learned {when}*" if day == today else f"*What your teams learned on {when}*"
    team_ids = sorted(user.team_ids)
    if not team_ids:
        return [b.section(f"{title}\nJoin a team to see what your teammates learn here.")]
    in_my_teams = Exists(Membership.objects.filter(user_id=OuterRef("author_id"), team_id__in=team_ids))
    entries = list(
        log_selectors.entries_visible_to(user)
        .prefetch_related(None)  # nothing of the feed's extras is shown here: one query
        .filter(in_my_teams, day=day)
        .exclude(author=user)
        .order_by("-created_at", "-pk")[: HOME_ENTRIES + 1]
    )
    if not entries:
        return [b.section(f"{title}\nNobody in your teams has logged {when} yet.")]
    found = [b.section(title)]
    for entry in entries[:HOME_ENTRIES]:
        head = f"*{b.escape(entry.author.name)}* · _{b.escape(entry.get_category_display())}_"
        excerpt = excerpt_of(entry.body_html)
        text = f"{head} · {b.link(entry.get_absolute_url(), 'Read')}"
        if excerpt:
            text += f"\n>{b.escape(excerpt)}"
        found.append(b.section(text))
    if len(entries) > HOME_ENTRIES:
        found.append(b.context(b.link(reverse("logs:feed"), "More in the team feed")))
    return found


def excerpt_of(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    """An entry's first words as one line of plain text (from its sanitised HTML)."""
    text = re.sub(r"\s+", " ", html.unescape(strip_tags(body_html))).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut).rstrip(" .,;:–-") + "…"


def _reading(user: User) -> list[dict[str, Any]]:
    shelf = list(reading_selectors.shelf(user).filter(state=Progress.State.READING)[: HOME_READING + 1])
    if not shelf:
        return [
            b.section(
                "*What you are reading*\nNothing at the moment. "
                f"{b.link(reverse('reading:list'), 'Pick something from the reading list')}."
            )
        ]
    lines = ["*What you are reading*"]
    for progress in shelf[:HOME_READING]:
        item = progress.item
        by = f" — {b.escape(item.authors_display)}" if item.authors else ""
        lines.append(f"• {b.link(item.get_absolute_url(), item.title)}{by}")
    if len(shelf) > HOME_READING:
        lines.append(b.link(reverse("reading:mine"), "All of your shelf"))
    return [b.section("\n".join(lines))]


def _budget(user: User, today: dt.date) -> list[dict[str, Any]]:
    budget = claim_selectors.budget_for(user, today.year)

    def amount(value) -> str:
        return money.format_money(value, settings.HOME_CURRENCY)

    text = f"*Your {budget.year} learning budget*\n"
    if budget.left < 0:
        text += f"You are *{amount(-budget.left)}* over your budget of {amount(budget.total)}."
    else:
        text += f"*{amount(budget.left)}* left of {amount(budget.total)}."
    if budget.pending:
        text += f" {amount(budget.pending)} waits for a decision."
    return [b.section(text)]


# --- Publishing -------------------------------------------------------------------


@shared_task(bind=True, **outbox.RETRY)
def publish_home(self, user_id: int, slack_user_id: str) -> bool:
    """Publish the person's home tab; safe to run twice (a view replaces the last one)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    try:
        slack_client.call("views_publish", user_id=slack_user_id, view=home_view(user))
    except slack_client.SlackRefused as error:
        log.warning("Slack refused the home tab of user %s: %s", user_id, error)
        return False
    return True


def _home_opened(event: dict[str, Any], context) -> None:
    if event.get("tab", "home") != "home":
        return  # the messages tab
    person = context.get("person")
    if person is None:
        return
    publish_home.delay(person.pk, event.get("user") or context.user_id)


def _link_clicked(ack: Ack) -> None:
    ack()  # a link button: Slack opens the page, and tells the app too


def register(app: App) -> None:
    app.event("app_home_opened")(_home_opened)
    app.action(re.compile(r"^home_link_"))(_link_clicked)
