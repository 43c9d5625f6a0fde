"""The learning log: what each person learned on a day."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from learningday import calendar
from learningday.markdown import render
from learningday.models import choice_label

# A pulse answer's comment: a few sentences.
PULSE_COMMENT_MAX = 2000


def validate_half_hours(value: Decimal) -> None:
    if value is not None and (value * 2) % 1 != 0:
        raise ValidationError(_("Use steps of half an hour, such as 1.5 or 6."), code="half_hours")


class Entry(models.Model):
    class Category(models.TextChoices):
        READING_PAPERS = "reading_papers", _("Reading papers")
        REIMPLEMENTING = "reimplementing", _("Reimplementing a paper")
        TUTORIAL = "tutorial", _("Tutorial or course")
        EXPLORING_TOOL = "exploring_tool", _("Exploring a tool")
        RESEARCH = "research", _("Bite-sized research")
        OUTSIDE_FIELD = "outside_field", _("Reading outside my field")
        MATHS = "maths", _("Maths fundamentals")
        OTHER = "other", _("Other")

    class Visibility(models.TextChoices):
        TEAMS = "teams", _("My teams")
        EVERYONE = "everyone", _("Everyone")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("day"), help_text=_("The day you learned this, in your time zone."))
    body = models.TextField(
        _("what did you learn today?"), help_text=_("Markdown: **bold**, lists, [links](https://…).")
    )
    body_html = models.TextField(editable=False)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.READING_PAPERS)
    hours = models.DecimalField(
        _("time spent (hours)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24")), validate_half_hours],
    )
    links = models.JSONField(_("links"), default=list, blank=True)
    whats_next = models.TextField(
        _("what's next"), blank=True, help_text=_("Optional. Shown to you as a prompt on the next Learning Day.")
    )
    crowded_out = models.BooleanField(_("part of the day went to regular work"), default=False)
    items = models.ManyToManyField(
        "reading.Item", blank=True, related_name="entries", verbose_name=_("from the reading list")
    )
    topics = models.ManyToManyField(
        "reading.Topic", through="EntryTopic", blank=True, related_name="entries", verbose_name=_("topics")
    )
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Visibility.choices, default=Visibility.TEAMS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Goes up with every save through logs.services.entry_save, under the row's lock: with
    # updated_at, the version of the entry's card in the cache (logs.cards). A clock alone
    # could give two saves the same time (a frozen one does, in tests; servers' clocks drift).
    version = models.PositiveIntegerField(default=0, editable=False)
    # PostgreSQL's full-text vector of the body, kept by a trigger (migration 0007) on every
    # write, bulk inserts included, and GIN-indexed; always empty on SQLite, which searches
    # the body itself. Stored, so that a search reads it instead of parsing each body again.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-day", "-created_at"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["author", "day"], name="entry_one_per_person_per_day"),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gte=Decimal("0.5"), hours__lte=24),
                name="entry_hours_range",
                violation_error_message=_("Time spent is between half an hour and 24 hours."),
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["teams", "everyone"]), name="entry_visibility_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["-day", "-created_at", "-id"], name="entry_feed_order"),
            models.Index(fields=["author", "-day"], name="entry_author_day"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.day:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        # Whatever path saves an entry (service, admin, demo data), the page shows safe HTML.
        self.body_html = render(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("logs:detail", args=[self.pk])

    def get_category_display(self) -> str:  # once per feed card: see choice_label
        return choice_label(self.Category, self.category)

    @property
    def on_learning_day(self) -> bool:
        return calendar.is_learning_day(self.day)


class EntryTopic(models.Model):
    """A topic of an entry, and whether the app suggested it (the person kept it) or the person chose it."""

    class Source(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CHOSEN = "chosen", _("Chosen")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey("reading.Topic", on_delete=models.CASCADE, related_name="entry_links")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CHOSEN)

    class Meta:
        verbose_name = "entry topic"
        constraints = [
            models.UniqueConstraint(fields=["entry", "topic"], name="entry_topic_once"),
            models.CheckConstraint(
                condition=models.Q(source__in=["suggested", "chosen"]), name="entry_topic_source_valid"
            ),
        ]
        indexes = [models.Index(fields=["topic", "entry"], name="entry_topic_by_topic")]

    def __str__(self) -> str:
        return f"{self.entry} · {self.topic} ({self.source})"


class Away(models.Model):
    """Days a person is away (holiday, illness): they neither miss a Learning Day nor get reminded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), help_text=_("The last day away, included."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name_plural = "away periods"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="away_end_after_start",
                violation_error_message=_("The last day away cannot be before the first."),
            )
        ]
        indexes = [models.Index(fields=["user", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.user} away {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


def new_calendar_token() -> str:
    """A secret for a calendar feed's address: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret calendar address: whoever holds the token reads that person's calendar.

    Calendar apps cannot sign in, so the token in the address is the only proof. Made when
    the person asks for a link; resetting it gives a new token and the old address stops working.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    # When the current token was made: set again by each reset.
    made_at = models.DateTimeField(_("made at"), auto_now=True)

    class Meta:
        verbose_name = "calendar feed"

    def __str__(self) -> str:
        return f"{self.user}'s calendar feed"

    def get_absolute_url(self) -> str:
        return reverse("logs:calendar_feed", args=[self.token])

    @property
    def url(self) -> str:
        """The full address to paste into a calendar app."""
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def webcal_url(self) -> str:
        """The same address as webcal://, which phones and desktop calendars open as a subscription."""
        return "webcal://" + self.url.split("://", 1)[1]


class PulseAnswer(models.Model):
    """One person's answer to a quarter's pulse question: "How much did Learning Day help you
    grow this quarter?", 1 (not at all) to 5 (a lot), with an optional comment.

    Anonymous by design. ``user`` is here only for the one-answer-per-quarter rule (and so
    that answering again changes the answer); no page, export, admin list or Slack message
    shows an answer with its person: answers are read only as aggregates of at least five
    (``logs.selectors.pulse_results``), and nobody but the person sees their own. ``team``
    is the group the answer counts in, fixed when it is given, so that a quarter's figures
    never move when someone changes teams later (a move would otherwise tell their answer by
    the difference). For the same reason deleting a person keeps their answer (the link is
    cleared, nothing else), and a team with answers cannot be deleted: once a quarter's figures
    are shown, nothing may make them move, or the change would tell one person's answer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The quarter's first day (2026-10-01 for 2026-Q4): see learningday.quarters.
    quarter = models.DateField(_("quarter"))
    team = models.ForeignKey("learningday.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=PULSE_COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pulse answer"
        constraints = [
            models.UniqueConstraint(fields=["user", "quarter"], name="pulse_one_answer_per_person_per_quarter"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="pulse_score_1_to_5",
                violation_error_message=_("Choose a number from 1 to 5."),
            ),
        ]
        indexes = [models.Index(fields=["quarter", "team"], name="pulse_quarter_team")]

    def __str__(self) -> str:
        # Never the person: a log line or an error page must not pair them with a score.
        return f"pulse answer {self.pk} for {self.quarter:%Y-%m}"
