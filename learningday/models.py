"""The core domain: people, teams and who belongs where."""

from __future__ import annotations

import zoneinfo
from functools import cache, cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

FINANCE_GROUP = "finance"
# Sees the organisation's impact page: aggregates across all teams.
LEADERSHIP_GROUP = "leadership"


def choice_label(choices: type[models.Choices], value) -> str:
    """What ``get_<field>_display()`` shows for ``value``, with one translation lookup.

    Django's own builds a dict of the field's choices on every call, and hashing a lazy
    label translates it: ten lookups for ten choices, about 50 µs. List pages call it for
    every row. A value outside the choices shows as itself, as Django's does.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone. Pick one from the list, such as Europe/Berlin."),
            code="invalid_timezone",
            params={"value": value},
        )


def default_timezone() -> str:
    return settings.DEFAULT_USER_TIMEZONE


@cache
def _zone(key: str) -> zoneinfo.ZoneInfo:
    """ZoneInfo keeps only the 8 zones used last: a team spread over more read theirs from disk again."""
    return zoneinfo.ZoneInfo(key)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The email address is the login; there are no usernames."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=100, blank=True, help_text=_("How your name is shown to your teams.")
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text=_("Your Learning Day starts and ends at midnight here."),
    )
    remind_morning = models.BooleanField(
        _("Learning Day morning reminder"), default=True, help_text=_("An email in the morning of each Learning Day.")
    )
    remind_nudge = models.BooleanField(
        _("Afternoon nudge"), default=True, help_text=_("Only when you have not logged anything by the afternoon.")
    )
    receive_digest = models.BooleanField(
        _("Team digest"), default=True, help_text=_("The next morning: what your teams learned on the Learning Day.")
    )

    class ReminderVia(models.TextChoices):
        EMAIL = "email", _("Email")
        SLACK = "slack", _("Slack direct message")
        BOTH = "both", _("Email and Slack")

    reminders_via = models.CharField(
        _("reminders reach me by"),
        max_length=10,
        choices=ReminderVia.choices,
        default=ReminderVia.EMAIL,
        help_text=_("Slack needs your Slack account connected; until then reminders come by email."),
    )
    # A local hour, or the organisation's default (REMINDER_MORNING_HOUR / _AFTERNOON_HOUR) when empty.
    morning_hour = models.PositiveSmallIntegerField(_("morning question at"), null=True, blank=True)
    nudge_hour = models.PositiveSmallIntegerField(_("afternoon nudge at"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(reminders_via__in=["email", "slack", "both"]), name="user_reminders_via_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(morning_hour__isnull=True) | models.Q(morning_hour__lte=23),
                name="user_morning_hour_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(nudge_hour__isnull=True) | models.Q(nudge_hour__lte=23),
                name="user_nudge_hour_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return _zone(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return _zone(settings.DEFAULT_USER_TIMEZONE)

    # Role checks are cached on the instance: request.user lives for one request.
    @cached_property
    def _group_names(self) -> frozenset[str]:
        """The person's groups, by name: one query for every group check below."""
        return frozenset(self.groups.values_list("name", flat=True)) if self.is_active else frozenset()

    @property
    def is_finance(self) -> bool:
        return FINANCE_GROUP in self._group_names

    @property
    def is_leadership(self) -> bool:
        return LEADERSHIP_GROUP in self._group_names

    @cached_property
    def _roles(self) -> dict[int, str]:
        """The person's role in each of their teams, by team id: one query for both sets below."""
        return dict(self.memberships.values_list("team_id", "role"))

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(self._roles)

    @property
    def managed_team_ids(self) -> frozenset[int]:
        return frozenset(team for team, role in self._roles.items() if role == Membership.Role.MANAGER)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_team_ids)


