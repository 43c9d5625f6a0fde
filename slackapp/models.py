"""What the Slack app remembers: who is who in Slack, each team's channel, and the messages
it may have to edit later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningday.models import Team
from reimbursements.models import Claim


class SlackAccount(models.Model):
    """A person's Slack user, matched by the verified email Slack gives or connected by them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_account")
    slack_user_id = models.CharField(_("Slack user"), max_length=32)
    slack_team_id = models.CharField(_("Slack workspace"), max_length=32, blank=True)
    # The direct-message channel with the bot, as Slack named it on the first message.
    dm_channel_id = models.CharField(max_length=32, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Slack account")
        constraints = [
            models.UniqueConstraint(fields=["slack_team_id", "slack_user_id"], name="slack_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.slack_user_id}"


class TeamChannel(models.Model):
    """The Slack channel a team's new entries and digest go to, through the app."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="slack_channel")
    channel_id = models.CharField(_("Slack channel"), max_length=32)
    channel_name = models.CharField(_("channel name"), max_length=100, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("team's Slack channel")

    def __str__(self) -> str:
        return f"{self.team}: #{self.channel_name or self.channel_id}"


class ChannelPost(models.Model):
    """An entry's message in a team's channel, to edit or remove it later.

    ``entry_id`` is not a foreign key: the message must be found to be removed after its
    entry is gone.
    """

    entry_id = models.PositiveBigIntegerField(db_index=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32, blank=True)
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry_id", "team"], name="channel_post_once")]

    def __str__(self) -> str:
        return f"entry {self.entry_id} in {self.channel_id} ({self.ts or 'not posted'})"


class ClaimMessage(models.Model):
    """A "claim to decide" message sent to one decider, updated once someone decides."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "user"], name="claim_message_once")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} to {self.user_id}"
