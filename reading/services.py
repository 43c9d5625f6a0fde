"""State changes of the reading list: suggest, curate, reject, reorder, endorse, progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from learningday.models import Team, User
from reading.models import Endorsement, Item, Progress, Topic


class ReadingError(Exception):
    """A reading-list action that cannot be done; the message is fit to show the person."""


class DuplicateItem(ReadingError):
    """The item is on the list already; ``item`` is the one to go to instead."""

    def __init__(self, item: Item):
        super().__init__(f"“{item.title}” is on the list already.")
        self.item = item


@dataclass(frozen=True, kw_only=True)
class ItemData:
    kind: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    isbn: str = ""
    topic: Topic | None = None
    why: str = ""
    team: Team | None = None


_FIELDS = ("kind", "title", "authors", "year", "url", "arxiv_id", "doi", "isbn", "topic", "why", "team")


def can_curate(user: User, team: Team | None) -> bool:
    """Managers curate their team's list; the list shared with everyone is curated by any manager."""
    if team is None:
        return user.is_manager
    return team.pk in user.managed_team_ids


def find_duplicate(data: ItemData, *, exclude: Item | None = None) -> Item | None:
    """An item on the same list (same team, or everyone's) with the same identifier or link."""
    same = Q()
    for name in ("arxiv_id", "doi", "isbn", "url"):
        value = getattr(data, name)
        if value:
            same |= Q(**{name: value})
    if not same:
        return None
    items = Item.objects.filter(same, team=data.team).exclude(status=Item.Status.REJECTED)
    if exclude is not None:
        items = items.exclude(pk=exclude.pk)
    return items.order_by("pk").first()


def _next_position(team: Team | None) -> int:
    top = Item.objects.filter(team=team, status=Item.Status.CURATED).aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


def item_suggest(*, user: User, data: ItemData) -> Item:
    """A member suggests an item for one of their teams; a manager's own item goes straight on."""
    if data.team is not None and not user.memberships.filter(team=data.team).exists():
        raise ReadingError("You can suggest items only for your own teams.")
    if data.team is None and not user.is_manager:
        raise ReadingError("Pick one of your teams: a manager shares items with everyone.")
    with transaction.atomic():
        duplicate = find_duplicate(data)
        if duplicate is not None:
            raise DuplicateItem(duplicate)
        item = Item(suggested_by=user, **{name: getattr(data, name) for name in _FIELDS})
        if can_curate(user, data.team):
            item.status = Item.Status.CURATED
            item.curated_by = user
            item.curated_at = timezone.now()
            item.position = _next_position(data.team)
        item.full_clean()
        item.save()
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


def item_update(*, user: User, item: Item, data: ItemData) -> Item:
    """Managers edit their list's items; a member edits their own suggestion until it is decided."""
    with transaction.atomic():
        item = _locked(item)
        own_open = item.suggested_by_id == user.pk and item.status == Item.Status.SUGGESTED
        if not (can_curate(user, item.team) or own_open):
            raise ReadingError("Only the team's managers can change this item.")
        if data.team != item.team and not (own_open or can_curate(user, data.team)):
            raise ReadingError("You can move items only to lists you curate.")
        duplicate = find_duplicate(data, exclude=item)
        if duplicate is not None:
            raise DuplicateItem(duplicate)
        for name in _FIELDS:
            setattr(item, name, getattr(data, name))
        item.full_clean()
        item.save(update_fields=[*_FIELDS, "updated_at"])
    return item


def item_curate(*, user: User, item: Item) -> Item:
    """A manager approves a suggestion: it goes to the bottom of the curated list."""
    with transaction.atomic():
        item = _locked(item)
        if not can_curate(user, item.team):
            raise ReadingError("Only the team's managers can approve suggestions.")
        if item.status == Item.Status.CURATED:
            raise ReadingError("This item is on the curated list already.")
        item.status = Item.Status.CURATED
        item.curated_by = user
        item.curated_at = timezone.now()
        item.rejection_reason = ""
        item.position = _next_position(item.team)
        item.save(update_fields=["status", "curated_by", "curated_at", "rejection_reason", "position", "updated_at"])
    return item


def item_reject(*, user: User, item: Item, reason: str) -> Item:
    reason = reason.strip()
    if not reason:
        raise ReadingError("Say why, so that the person who suggested it learns something too.")
    with transaction.atomic():
        item = _locked(item)
        if not can_curate(user, item.team):
            raise ReadingError("Only the team's managers can reject suggestions.")
        if item.status != Item.Status.SUGGESTED:
            raise ReadingError("Only suggestions waiting for a decision can be rejected.")
        item.status = Item.Status.REJECTED
        item.rejection_reason = reason
        item.curated_by = user
        item.curated_at = timezone.now()
        item.save(update_fields=["status", "rejection_reason", "curated_by", "curated_at", "updated_at"])
    return item


def item_move(*, user: User, item: Item, direction: str) -> Item:
    """Swap a curated item with its neighbour above or below on its list."""
    if direction not in {"up", "down"}:
        raise ReadingError("Move an item up or down.")
    with transaction.atomic():
        item = _locked(item)
        if not can_curate(user, item.team):
            raise ReadingError("Only the team's managers can reorder the list.")
        if item.status != Item.Status.CURATED:
            raise ReadingError("Only curated items have a place on the list.")
        siblings = list(
            Item.objects.select_for_update()
            .filter(team=item.team, status=Item.Status.CURATED)
            .order_by("position", "-created_at", "pk")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return item
        siblings[index], siblings[other] = siblings[other], siblings[index]
        # Renumber the whole list so that equal or missing positions cannot stall a move.
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position * 10:
                sibling.position = position * 10
                sibling.save(update_fields=["position"])
    item.refresh_from_db()
    return item


def item_endorse(*, user: User, item: Item, endorse: bool = True) -> None:
    if item.status != Item.Status.CURATED:
        raise ReadingError("Only curated items can be endorsed.")
    if item.suggested_by_id == user.pk:
        raise ReadingError("You suggested this one: let others endorse it.")
    if endorse:
        Endorsement.objects.get_or_create(user=user, item=item)
    else:
        Endorsement.objects.filter(user=user, item=item).delete()


def progress_set(
    *, user: User, item: Item, state: str, finished_on: dt.date | None = None, today: dt.date
) -> Progress | None:
    """Put an item on the person's shelf (want / reading / done) or, with state "", take it off."""
    if state == "":
        Progress.objects.filter(user=user, item=item).delete()
        return None
    if state not in Progress.State.values:
        raise ReadingError("Pick want to read, reading or done.")
    if state == Progress.State.DONE:
        finished_on = finished_on or today
        if finished_on > today:
            raise ReadingError("The day you finished cannot be in the future.")
    else:
        finished_on = None
    progress, _ = Progress.objects.update_or_create(
        user=user, item=item, defaults={"state": state, "finished_on": finished_on}
    )
    return progress
