"""State changes of the reading list: suggest, curate, reject, reorder, endorse, progress."""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from learningday import versions
from learningday.models import Team, User
from reading.models import Endorsement, Item, Progress, Topic

logger = logging.getLogger(__name__)


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
_IDENTIFIERS = ("arxiv_id", "doi", "isbn", "url")


def can_curate(user: User, team: Team | None) -> bool:
    """Managers curate their team's list; the list shared with everyone is curated by any manager."""
    if team is None:
        return user.is_manager
    return team.pk in user.managed_team_ids


def may_set_home_topics(user: User, team: Team) -> bool:
    """The team's managers (and administrators) say which topics are the team's own fields."""
    return user.is_active and (user.is_staff or team.pk in user.managed_team_ids)


def team_home_topics_set(*, user: User, team: Team, topics: Sequence[Topic]) -> None:
    """Set the team's home topics: learning in any other topic is learning outside its field."""
    if not may_set_home_topics(user, team):
        raise ReadingError("Only the team's managers set its home topics.")
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # one change at a time per team
        team.home_topics.set(topics)
        versions.bump(versions.DIRECTORY)  # a many-to-many set sends no post_save


def find_duplicate(data: ItemData, *, exclude: Item | None = None) -> Item | None:
    """An item on the same list (same team, or everyone's) with the same identifier or link.

    The database holds the same rule (Item's ``item_*_once_per_list`` constraints): a check
    that two requests pass at the same moment ends in an IntegrityError for the second.
    """
    same = Q()
    for name in _IDENTIFIERS:
        value = getattr(data, name)
        if value:
            same |= Q(**{name: value})
    if not same:
        return None
    items = Item.objects.filter(same, team=data.team).exclude(status=Item.Status.REJECTED)
    if exclude is not None:
        items = items.exclude(pk=exclude.pk)
    return items.order_by("pk").first()


# The advisory-lock namespace of reading lists ("read"); the second key is the team, 0 for everyone's list.
_LIST_LOCK = 0x72656164


def _lock_list(team: Team | None) -> None:
    """Hold the list until the transaction ends, so that its positions are handed out one at a time.

    Everyone's list has no row to lock, so PostgreSQL gets an advisory lock keyed by the
    list; SQLite lets only one transaction write at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LIST_LOCK, team.pk if team else 0])


def _next_position(team: Team | None) -> int:
    """The bottom of the list; call with the list locked (``_lock_list``)."""
    top = Item.objects.filter(team=team, status=Item.Status.CURATED).aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


def _check_may_suggest(user: User, team: Team | None) -> None:
    if team is not None and not user.memberships.filter(team=team).exists():
        raise ReadingError("You can suggest items only for your own teams.")
    if team is None and not user.is_manager:
        raise ReadingError("Pick one of your teams: a manager shares items with everyone.")


def _duplicate_after(error: IntegrityError, data: ItemData, *, exclude: Item | None = None) -> DuplicateItem:
    """The outcome of an insert that lost a race: the item the other request put on the list."""
    duplicate = find_duplicate(data, exclude=exclude)
    if duplicate is None:
        raise error
    return DuplicateItem(duplicate)


def item_suggest(*, user: User, data: ItemData) -> Item:
    """A member suggests an item for one of their teams; a manager's own item goes straight on."""
    _check_may_suggest(user, data.team)
    curate = can_curate(user, data.team)
    try:
        with transaction.atomic():
            if curate:
                _lock_list(data.team)
            duplicate = find_duplicate(data)
            if duplicate is not None:
                raise DuplicateItem(duplicate)
            item = Item(suggested_by=user, **{name: getattr(data, name) for name in _FIELDS})
            if curate:
                item.status = Item.Status.CURATED
                item.curated_by = user
                item.curated_at = timezone.now()
                item.position = _next_position(data.team)
            # Constraints are left to the database: a Python check of them could pass for two at once.
            item.full_clean(validate_constraints=False)
            item.save()
    except IntegrityError as error:
        # The same item, suggested at the same moment by someone else: the same answer as afterwards.
        raise _duplicate_after(error, data) from None
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


def _locked_on_its_list(item: Item) -> Item:
    """The item locked, its list first: always in that order, so that two moves cannot deadlock."""
    _lock_list(item.team)
    locked = _locked(item)
    if locked.team_id != item.team_id:  # moved to another list since it was read
        _lock_list(locked.team)
    return locked


