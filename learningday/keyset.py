"""Keyset ("seek") pagination: pages found from the row where the last one ended.

Django's Paginator counts every matching row and skips ``OFFSET`` rows on each page:
both grow with the table. Here a page is "the ``size`` rows after (or before) this
row" in a fixed order that ends on the primary key, so each page is one index range
scan of ``size + 1`` rows, whatever the table holds. What it cannot do is say how many
pages there are or jump to page 37; a log read from the newest end does not need to.

The cursor in the URL is the boundary row's ordering values, readable and harmless to
edit: a cursor that does not parse gives the first page, as Paginator.get_page does
with a bad page number. (The small keyset libraries on PyPI are thinly maintained and
tied to ListView; this is the whole of what the feed needs.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateField, DateTimeField, IntegerField, Q, QuerySet

from learningday.parsing import MAX_ID, parse_int

SEPARATOR = "~"


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    next_cursor: str | None  # the older page, when there is one
    previous_cursor: str | None  # the newer page, when there is one

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _parse(queryset: QuerySet, fields: tuple[str, ...], cursor: str) -> list[Any] | None:
    parts = cursor.split(SEPARATOR)
    if len(parts) != len(fields):
        return None
    values = []
    for name, raw in zip(fields, parts, strict=True):
        field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
        try:
            if isinstance(field, DateTimeField):
                value = dt.datetime.fromisoformat(raw)
                if value.tzinfo is None:
                    return None
            elif isinstance(field, DateField):
                value = dt.date.fromisoformat(raw)
            elif isinstance(field, IntegerField):  # the primary key: ASCII digits, in range, or no cursor
                value = parse_int(raw, minimum=-MAX_ID - 1, maximum=MAX_ID)
                if value is None:
                    return None
            else:
                value = field.to_python(raw)
        except (ValueError, TypeError, ValidationError):
            return None
        values.append(value)
    return values


def _format(obj, fields: tuple[str, ...]) -> str:
    values = [getattr(obj, name) for name in fields]
    return SEPARATOR.join(v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values)


def _beyond(fields: tuple[str, ...], values: list[Any], *, older: bool) -> Q:
    """Rows after the cursor in (all-descending) order when ``older``, before it otherwise.

    (a, b, c) < (x, y, z) spelt out: a < x, or a = x and b < y, or a = b = x, y and c < z.
    """
    op = "lt" if older else "gt"
    condition = Q()
    for i, name in enumerate(fields):
        equal = dict(zip(fields[:i], values[:i], strict=True))
        condition |= Q(**equal, **{f"{name}__{op}": values[i]})
    # The first field on its own, so the database can start the index scan at the cursor.
    return condition & Q(**{f"{fields[0]}__{'lte' if older else 'gte'}": values[0]})


def keyset_page(
    queryset: QuerySet, *, fields: tuple[str, ...], size: int, after: str = "", before: str = ""
) -> KeysetPage:
    """One page of ``queryset`` ordered by ``fields``, all descending, the last of them unique.

    ``after`` gives the page that follows that cursor (older rows), ``before`` the page that
    precedes it (newer rows); neither, the first page.
    """
    descending = [f"-{name}" for name in fields]
    ascending = list(fields)
    values = _parse(queryset, fields, after) if after else _parse(queryset, fields, before) if before else None
    if values is not None and after:
        rows = list(queryset.filter(_beyond(fields, values, older=True)).order_by(*descending)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return KeysetPage(rows, _format(rows[-1], fields) if more else None, _format(rows[0], fields) if rows else None)
    if values is not None and before:
        rows = list(queryset.filter(_beyond(fields, values, older=False)).order_by(*ascending)[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        if not more:  # reached the newest end: show the first page as it is, full
            return keyset_page(queryset, fields=fields, size=size)
        return KeysetPage(rows, _format(rows[-1], fields) if rows else None, _format(rows[0], fields))
    rows = list(queryset.order_by(*descending)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, _format(rows[-1], fields) if more else None, None)
