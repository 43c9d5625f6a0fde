"""Ids, numbers and slugs from what people type or put in a URL, read one way everywhere.

``str.isdigit()`` is true for "²", "፩" and "٣"; ``int()`` refuses the first two, reads the
third as 3, and also takes " 1 ", "1_000" and (slowly) thousands of digits; ``float()`` and
``Decimal()`` take "NaN", "Infinity" and "1e309". A check made with one and a parse made
with another let a 500 through. Here a value either is what the site means by it (ASCII
digits of a bounded length, in range) or it is None, for the caller to refuse or ignore.
Django's own form fields parse their own input; these are for the rest.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ID", "is_ascii_digits", "parse_id", "parse_int", "parse_slug"]

MAX_ID = 2**63 - 1  # PostgreSQL's bigint: the widest primary key
_LONGEST_NUMBER = 20  # digits: more than any bound here needs, far fewer than int() would chew on
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # Django's validate_slug, spelt out in ASCII


def is_ascii_digits(text: str, *, max_length: int | None = None) -> bool:
    """True for one or more of the digits 0-9 and nothing else: no sign, space or other script's digit."""
    if max_length is not None and len(text) > max_length:
        return False
    return text.isascii() and text.isdigit()


def parse_int(text: str | None, *, minimum: int, maximum: int) -> int | None:
    """An optional minus sign and ASCII digits, within ``minimum`` and ``maximum``; None otherwise."""
    if text is None:
        return None
    if not is_ascii_digits(text.removeprefix("-"), max_length=_LONGEST_NUMBER):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(text: str | None) -> int | None:
    """A row's id from a query parameter or a form: a positive integer that fits a bigint, or None."""
    return parse_int(text, minimum=1, maximum=MAX_ID)


def parse_slug(text: str | None, *, max_length: int = 100) -> str | None:
    """A slug as Django's SlugField keeps it (ASCII letters, digits, - and _), or None."""
    if text is None or len(text) > max_length or not _SLUG.fullmatch(text):
        return None
    return text