def item_update(*, user: User, item: Item, data: ItemData) -> Item:
    """Managers edit their list's items; a member edits their own suggestion until it is decided."""
    try:
        with transaction.atomic():
            item = _locked(item)
            own_open = item.suggested_by_id == user.pk and item.status == Item.Status.SUGGESTED
            if not (can_curate(user, item.team) or own_open):
                raise ReadingError("Only the team's managers can change this item.")
            if data.team != item.team and not (own_open or can_curate(user, data.team)):
                raise ReadingError("You can move items only to lists you curate.")
            moves = data.team != item.team and item.status == Item.Status.CURATED
            if moves:
                _lock_list(data.team)
            duplicate = find_duplicate(data, exclude=item)
            if duplicate is not None:
                raise DuplicateItem(duplicate)
            for name in _FIELDS:
                setattr(item, name, getattr(data, name))
            if moves:  # to the bottom of the other list: its own positions may hold this one's
                item.position = _next_position(data.team)
            item.full_clean(validate_constraints=False)
            item.save(update_fields=[*_FIELDS, "position", "updated_at"])
    except IntegrityError as error:
        raise _duplicate_after(error, data, exclude=item) from None
    return item


def item_curate(*, user: User, item: Item) -> Item:
    """A manager approves a suggestion: it goes to the bottom of the curated list."""
    with transaction.atomic():
        item = _locked_on_its_list(item)
        if not can_curate(user, item.team):
            raise ReadingError("Only the team's managers can approve suggestions.")
        if item.status == Item.Status.CURATED:
            raise ReadingError("This item is on the curated list already.")
        if item.status == Item.Status.REJECTED:  # taken back: the list may hold it by now
            duplicate = find_duplicate(_data_of(item), exclude=item)
            if duplicate is not None:
                raise DuplicateItem(duplicate)
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
        item = _locked_on_its_list(item)
        if not can_curate(user, item.team):
            raise ReadingError("Only the team's managers can reorder the list.")
        if item.status != Item.Status.CURATED:
            raise ReadingError("Only curated items have a place on the list.")
        siblings = list(
            Item.objects.filter(team=item.team, status=Item.Status.CURATED).order_by("position", "pk").only("position")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return item
        # Positions are unique on a list (item_position_once_per_list), so the swap goes
        # through a free position at the bottom and never holds two items at one place.
        mine, theirs = item.position, siblings[other].position
        Item.objects.filter(pk=item.pk).update(position=siblings[-1].position + 10)
        Item.objects.filter(pk=siblings[other].pk).update(position=mine)
        Item.objects.filter(pk=item.pk).update(position=theirs)
        versions.bump(versions.DIRECTORY)  # the list's order, which the kept reading list shows
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


def _data_of(item: Item) -> ItemData:
    return ItemData(**{name: getattr(item, name) for name in _FIELDS})


# --- Import ----------------------------------------------------------------------------------


def _folded(text: str) -> str:
    """Lower case, without accents or anything but letters and digits: "Über-DNA" and "uber dna" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\W_]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _first_surname(authors: list[str]) -> str:
    for name in authors or []:
        name = name.strip()
        if name and name != "et al.":
            # "LeCun, Yann" as typed in the form, "Yann LeCun" as imported.
            return _folded(name.split(",")[0] if "," in name else name.split()[-1])
    return ""


def same_work_key(*, title: str, year: int | None, authors: list[str]) -> tuple[str, int | None, str]:
    """What tells two entries without identifiers apart: normalised title, year and first author's surname."""
    return _folded(title), year, _first_surname(authors)


@dataclass(frozen=True)
class ImportCheck:
    """What importing one entry would do: ``ok`` to add it, or why not."""

    duplicate: Item | None = None
    repeats: int | None = None  # the index of an earlier entry of the same file it repeats
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.duplicate is None and self.repeats is None and not self.errors


def _model_errors(data: ItemData) -> tuple[str, ...]:
    """What the model refuses in an entry, checked as a save would, without the database."""
    item = Item(**{name: getattr(data, name) for name in _FIELDS})
    try:
        item.full_clean(
            exclude=["team", "topic", "suggested_by", "curated_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return tuple(
            f"{Item._meta.get_field(name).verbose_name.capitalize()}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    return ()


def import_check(*, team: Team | None, entries: Sequence[ItemData]) -> list[ImportCheck]:
    """For each entry, in order: whether it can be added to ``team``'s list, or why not.

    An entry is a duplicate when it shares an identifier or link with an item on the list
    or an earlier entry of the file; one with none of them, when its title, year and
    first author match (so that importing a file twice, or the list's own export, adds
    nothing). The same function checks the preview and, again, the confirm.
    """
    on_list = Item.objects.filter(team=team).exclude(status=Item.Status.REJECTED)
    by_identifier: dict[tuple[str, str], Item] = {}
    by_work: dict[tuple, Item] = {}
    for item in on_list.only("pk", "title", "year", "authors", *_IDENTIFIERS).order_by("pk"):
        for name in _IDENTIFIERS:
            if value := getattr(item, name):
                by_identifier.setdefault((name, value), item)
        by_work.setdefault(same_work_key(title=item.title, year=item.year, authors=item.authors), item)
    seen_identifier: dict[tuple[str, str], int] = {}
    seen_work: dict[tuple, int] = {}
    checks = []
    for index, data in enumerate(entries):
        identifiers = [(name, value) for name in _IDENTIFIERS if (value := getattr(data, name))]
        work = same_work_key(title=data.title, year=data.year, authors=data.authors)
        if identifiers:
            duplicate = next((by_identifier[i] for i in identifiers if i in by_identifier), None)
            repeats = next((seen_identifier[i] for i in identifiers if i in seen_identifier), None)
        else:
            duplicate, repeats = by_work.get(work), seen_work.get(work)
        checks.append(ImportCheck(duplicate=duplicate, repeats=repeats, errors=_model_errors(data)))
        for identifier in identifiers:
            seen_identifier.setdefault(identifier, index)
        seen_work.setdefault(work, index)
    return checks


def _changed_since_preview(entries: Sequence[ItemData], checks: list[ImportCheck]) -> str:
    changed = [(data, check) for data, check in zip(entries, checks, strict=True) if not check.ok]
    data, check = changed[0]
    if check.duplicate is not None:
        why = f"“{data.title}” is on the list now"
    elif check.repeats is not None:
        why = f"“{data.title}” is in the file twice"
    else:
        why = f"“{data.title}” cannot be saved ({' '.join(check.errors)})"
    more = f", and {len(changed) - 1} more entries changed" if len(changed) > 1 else ""
    return f"Nothing was added: since the preview, {why}{more}. Upload the file again to see what is new."


def items_import(*, user: User, team: Team | None, entries: Sequence[ItemData], batch_size: int = 250) -> list[Item]:
    """Put every entry on the list in one transaction, or none of them (ReadingError says why).

    The entries are checked again, with the list locked, exactly as the preview checked
    them; if any would not be added now, nothing is. A manager's import lands curated,
    at the bottom of the list in file order; a member's waits as suggestions.
    """
    _check_may_suggest(user, team)
    curate = can_curate(user, team)
    try:
        with transaction.atomic():
            _lock_list(team)
            checks = import_check(team=team, entries=entries)
            if not all(check.ok for check in checks):
                raise ReadingError(_changed_since_preview(entries, checks))
            now = timezone.now()
            first = _next_position(team) if curate else 0
            items = [
                Item(suggested_by=user, **{name: getattr(data, name) for name in _FIELDS})
                for data in entries
                if data.team == team
            ]
            if len(items) != len(entries):
                raise ReadingError("Nothing was added: every entry must be for the same list.")
            if curate:
                for offset, item in enumerate(items):
                    item.status, item.curated_by, item.curated_at = Item.Status.CURATED, user, now
                    item.position = first + 10 * offset
            created = Item.objects.bulk_create(items, batch_size=batch_size)
            versions.bump(versions.DIRECTORY)  # bulk_create sends no post_save
            return created
    except IntegrityError:
        raise ReadingError(
            "Nothing was added: some of these items were put on the list while you imported. "
            "Upload the file again to see what is new."
        ) from None
    except DatabaseError:
        logger.exception("Importing %d items to list %s failed; nothing was written", len(entries), team)
        raise ReadingError("Nothing was added: the list could not be saved just now. Try again in a moment.") from None