def validate_https_url(value: str) -> None:
    """A Slack incoming webhook: https, on one of SLACK_WEBHOOK_HOSTS."""
    URLValidator(schemes=["https"], message=_("Enter an https:// address."))(value)
    host = (urlsplit(value).hostname or "").lower()
    if host not in settings.SLACK_WEBHOOK_HOSTS:
        raise ValidationError(
            _("Use the incoming-webhook address Slack gives you (https://%(host)s/services/…)."),
            code="webhook_host",
            params={"host": settings.SLACK_WEBHOOK_HOSTS[0] if settings.SLACK_WEBHOOK_HOSTS else "hooks.slack.com"},
        )


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    slack_webhook_url = models.URLField(
        _("Slack incoming-webhook URL"),
        blank=True,
        validators=[validate_https_url],
        help_text=_("Optional. New entries and the digest are posted here."),
    )
    guidelines = models.TextField(
        _("guidelines"), blank=True, help_text=_("Markdown. Shown at the top of the team's reading list.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        MANAGER = "manager", _("manager")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["team__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_user_team_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["member", "manager"]), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["team", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class Holiday(models.Model):
    """A date the organisation marks as no Learning Day: nobody is reminded or missed."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class FormSubmission(models.Model):
    """A create form's token, claimed by its first post in the same transaction as what it creates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField()
    # What the first post created: a later post of the same token is shown this.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True)
    result = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_submission_once_per_token")]

    def __str__(self) -> str:
        return f"{self.token} by {self.user_id}"


class OutboxMessage(models.Model):
    """One message to one recipient (a person or a team), sent once: the row is claimed
    before the send and stamped after it. ``learningday.outbox`` claims and stamps these
    rows; the apps decide who gets what and build the content."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SLACK_WEBHOOK = "slack_webhook", _("Slack channel (webhook)")
        SLACK_CHANNEL = "slack_channel", _("Slack channel (app)")
        SLACK_DM = "slack_dm", _("Slack direct message")

    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning reminder")
        NUDGE = "nudge", _("Afternoon nudge")
        DIGEST = "digest", _("Team digest")
        CLAIM_NOTICE = "claim_notice", _("Claim notice")
        CHANNEL_DIGEST = "channel_digest", _("Team digest in Slack")
        ENTRY_POST = "entry_post", _("New entry in Slack")
        CHECKIN_DONE = "checkin_done", _("Check-in confirmation")
        SLACK_CONNECTED = "slack_connected", _("Slack connected")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        RETRYING = "retrying", _("failed, will retry")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, given up")
        SKIPPED = "skipped", _("not needed")

    channel = models.CharField(max_length=20, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the message is about, within its kind: a Learning Day ("2026-12-03"), a claim's
    # step ("event:42"), an entry ("entry:7").
    key = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The task sending it (its Celery id, the same on a retry or a redelivery) and since when.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Never to be sent: refused for good, or no longer needed (attempts == 0).
    given_up_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, team__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False),
                name="outbox_one_recipient",
            ),
            # The claim's INSERT … ON CONFLICT names these two (learningday/outbox.py).
            models.UniqueConstraint(
                fields=["channel", "kind", "key", "user"],
                condition=models.Q(user__isnull=False),
                name="outbox_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["channel", "kind", "key", "team"],
                condition=models.Q(team__isnull=False),
                name="outbox_once_per_team",
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="outbox_recent_first")]

    def __str__(self) -> str:
        recipient = f"person {self.user_id}" if self.user_id else f"team {self.team_id}"
        return f"{choice_label(self.Kind, self.kind)} {self.key} to {recipient} by {self.channel}"

    @classmethod
    def in_state(cls, state: str) -> models.Q:
        """The rows in ``state``, as a filter: the same rules as ``state``."""
        open_ = models.Q(sent_at__isnull=True, given_up_at__isnull=True)
        return {
            cls.State.SENT: models.Q(sent_at__isnull=False),
            cls.State.FAILED: models.Q(sent_at__isnull=True, given_up_at__isnull=False, attempts__gt=0),
            cls.State.SKIPPED: models.Q(sent_at__isnull=True, given_up_at__isnull=False, attempts=0),
            cls.State.RETRYING: open_ & ~models.Q(last_error=""),
            cls.State.SENDING: open_ & models.Q(last_error="") & ~models.Q(claimed_by=""),
            cls.State.PENDING: open_ & models.Q(last_error="", claimed_by=""),
        }[state]

    @property
    def state(self) -> str:
        if self.sent_at:
            return self.State.SENT
        if self.given_up_at:
            return self.State.FAILED if self.attempts else self.State.SKIPPED
        if self.last_error:
            return self.State.RETRYING
        return self.State.SENDING if self.claimed_by else self.State.PENDING


class Version(models.Model):
    """A counter that goes up whenever what it names changes, in the transaction of the
    change: part of the cache keys of what shows it (learningday.versions)."""

    key = models.CharField(max_length=60, unique=True)
    n = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "version"

    def __str__(self) -> str:
        return f"{self.key} v{self.n}"
