"""Claims in Slack: "Claim to decide" for the deciders, deciding from the message, and the
claimant told of the decision.

When a claim is submitted (``reimbursements.signals.claim_stepped``), each person who gets
the "Claim to decide" email (``reimbursements.tasks.recipients``: the claimant's managers,
or finance where there is none) and has a Slack account gets a direct message with the
claim, its flags and buttons. A click goes through the same services as the web's buttons,
with their checks (nobody decides their own claim, only a decider may, a flagged duplicate
needs the page); a refusal is shown to the person only and changes nothing. After any step
out of "submitted", from Slack or from the web, every decider's message is rewritten to say
who decided what, without the buttons, and the claimant hears of the decision. Each message
goes out once, through the outbox.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.urls import reverse
from slack_bolt import Ack, App
from slack_sdk import WebClient

from learningday import calendar, outbox, parsing
from learningday.models import User
from reimbursements import money
from reimbursements import selectors as claim_selectors
from reimbursements import services as claim_services
from reimbursements.models import Claim, ClaimEvent
from reimbursements.tasks import recipients
from slackapp import blocks as b
from slackapp import client as slack_client
from slackapp import dm
from slackapp.models import ClaimMessage, SlackAccount

log = logging.getLogger(__name__)

S = Claim.State
APPROVE = "claim_approve"
CHANGES = "claim_changes"
CHANGES_CALLBACK = "claim_changes"
OPEN = "claim_open"
NOTE = "note"

# The steps after which the deciders' messages say what happened (buttons gone).
SETTLED = {S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED, S.WITHDRAWN}
# The steps the claimant hears of.
TOLD = {S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED, S.PAID}


def notice(event_id: int) -> outbox.Message:
    return outbox.Message(kind=outbox.Kind.CLAIM_NOTICE, key=f"event:{event_id}", channel=outbox.Channel.SLACK_DM)


def queue_for_step(*, event_id: int, to_state: str) -> None:
    """What a claim's step sets off in Slack (called by the receiver, after the commit)."""
    if to_state == S.SUBMITTED:
        send_claim_to_decide.delay(event_id)
        return
    if to_state in SETTLED:
        update_claim_messages.delay(event_id)
    if to_state in TOLD:
        tell_claimant.delay(event_id)


# --- What the messages say --------------------------------------------------------------


def _money(amount, currency: str = "") -> str:
    return money.format_money(amount, currency or settings.HOME_CURRENCY)


def summary(claim: Claim) -> str:
    """The claim in three lines: who, what for, how much, bought when."""
    amount = _money(claim.amount, claim.currency)
    if claim.currency != settings.HOME_CURRENCY and claim.home_amount:
        amount += f" ({_money(claim.home_amount)} charged)"
    return (
        f"*{b.escape(claim.claimant.name)}*'s claim for {b.escape(claim.get_kind_display().lower())}: "
        f"{b.link(claim.get_absolute_url(), claim.description)}\n"
        f"*Amount:* {amount}\n"
        f"*Bought on:* {calendar.day_name(claim.purchase_date, year=True)}"
    )


def flag_lines(claim: Claim, flags: claim_selectors.Flags, budget: claim_selectors.Budget) -> list[str]:
    """The reviewer's flags, worded as the claim pages word them (reimbursements/_flags.html)."""
    lines = []
    if flags.over_budget:
        lines.append(f"Over budget: {_money(claim.home_value)} with {_money(budget.left)} left this year.")
    if flags.over_cap:
        lines.append(f"Over the cap for {claim.get_kind_display().lower()} claims ({_money(flags.over_cap)}).")
    if flags.duplicate_receipt:
        lines.append("The same receipt file is on another claim.")
    if flags.duplicate_claim:
        lines.append("Another claim has the same date, amount and currency.")
    if flags.old_purchase:
        lines.append(f"Bought more than {settings.CLAIM_MAX_AGE_DAYS} days before it was submitted.")
    if flags.claimed_before:
        lines.append("The same person claimed this book in the past year (same ISBN, reading list item or title).")
    if flags.rate_differs and flags.reference is not None:
        lines.append(
            f"The amount charged, {_money(claim.home_amount)}, is more than 5% away from "
            f"{_money(flags.reference.amount)} at the ECB's reference rate of "
            f"{calendar.day_name(flags.reference.rate_date, year=True)}."
        )
    if flags.bought_in_team:
        lines.append("Already bought in the team — borrow it?")
    return lines


def to_decide(claim: Claim) -> dict[str, Any]:
    """The "Claim to decide" message: the claim, its flags and the buttons."""
    budget = claim_selectors.budget_for(claim.claimant, claim.purchase_date.year)
    flags = claim_selectors.flags_for(claim, budget=budget)
    blocks = [b.header("Claim to decide"), b.section(summary(claim))]
    lines = flag_lines(claim, flags, budget)
    if lines:
        blocks.append(b.section("*Things to check*\n" + "\n".join(f":warning: {b.escape(line)}" for line in lines)))
    blocks.append(
        b.context(f"{b.escape(claim.claimant.name)}'s {budget.year} budget: {_money(budget.left)} left after this.")
    )
    value = str(claim.pk)
    blocks.append(
        b.actions(
            b.button("Approve", action_id=APPROVE, value=value, style="primary"),
            b.button("Ask for changes", action_id=CHANGES, value=value),
            b.button("Open", action_id=OPEN, url=b.absolute(claim.get_absolute_url())),
            block_id=f"claim_{claim.pk}",
        )
    )
    text = f"Claim to decide: {claim.claimant.name}, {claim.description} ({_money(claim.amount, claim.currency)})"
    return {"text": b.escape(text), "blocks": blocks}


