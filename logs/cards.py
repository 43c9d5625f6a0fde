"""Entry cards kept in the shared cache by version (learningday.fragments).

A list of entries (the feed, the dashboard, an item's page) first finds its rows as it
always did, through ``selectors.entries_readable_by`` and its filters, but reads only what
places a card (``light``): which entries, in which order, and each one's version. The
cards are then read from the cache in one round trip; only the missing ones are fetched in
full (author, teams, items, topics) and rendered.

A card's key holds what decides it:
- the entry, its ``version`` (every save through ``logs.services.entry_save`` counts one:
  text, day, visibility, items and topics) and its ``updated_at`` (a save anywhere else, the
  admin's, stamps it);
- the directory's version (names of the author, their teams, the topics and the items, and
  who is in which team: ``learningday.versions``);
- the viewer: which of the entry's reading-list items they may see and whether it is theirs
  (the edit link) depend on them, so a card is never shared between two people;
- whether it shows its day.
Whether the viewer may see the entry at all is decided by the rows' query, on every request.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.template.loader import render_to_string

from learningday import fragments, versions
from learningday.models import User
from logs import selectors
from logs.models import Entry

# What a list needs of each row to place its card: the feed's order and the version.
PLACING = ("pk", "author_id", "day", "created_at", "updated_at", "version")


def light(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """The same rows without their joins and prefetches, and only the columns of PLACING."""
    return entries.select_related(None).prefetch_related(None).only(*PLACING)


def with_cards(user: User, rows: list[Entry], *, show_day: bool = False, directory: int | None = None) -> list[Entry]:
    """The rows, each with ``card``, its HTML; a row gone since it was listed is left out.
    ``directory`` is the directory's version where the caller has read it already."""
    if directory is None:
        (directory,) = versions.current(versions.DIRECTORY)

    def key_of(entry: Entry) -> str:
        return fragments.key(
            "entry", entry.pk, entry.version, entry.updated_at.timestamp(), directory, user.pk, int(show_day)
        )

    def render(missing: list[Entry]) -> dict[Entry, str]:
        full = {e.pk: e for e in selectors.entries_visible_to(user).filter(pk__in=[e.pk for e in missing])}
        return {
            row: render_to_string("logs/_entry.html", {"entry": full[row.pk], "user": user, "show_day": show_day})
            for row in missing
            if row.pk in full
        }

    cards = fragments.many(rows, key_of, render)
    placed = []
    for row in rows:
        if row in cards:
            row.card = cards[row]
            placed.append(row)
    return placed
