"""State changes of the Slack app: connecting people, and each team's channel."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from learningday import mail, outbox
from learningday.models import Team, User
from slackapp.models import SlackAccount, TeamChannel

log = logging.getLogger(__name__)


class SlackAppError(Exception):
    """A Slack-app action that cannot be done; the message is fit to show the person."""


def account_connect(*, user: User, slack_user_id: str, slack_team_id: str) -> SlackAccount:
    """Tie a Slack user to ``user``'s account; whichever account had that Slack user lets it go.

    Never over another Slack user of the same account: a connect link forwarded by someone
    else must not quietly take over an account that already has its Slack user. The account's
    email address hears of every connection (``tell_connected``), so that one made by mistake
    is seen and undone.
    """
    if not user.is_active:
        raise SlackAppError("A deactivated account cannot be connected to Slack.")
    current = SlackAccount.objects.filter(user=user).first()
    if current is not None and (current.slack_user_id, current.slack_team_id) != (slack_user_id, slack_team_id):
        raise SlackAppError(
            "Your account is already connected to another Slack user. "
            "Disconnect it below first if you really mean to change it."
        )
    with transaction.atomic():
        previous = SlackAccount.objects.filter(slack_user_id=slack_user_id, slack_team_id=slack_team_id).exclude(
            user=user
        )
        _reminders_by_email(User.objects.filter(slack_account__in=previous))
        previous.delete()
        account, created = SlackAccount.objects.get_or_create(
            user=user, defaults={"slack_user_id": slack_user_id, "slack_team_id": slack_team_id}
        )
        if created:
            account_id = account.pk
            transaction.on_commit(lambda: tell_connected.delay(account_id))
    return account


@shared_task(bind=True, **outbox.RETRY)
def tell_connected(self, account_id: int) -> bool:
    """Email the account's owner that a Slack user now acts as them, once."""
    account = SlackAccount.objects.select_related("user").filter(pk=account_id).first()
    if account is None:
        return False  # disconnected meanwhile
    owner = self.request.id or f"inline-slack-connected-{account_id}"
    about = outbox.Message(kind=outbox.Kind.SLACK_CONNECTED, key=f"account:{account_id}")

    def tell(_user_id: int) -> bool:
        body = render_to_string(
            "slackapp/email/connected.txt",
            {"account": account, "profile_url": settings.SITE_URL + reverse("profile")},
        )
        subject = mail.subject("Your account is connected to Slack")
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [account.user.email]).send()
        return True

    return outbox.send_each(message=about, owner=owner, send=tell, user_ids=[account.user_id]) == 1


def account_disconnect(*, user: User) -> bool:
    """Forget ``user``'s Slack user; returns whether there was one. Their reminders come by
    email again: a direct message could no longer reach them."""
    with transaction.atomic():
        deleted, _ = SlackAccount.objects.filter(user=user).delete()
        _reminders_by_email(User.objects.filter(pk=user.pk))
    if user.reminders_via != User.ReminderVia.EMAIL:
        user.reminders_via = User.ReminderVia.EMAIL  # the caller's copy (often request.user) too
    return bool(deleted)


def _reminders_by_email(people) -> None:
    people.exclude(reminders_via=User.ReminderVia.EMAIL).update(reminders_via=User.ReminderVia.EMAIL)


def may_set_channel(user: User, team: Team) -> bool:
    return user.is_active and (user.is_staff or team.pk in user.managed_team_ids)


def team_channel_set(*, user: User, team: Team, channel_id: str, channel_name: str = "") -> TeamChannel | None:
    """Pick the Slack channel the team's entries and digest go to; an empty id stops them.

    The app's channel replaces the team's incoming webhook: the webhook's address is cleared,
    or each new entry and digest would reach Slack twice (logs posts through the webhook and
    cannot know of the app). Check ``team.slack_webhook_url`` before to tell the person.
    """
    if not may_set_channel(user, team):
        raise SlackAppError("Only an administrator or the team's manager can pick its Slack channel.")
    channel_id = channel_id.strip()
    if not channel_id:
        TeamChannel.objects.filter(team=team).delete()
        return None
    if not channel_id.isascii() or not channel_id.isalnum() or len(channel_id) > 32:
        raise SlackAppError("That is not a Slack channel.")
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.slack_webhook_url:
            log.info("Team %s: its Slack channel replaces its incoming webhook, which is cleared", team.slug)
            locked.slack_webhook_url = ""
            locked.save(update_fields=["slack_webhook_url"])
            team.slack_webhook_url = ""
        channel, _ = TeamChannel.objects.update_or_create(
            team=team, defaults={"channel_id": channel_id, "channel_name": channel_name[:100], "set_by": user}
        )
    return channel