def outcome(event: ClaimEvent) -> str:
    """Who did what, in one line (mrkdwn)."""
    who = b.escape(event.actor.name) if event.actor else "Someone"
    note = f": {b.escape(event.note)}" if event.note else "."
    if event.to_state == S.APPROVED:
        return f":white_check_mark: *Approved* by {who}, {_money(event.amount)}{note}"
    if event.to_state == S.REJECTED:
        return f":x: *Rejected* by {who}{note}"
    if event.to_state == S.CHANGES_REQUESTED:
        return f":leftwards_arrow_with_hook: *Changes asked for* by {who}{note}"
    if event.to_state == S.WITHDRAWN:
        return "*Withdrawn* by the claimant."
    return f"*{b.escape(event.to_label)}* ({who})."


def decided(claim: Claim, event: ClaimEvent) -> dict[str, Any]:
    """A decider's message once the claim is settled: what happened, no buttons."""
    blocks = [b.header("Claim decided"), b.section(summary(claim)), b.section(outcome(event))]
    text = f"{claim.claimant.name}'s claim {claim.description}: {event.to_label.lower()}"
    return {"text": b.escape(text), "blocks": blocks}


def for_claimant(claim: Claim, event: ClaimEvent) -> dict[str, Any]:
    """The claimant's direct message about a decision on their claim."""
    title = b.link(claim.get_absolute_url(), claim.description)
    who = b.escape(event.actor.name) if event.actor else "Someone"
    note = f"\n>{b.escape(event.note)}" if event.note else ""
    if event.to_state == S.APPROVED:
        head = f"Your claim {title} was *approved* by {who}: {_money(event.amount)}. Finance pays it next."
    elif event.to_state == S.REJECTED:
        head = f"Your claim {title} was *rejected* by {who}."
    elif event.to_state == S.CHANGES_REQUESTED:
        head = f"{who} *asked for changes* to your claim {title}:"
    else:
        head = f"Your claim {title} was *paid*: {_money(claim.approved_amount)}."
    button = (
        b.button("Edit the claim", action_id=OPEN, url=b.absolute(reverse("claims:edit", args=[claim.pk])))
        if event.to_state == S.CHANGES_REQUESTED
        else b.button("Open", action_id=OPEN, url=b.absolute(claim.get_absolute_url()))
    )
    text = f"Your claim {claim.description}: {event.to_label.lower()}"
    return {"text": b.escape(text), "blocks": [b.section(head + note), b.actions(button)]}


# --- Tasks --------------------------------------------------------------------------------


def _is_latest(event: ClaimEvent) -> bool:
    """Whether ``event`` is still its claim's last step."""
    return event.claim.events.order_by("-at", "-pk").values_list("pk", flat=True).first() == event.pk


def _event(event_id: int) -> ClaimEvent | None:
    return ClaimEvent.objects.select_related("claim", "claim__claimant", "actor").filter(pk=event_id).first()


def _send_once(
    task: Task,
    event_id: int,
    accounts: list[SlackAccount],
    content: dict[str, Any],
    *,
    remember_for: Claim | None = None,
) -> int:
    """Send ``content`` to each account's person once (outbox); returns how many were sent."""
    owner = task.request.id or f"inline-slack-claim-{event_id}"
    by_user = {account.user_id: account for account in accounts}
    client = slack_client.web_client()

    def send(user_id: int) -> bool:
        posted = dm.send(by_user[user_id], text=content["text"], blocks=content["blocks"], client=client)
        if remember_for is not None:
            _remember(remember_for, by_user[user_id], posted)
        return True

    return outbox.send_each(message=notice(event_id), owner=owner, send=send, user_ids=list(by_user))


def _remember(claim: Claim, account: SlackAccount, posted) -> None:
    """The message a decider got, to rewrite it once someone decides (a resubmission's replaces it)."""
    channel = str(posted.get("channel") or account.dm_channel_id)
    ClaimMessage.objects.update_or_create(
        claim=claim, user_id=account.user_id, defaults={"channel_id": channel, "ts": str(posted.get("ts") or "")}
    )


@shared_task(bind=True, **outbox.RETRY)
def send_claim_to_decide(self, event_id: int) -> int:
    """DM "Claim to decide" to each decider with a Slack account, once."""
    event = _event(event_id)
    if event is None or event.to_state != S.SUBMITTED:
        return 0
    claim = event.claim
    if claim.state != S.SUBMITTED or not _is_latest(event):
        return 0  # decided (or withdrawn) before this could go out: nothing to decide
    people = [person.pk for person in recipients(claim, S.SUBMITTED)]
    accounts = list(SlackAccount.objects.filter(user_id__in=people, user__is_active=True))
    if not accounts:
        return 0
    return _send_once(self, event_id, accounts, to_decide(claim), remember_for=claim)


