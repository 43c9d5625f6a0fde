"""The organisation's impact, summarised: tables a Celery task fills (growth.summaries) and
/impact/ reads, so that the page runs a few small queries whatever the size of the log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from learningday.models import Team


class TeamDay(models.Model):
    """One team on one Learning Day, and the week around it (Monday to Sunday).

    ``members``: in the team that day; ``away``: of those, away that day; ``posted``: of
    those, posted on the Learning Day itself; ``crowded``: of those posts, how many say part
    of the day went to regular work; ``other_days``: the members' entries on the week's other
    days. Over all the week's entries: ``entries``, ``with_topic`` (at least one topic),
    ``counted`` (a topic and the team has home topics) and ``outside`` (none of them a home
    topic, ``growth.fields.is_outside``).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="impact_days")
    day = models.DateField(_("Learning Day"))
    members = models.PositiveIntegerField(default=0)
    away = models.PositiveIntegerField(default=0)
    posted = models.PositiveIntegerField(default=0)
    crowded = models.PositiveIntegerField(default=0)
    other_days = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    with_topic = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    outside = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "team's Learning Day"
        ordering = ["team", "day"]
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="impact_team_day_once"),
            models.CheckConstraint(condition=Q(away__lte=F("members")), name="impact_away_of_members"),
            models.CheckConstraint(condition=Q(posted__lte=F("members")), name="impact_posted_of_members"),
            models.CheckConstraint(condition=Q(crowded__lte=F("posted")), name="impact_crowded_of_posted"),
            models.CheckConstraint(condition=Q(with_topic__lte=F("entries")), name="impact_topic_of_entries"),
            models.CheckConstraint(condition=Q(counted__lte=F("with_topic")), name="impact_counted_of_topic"),
            models.CheckConstraint(condition=Q(outside__lte=F("counted")), name="impact_outside_of_counted"),
        ]
        indexes = [models.Index(fields=["day", "team"], name="impact_day_team")]

    def __str__(self) -> str:
        return f"{self.team} on {self.day:%Y-%m-%d}"

    @property
    def expected(self) -> int:
        """Members who were there and not away: those who could post."""
        return self.members - self.away

    @property
    def missed(self) -> int:
        """Members expected who posted nothing on the Learning Day (a post while away is no miss)."""
        return max(self.expected - self.posted, 0)


class FieldPickup(models.Model):
    """A person picked up a new field (``growth.fields.fields_picked_up``) in a quarter.

    Kept once found: a pick-up seen in a quarter stays for the whole quarter even after the
    entries that made it slide out of the rule's window, so "picked up this quarter" does not
    flicker. ``quarter`` is the quarter's first day.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_pickups")
    topic = models.ForeignKey("reading.Topic", on_delete=models.CASCADE, related_name="pickups")
    quarter = models.DateField(_("quarter"))
    found_on = models.DateField(_("first seen on"))

    class Meta:
        verbose_name = "field picked up"
        verbose_name_plural = "fields picked up"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic", "quarter"], name="impact_pickup_once_per_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__day=1, quarter__month__in=[1, 4, 7, 10]), name="impact_pickup_quarter_start"
            ),
            models.CheckConstraint(condition=Q(found_on__gte=F("quarter")), name="impact_pickup_found_in_quarter"),
        ]
        indexes = [models.Index(fields=["quarter", "topic"], name="impact_pickup_quarter")]

    def __str__(self) -> str:
        return f"{self.user} picked up {self.topic} in {self.quarter:%Y-%m}"


class SummaryRun(models.Model):
    """When the summaries were last computed, and as of which day: one row, replaced by each run."""

    key = models.CharField(max_length=20, unique=True, default="impact", editable=False)
    computed_at = models.DateTimeField(_("computed at"))
    as_of = models.DateField(_("as of"))
    team_days = models.PositiveIntegerField(default=0)
    pickups = models.PositiveIntegerField(default=0)
    # The whole organisation's money, most read and most endorsed as of the run
    # (growth.summaries.org_figures): what the leadership group sees without a team filter,
    # too much to add up on each view at 5,000 people. A manager's few teams are added up live.
    org = models.JSONField(_("organisation's figures"), default=dict, blank=True)
    # Goes up with every change to the figures (a run, a week recomputed after an entry), in
    # its transaction: the cached report of the whole organisation is kept under it.
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "impact summary run"
        constraints = [models.CheckConstraint(condition=Q(key="impact"), name="impact_run_single")]

    def __str__(self) -> str:
        return f"Impact figures as of {self.computed_at:%Y-%m-%d %H:%M}"


class TopicWeek(models.Model):
    """Who wrote on a topic lately, for "people to learn with" on /growth/: one person's
    entries shared with everyone on one topic in the week of one Learning Day (the Learning
    Day and the six days after it), ``last`` the latest of their days.

    Only entries shared with everyone count: /growth/ shows people outside all of the
    reader's teams, and of those people's entries the reader may read exactly these. Kept by
    ``growth.summaries``: an author's rows are redone as each of their entries is saved or
    deleted, and the nightly run rebuilds the last weeks for everyone (entries made another
    way, the demo's or an import's, and dropping the weeks that have aged out).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_weeks")
    topic = models.ForeignKey("reading.Topic", on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField(_("Learning Day"))
    entries = models.PositiveIntegerField(default=0)
    last = models.DateField(_("latest entry"))

    class Meta:
        verbose_name = "topic's week"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic", "week"], name="topic_week_once"),
            models.CheckConstraint(condition=Q(entries__gt=0), name="topic_week_has_entries"),
            models.CheckConstraint(condition=Q(last__gte=F("week")), name="topic_week_last_in_week"),
        ]
        indexes = [models.Index(fields=["topic", "week", "user"], name="topic_week_by_topic")]

    def __str__(self) -> str:
        return f"{self.user} on {self.topic}, week of {self.week:%Y-%m-%d}"
