"""Reads of the reading list, already filtered to what the person may see."""

from __future__ import annotations

from django.db import connections
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from learningday.models import Membership, Team, User
from reading.models import Endorsement, Item, Progress, Topic


def items_visible_to(user: User) -> QuerySet[Item]:
    """Curated items of the person's teams and of everyone's list; their own suggestions;
    and, for managers, everything on the lists they curate.

    The team ids are written into the query (a person has a few), not a subquery on the
    memberships: so PostgreSQL combines index scans for each part instead of reading
    every item. Nothing is joined; callers add what they show.
    """
    curated = Q(status=Item.Status.CURATED) & (Q(team__isnull=True) | Q(team__in=user.team_ids))
    return Item.objects.filter(curated | Q(suggested_by=user) | Q(team__in=user.managed_team_ids))


def _count_of(queryset: QuerySet) -> Coalesce:
    """The rows of a subquery correlated on the item, counted: 0 when there are none."""
    counted = queryset.order_by().values("item").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(items: QuerySet[Item], user: User) -> QuerySet[Item]:
    """Each item with how many people read or finished it, endorsements, and my own state.

    Subqueries rather than joins with COUNT(DISTINCT): PostgreSQL computes them only for
    the rows of the page (after the sort and the limit), not for every item of the lists.
    """
    mine = Progress.objects.filter(item=OuterRef("pk"), user=user).values("state")[:1]
    return items.annotate(
        readers=_count_of(Progress.objects.filter(item=OuterRef("pk"), state__in=["reading", "done"])),
        endorsement_count=_count_of(Endorsement.objects.filter(item=OuterRef("pk"))),
        my_state=Subquery(mine),
    )


SORTS = {
    # Everyone's list (no team) after the teams' on every database (SQLite puts NULLs first).
    "position": (F("team__name").asc(nulls_last=True), "position", "-created_at", "pk"),
    "newest": ("-created_at", "pk"),
    "most_read": ("-readers", "position", "pk"),
}


def browse(
    user: User,
    *,
    team: Team | None = None,
    everyone_only: bool = False,
    topic: Topic | None = None,
    kind: str = "",
    progress: str = "",
    status: str = Item.Status.CURATED,
    query: str = "",
    sort: str = "position",
) -> QuerySet[Item]:
    items = with_counts(items_visible_to(user), user).filter(status=status).select_related("topic", "team")
    if team is not None:
        items = items.filter(team=team)
    elif everyone_only:
        items = items.filter(team__isnull=True)
    if topic is not None:
        items = items.filter(topic=topic)
    if kind:
        items = items.filter(kind=kind)
    if progress == "none":
        items = items.filter(my_state__isnull=True)
    elif progress:
        items = items.filter(my_state=progress)
    for word in query.split():
        # Titles and authors are short: a substring match on each word is enough here.
        items = items.filter(Q(title__icontains=word) | Q(authors__icontains=word))
    return items.order_by(*SORTS.get(sort, SORTS["position"]))


class ListByList:
    """The rows of browse(sort="position") for a Paginator, read one list at a time.

    In list order the person's teams come first, by name, and everyone's list last. One
    query over everything they may see reads and sorts all of everyone's list for every
    page, and that list grows with the organisation. Here the visible items are split in
    three: everyone's list, the person's teams (those they manage among them), and any
    other team's item they may see (only their own suggestions). Each part is a UNION ALL
    branch sorted and cut to the page on its own, so PostgreSQL reads each only as far as
    the page; then the page's rows are read by id. Each part is ``items`` narrowed by more
    filters, so nothing shows that ``items`` would not show, in the same order.

    Backends that cannot sort inside a UNION (SQLite) read ``items`` directly.
    """

    KEYS = ("pk", "list_name", "position", "created_at")
    ORDER = ("list_name", "position", "-created_at", "pk")

    def __init__(self, items: QuerySet[Item], user: User) -> None:
        self.items = items
        self.split = connections[items.db].features.supports_slicing_ordering_in_compound
        mine = user.team_ids
        unsorted = items.order_by()
        self.parts = [
            unsorted.filter(team__isnull=True).annotate(list_name=Value(None, output_field=CharField())),
            # Outside those lists, only a person's own suggestions are visible to them.
            unsorted.filter(suggested_by=user)
            .exclude(team__isnull=True)
            .exclude(team__in=mine)
            .annotate(list_name=F("team__name")),
        ]
        if mine:
            self.parts.append(unsorted.filter(team__in=mine).annotate(list_name=F("team__name")))

    def count(self) -> int:
        if not self.split:
            return self.items.count()
        first, *rest = (part.values("pk") for part in self.parts)
        return first.union(*rest, all=True).count()

    def __getitem__(self, window: slice) -> list[Item]:
        if not self.split:
            return list(self.items[window])
        if window.stop <= window.start:  # an empty page (Django makes an empty slice an empty query)
            return []
        first, *rest = (part.values_list(*self.KEYS).order_by(*self.ORDER)[: window.stop] for part in self.parts)
        ids = [row[0] for row in first.union(*rest, all=True).order_by(*self.ORDER)[window]]
        rows = {item.pk: item for item in self.items.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]  # one deleted in between is left out


def shelf(user: User) -> QuerySet[Progress]:
    return (
        Progress.objects.filter(user=user, item__in=items_visible_to(user))
        .select_related("item", "item__topic", "item__team")
        .order_by("state", "-updated_at")
    )


def study_buddies(item: Item, user: User) -> QuerySet[Progress]:
    """Who in my teams is reading or has finished this item."""
    my_teams = Membership.objects.filter(user=user).values("team_id")
    return (
        Progress.objects.filter(item=item, state__in=["reading", "done"], user__memberships__team__in=my_teams)
        .exclude(user=user)
        .select_related("user")
        .distinct()
        .order_by("state", "user__display_name")
    )


def list_order(team: Team | None) -> list[int]:
    """The ids of a list's curated items (a team's, or everyone's for None), top first."""
    items = Item.objects.filter(team=team, status=Item.Status.CURATED)
    return list(items.order_by("position", "pk").values_list("pk", flat=True))


def teams_to_suggest_for(user: User) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user).order_by("name").distinct()


def pending_count(user: User) -> int:
    """Suggestions waiting for this manager's decision."""
    if not user.is_manager:
        return 0
    return Item.objects.filter(status=Item.Status.SUGGESTED, team__in=user.managed_team_ids).count()


def same_identifier(user: User, found) -> Item | None:
    """An item this person can see with the same arXiv id, DOI, ISBN or link as ``found``."""
    same = Q()
    for name in ("arxiv_id", "doi", "isbn", "url"):
        value = getattr(found, name, "")
        if value:
            same |= Q(**{name: value})
    if not same:
        return None
    return items_visible_to(user).filter(same).exclude(status=Item.Status.REJECTED).order_by("pk").first()