@shared_task(bind=True, **outbox.RETRY)
def update_claim_messages(self, event_id: int) -> int:
    """Rewrite every decider's message of the claim to say what happened; safe to run twice."""
    event = _event(event_id)
    if event is None or not _is_latest(event):
        # A later step has its own task (a resubmission's new message must keep its buttons).
        return 0
    content = decided(event.claim, event)
    client = slack_client.web_client()
    updated, later = 0, None
    for message in ClaimMessage.objects.filter(claim_id=event.claim_id).exclude(ts="").order_by("pk"):
        try:
            slack_client.call(
                "chat_update", client, channel=message.channel_id, ts=message.ts, text=content["text"],
                blocks=content["blocks"],
            )  # fmt: skip
        except slack_client.SlackRefused as error:
            log.warning("Could not update the claim message to user %s: %s", message.user_id, error)
            continue
        except slack_client.SlackTryAgain as error:
            later = error
            continue
        updated += 1
    if later is not None:
        raise later
    return updated


@shared_task(bind=True, **outbox.RETRY)
def tell_claimant(self, event_id: int) -> int:
    """DM the claimant the decision on their claim, once."""
    event = _event(event_id)
    if event is None or event.to_state not in TOLD or event.actor_id == event.claim.claimant_id:
        return 0
    accounts = list(SlackAccount.objects.filter(user_id=event.claim.claimant_id, user__is_active=True))
    if not accounts:
        return 0
    return _send_once(self, event_id, accounts, for_claimant(event.claim, event))


# --- Deciding from Slack -------------------------------------------------------------------


def _claim_for(person: User, value: str | None) -> Claim | None:
    """The claim a button or modal names, if this person may see it."""
    pk = parsing.parse_id(value)
    if pk is None:
        return None
    return claim_selectors.claim_visible_to(person).select_related("claimant").filter(pk=pk).first()


NOT_YOURS = "This claim is not one you can decide."


def _refuse(respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def _on_the_page(claim: Claim, message: str) -> str:
    return f"{b.escape(message)} {b.link(claim.get_absolute_url(), 'Open the claim')}"


def _approve(ack: Ack, body: dict[str, Any], context, respond) -> None:
    ack()
    person = context["person"]
    claim = _claim_for(person, body["actions"][0].get("value"))
    if claim is None:
        _refuse(respond, NOT_YOURS)
        return
    try:
        claim_services.claim_approve(user=person, claim=claim)
    except claim_services.ClaimError as error:
        _refuse(respond, _on_the_page(claim, str(error)))
    # Approved: the messages are rewritten once it has committed (update_claim_messages).


def _ask_for_changes(ack: Ack, body: dict[str, Any], context, respond, client: WebClient) -> None:
    ack()
    person = context["person"]
    claim = _claim_for(person, body["actions"][0].get("value"))
    if claim is None or not claim_selectors.can_decide(person, claim):
        _refuse(respond, NOT_YOURS if claim is None else _on_the_page(claim, "You may not do this with this claim."))
        return
    if claim.state != S.SUBMITTED:
        _refuse(respond, _on_the_page(claim, f"This claim is {claim.get_state_display().lower()} already."))
        return
    slack_client.call("views_open", client, trigger_id=body["trigger_id"], view=changes_modal(claim))


def changes_modal(claim: Claim) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CHANGES_CALLBACK,
        "private_metadata": str(claim.pk),
        "title": b.plain("Ask for changes", 24),
        "submit": b.plain("Send it back", 24),
        "close": b.plain("Cancel", 24),
        "blocks": [
            b.section(summary(claim)),
            {
                "type": "input",
                "block_id": NOTE,
                "label": b.plain("What should change?"),
                "hint": b.plain(f"{claim.claimant.name} sees this."),
                "element": {"type": "plain_text_input", "action_id": NOTE, "multiline": True, "max_length": 2000},
            },
        ],
    }


def _changes_submitted(ack: Ack, body: dict[str, Any], context, view: dict[str, Any]) -> None:
    person = context["person"]
    claim = _claim_for(person, view.get("private_metadata"))
    if claim is None:
        ack(response_action="errors", errors={NOTE: NOT_YOURS})
        return
    note = ((view.get("state") or {}).get("values") or {}).get(NOTE, {}).get(NOTE, {}).get("value") or ""
    try:
        claim_services.claim_request_changes(user=person, claim=claim, note=note)
    except claim_services.ClaimError as error:
        ack(response_action="errors", errors={NOTE: str(error)[:150]})
        return
    ack()


def _link_clicked(ack: Ack) -> None:
    ack()  # the Open button: Slack opens the page, and tells the app too


def register(app: App) -> None:
    app.action(APPROVE)(_approve)
    app.action(CHANGES)(_ask_for_changes)
    app.action(OPEN)(_link_clicked)
    app.view(CHANGES_CALLBACK)(_changes_submitted)
