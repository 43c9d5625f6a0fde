"""The curated reading list: items, their topics, and who is reading what."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from learningday.models import Team, choice_label


class Topic(models.Model):
    """Topics are data: an organisation adds its own in the admin."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "Words or phrases that suggest this topic when an entry mentions them: one per line, "
            "or separated by commas. Whole words only, in any case: “ML” does not match “HTML”."
        ),
    )
    # A team's own fields: a topic outside them is learning outside the team's field.
    home_teams = models.ManyToManyField(Team, blank=True, related_name="home_topics", verbose_name=_("home topic of"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


def split_keywords(text: str) -> list[str]:
    """Keywords as an admin typed them, one per line or comma-separated; blanks and repeats dropped."""
    words = (" ".join(part.split()) for line in (text or "").splitlines() for part in line.split(","))
    return list(dict.fromkeys(word for word in words if word))


def _once_per_list(field: str) -> models.UniqueConstraint:
    """``field`` at most once per list among items not rejected (a rejected one may come back)."""
    return models.UniqueConstraint(
        _LIST,
        field,
        condition=~models.Q(**{field: ""}) & ~models.Q(status="rejected"),
        name=f"item_{field}_once_per_list",
        violation_error_message=_("This is on the list already."),
    )


# A list is a team's or, with no team, everyone's. NULLs never clash in a unique index, so the
# constraints key on the team id with everyone's list as 0 (no team has that id); this also
# works on SQLite, where ``nulls_distinct=False`` does not exist.
_LIST = Coalesce("team", models.Value(0))


class Item(models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Paper")
        BOOK = "book", _("Book")
        TUTORIAL = "tutorial", _("Tutorial")
        COURSE = "course", _("Course")
        VIDEO = "video", _("Video")
        CODE = "code", _("Code")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CURATED = "curated", _("Curated")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAPER)
    title = models.CharField(_("title"), max_length=300)
    authors = models.JSONField(_("authors"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1400), MaxValueValidator(2100)]
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    arxiv_id = models.CharField(_("arXiv id"), max_length=40, blank=True, db_index=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True, db_index=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True, help_text=_("ISBN-13, digits only."))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    why = models.TextField(_("why read this"), blank=True, help_text=_("A line or two for your teammates."))
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reading_items",
        help_text=_("Empty: on everyone's list."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    rejection_reason = models.TextField(_("why it was not taken"), blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggested_items"
    )
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="curated_items"
    )
    curated_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["suggested", "curated", "rejected"]), name="item_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="item_rejection_has_reason",
            ),
            # Identifiers are stored normalised (reading.identifiers); links as given.
            *(_once_per_list(name) for name in ("doi", "arxiv_id", "isbn", "url")),
            models.UniqueConstraint(
                _LIST,
                "position",
                condition=models.Q(status="curated"),
                name="item_position_once_per_list",
                violation_error_message=_("Another item on the list has this position."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status", "position"], name="item_list_order"),
            models.Index(fields=["status", "-created_at"], name="item_newest"),
            # Who may see an item (status, list, suggester): the reading list's count reads only this.
            models.Index(fields=["status", "team", "suggested_by"], name="item_visibility"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reading:detail", args=[self.pk])

    def get_kind_display(self) -> str:  # once per row of the list: see choice_label
        return choice_label(self.Kind, self.kind)

    @property
    def authors_display(self) -> str:
        names = self.authors or []
        if len(names) > 3:
            return f"{', '.join(names[:3])} et al."
        return ", ".join(names)


class Progress(models.Model):
    class State(models.TextChoices):
        WANT = "want", _("Want to read")
        READING = "reading", _("Reading")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_progress")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="progress_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(state__in=["want", "reading", "done"]), name="progress_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state="done") | models.Q(finished_on__isnull=True),
                name="progress_finished_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.item} · {self.get_state_display()}"

    def get_state_display(self) -> str:
        return choice_label(self.State, self.state)


class Endorsement(models.Model):
    """A member's "worth reading" on a curated item."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="endorsements")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="endorsement_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user} endorses {self.item}"
