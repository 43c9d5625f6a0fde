"""Parse, check and normalise the identifiers of reading items: ISBN, arXiv id, DOI.

Every error message is written to be shown to the person who typed the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from learningday.parsing import is_ascii_digits

__all__ = [
    "Identifier",
    "IdentifierError",
    "detect",
    "isbn13_to_isbn10",
    "normalize_arxiv_eprint",
    "normalize_arxiv_id",
    "normalize_doi",
    "normalize_isbn",
    "validate_arxiv_id",
    "validate_doi",
    "validate_isbn",
]

PASTE_HINT = "Paste a link, an arXiv id, a DOI or an ISBN."

# Long pastes are cut in messages so that an error never repeats a paragraph back.
_SHOWN_LENGTH = 60

# People copy ISBNs from shops and PDFs, which use all kinds of dashes and spaces.
_ISBN_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_ISBN_PREFIX = re.compile(r"^isbn(?:-?1[03])?\s*:?\s*", re.IGNORECASE)

# arXiv's own grammar (arxiv-browse): new style since April 2007, old style before.
_ARXIV_NEW = re.compile(r"^(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<num>\d{4,5})(?:v(?P<version>[1-9]\d*))?$", re.ASCII)
_ARXIV_OLD = re.compile(
    r"^(?P<archive>[a-z]+(?:-[a-z]{2,})?)(?:\.(?P<subject>[a-z\-]{2,}))?/"
    r"(?P<yy>\d\d)(?P<mm>\d\d)(?P<num>\d{3})(?:v(?P<version>[1-9]\d*))?$",
    re.IGNORECASE | re.ASCII,
)
_ARXIV_PREFIX = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_ARXIV_PATH = re.compile(r"^/(?:abs|pdf|html|format)/(?P<id>.+?)(?:\.pdf)?/?$", re.IGNORECASE)

# Crossref's advice: 10.<registrant of 4-9 digits>/<any suffix>. The suffix may hold
# almost any character, so only whitespace is refused.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$", re.ASCII)
_DOI_PREFIX = re.compile(r"^doi\s*:\s*", re.IGNORECASE)
_DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
_SCHEMELESS_DOI_LINK = re.compile(r"^(?:www\.|dx\.)?doi\.org/", re.IGNORECASE)

_SCHEMELESS_SERVICE_LINK = re.compile(r"^(?:www\.|dx\.|export\.)?(?:arxiv|doi)\.org/", re.IGNORECASE)

_url_validator = URLValidator(schemes=["http", "https"])

Kind = Literal["arxiv", "doi", "isbn", "url"]


class IdentifierError(ValueError):
    """A value that is not the identifier it claims to be; the message is fit to show."""


@dataclass(frozen=True)
class Identifier:
    """What a person pasted, recognised: ``value`` is already normalised."""

    kind: Kind
    value: str


def _shown(raw: str) -> str:
    text = " ".join(raw.split())
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


# --- ISBN ----------------------------------------------------------------------


def _isbn10_check_digit(first_nine: str) -> str:
    total = sum((10 - position) * int(digit) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check_digit(first_twelve: str) -> str:
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def _isbn_compact(raw: str) -> str:
    """The characters of an ISBN without prefix, separators or a lower-case x."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _ISBN_PREFIX.sub("", text)
    return _ISBN_SEPARATORS.sub("", text).upper()


def normalize_isbn(raw: str) -> str:
    """ISBN-10 or ISBN-13, with or without hyphens, spaces or an "ISBN:" prefix, as 13 digits."""
    if not raw.strip():
        raise IdentifierError("Enter an ISBN.")
    compact = _isbn_compact(raw)
    invalid = f"{_shown(raw)} is not a valid ISBN"
    # ASCII only: "፩" and "٣" are digits to str.isdigit() (and "፩" is not to int()).
    if not re.fullmatch(r"[0-9X]*", compact):
        raise IdentifierError(f"{invalid}: use only the digits 0 to 9, hyphens and spaces.")
    if len(compact) == 10:
        if not (is_ascii_digits(compact[:9]) and (is_ascii_digits(compact[9]) or compact[9] == "X")):
            raise IdentifierError(f"{invalid}: only the last character of an ISBN-10 may be an X.")
        if _isbn10_check_digit(compact[:9]) != compact[9]:
            raise IdentifierError(f"{invalid}: its check digit is wrong.")
        first_twelve = "978" + compact[:9]
        return first_twelve + _isbn13_check_digit(first_twelve)
    if len(compact) == 13 and is_ascii_digits(compact):
        if not compact.startswith(("978", "979")):
            raise IdentifierError(f"{invalid}: an ISBN-13 starts with 978 or 979.")
        if _isbn13_check_digit(compact[:12]) != compact[12]:
            raise IdentifierError(f"{invalid}: its check digit is wrong.")
        return compact
    if "X" in compact:
        raise IdentifierError(f"{invalid}: only the last character of an ISBN-10 may be an X.")
    raise IdentifierError(f"{invalid}: an ISBN has 10 or 13 digits, this one has {len(compact)}.")


def isbn13_to_isbn10(isbn13: str) -> str:
    """The ISBN-10 of a normalised 978 ISBN-13, or "" (979 numbers have none)."""
    if len(isbn13) != 13 or not isbn13.startswith("978"):
        return ""
    return isbn13[3:12] + _isbn10_check_digit(isbn13[3:12])


def _looks_like_isbn(raw: str) -> bool:
    """ISBN-shaped, whatever the check digit: so that a typo gets the ISBN message."""
    text = raw.strip()
    compact = _isbn_compact(text)
    if _ISBN_PREFIX.match(text):
        return True
    return bool(re.fullmatch(r"97[89][0-9]{10}|[0-9]{9}[0-9X]", compact))


# --- arXiv ---------------------------------------------------------------------


def _arxiv_candidate(raw: str) -> str:
    """The id part of an arXiv id, "arXiv:" id or arxiv.org URL, version included."""
    text = raw.strip()
    parts = urlsplit(text)
    if parts.scheme in {"http", "https"}:
        match = _ARXIV_PATH.match(parts.path) if parts.hostname in _ARXIV_HOSTS else None
        if not match:
            raise IdentifierError(f"{_shown(raw)} is not a link to an arXiv paper.")
        return match.group("id")
    return _ARXIV_PREFIX.sub("", text)


def normalize_arxiv_id(raw: str) -> str:
    """An arXiv id, "arXiv:" id or arxiv.org link as the bare id without version.

    Old-style ids lose their subject class ("math.GT/0309136" becomes "math/0309136"):
    the class is not part of the identifier, and the short form is the one arXiv uses
    in its own links and answers.
    """
    if not raw.strip():
        raise IdentifierError("Enter an arXiv id.")
    candidate = _arxiv_candidate(raw)
    invalid = f"{_shown(raw)} is not a valid arXiv id"
    if match := _ARXIV_NEW.match(candidate):
        yy, mm, number = int(match["yy"]), int(match["mm"]), match["num"]
        if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
            raise IdentifierError(f"{invalid}: it should start with a year and month, such as 1905.")
        if len(number) != (5 if yy >= 15 else 4):
            digits = "five" if yy >= 15 else "four"
            raise IdentifierError(f"{invalid}: ids from 20{yy:02d} have {digits} digits after the dot.")
        return f"{match['yy']}{match['mm']}.{number}"
    if match := _ARXIV_OLD.match(candidate):
        if not 1 <= int(match["mm"]) <= 12:
            raise IdentifierError(f"{invalid}: the month in it does not exist.")
        return f"{match['archive'].lower()}/{match['yy']}{match['mm']}{match['num']}"
    raise IdentifierError(f"{invalid}: arXiv ids look like 1905.05393 or cs/0112017.")


# BibTeX tools (Mendeley, JabRef) split an old-style id: eprint = {0412083}, primaryClass = {quant-ph}.
_ARXIV_OLD_NUMBER = re.compile(r"^\d{7}(?:v[1-9]\d*)?$", re.ASCII)
_ARXIV_CLASS = re.compile(r"^[a-z]+(?:-[a-z]{2,})?(?:\.[a-z\-]{2,})?$", re.IGNORECASE)


def normalize_arxiv_eprint(eprint: str, primary_class: str = "") -> str:
    """A BibTeX ``eprint`` as a bare arXiv id; an old-style number takes its archive from ``primaryClass``."""
    text = _ARXIV_PREFIX.sub("", eprint.strip())
    if _ARXIV_OLD_NUMBER.match(text) and _ARXIV_CLASS.match(primary_class.strip()):
        text = f"{primary_class.strip()}/{text}"
    return normalize_arxiv_id(text)


def _is_arxiv_shaped(text: str) -> bool:
    if _ARXIV_PREFIX.match(text):
        return True
    return bool(_ARXIV_NEW.match(text) or _ARXIV_OLD.match(text))


# --- DOI -----------------------------------------------------------------------


def _doi_candidate(raw: str) -> str:
    text = _DOI_PREFIX.sub("", raw.strip())
    if _SCHEMELESS_DOI_LINK.match(text):
        text = f"https://{text}"  # "doi.org/10.…", as some exports and address bars write it
    parts = urlsplit(text)
    if parts.scheme in {"http", "https"}:
        if parts.hostname not in _DOI_HOSTS:
            raise IdentifierError(f"{_shown(raw)} is not a doi.org link.")
        # doi.org links percent-encode characters such as <, > and # in the suffix.
        return unquote(parts.path.lstrip("/"))
    return text


def normalize_doi(raw: str) -> str:
    """A DOI, "doi:" DOI or doi.org link as a lower-case "10.xxxx/yyyy" (DOIs ignore case)."""
    if not raw.strip():
        raise IdentifierError("Enter a DOI.")
    candidate = _doi_candidate(raw)
    if not _DOI.match(candidate):
        raise IdentifierError(f"{_shown(raw)} is not a valid DOI: a DOI looks like 10.1038/nature14539.")
    return candidate.lower()


def _is_doi_shaped(text: str) -> bool:
    return bool(_DOI_PREFIX.match(text) or text.startswith("10."))


# --- One box for everything -------------------------------------------------------


def _detect_url(text: str) -> Identifier:
    try:
        _url_validator(text)
    except ValidationError:
        raise IdentifierError(f"{_shown(text)} is not a link we can open. {PASTE_HINT}") from None
    host = urlsplit(text).hostname or ""
    if host in _ARXIV_HOSTS:
        try:
            return Identifier("arxiv", normalize_arxiv_id(text))
        except IdentifierError:
            pass  # an arXiv listing or search page: still a link
    if host in _DOI_HOSTS:
        try:
            return Identifier("doi", normalize_doi(text))
        except IdentifierError:
            pass
    return Identifier("url", text)


def detect(raw: str) -> Identifier:
    """Recognise what a person pasted into the one lookup box.

    An identifier that is recognisable but wrong (a DOI without a suffix, an ISBN
    with a bad check digit) gets that identifier's own message rather than the
    general hint, so that the person sees what to fix.
    """
    text = raw.strip()
    if not text:
        raise IdentifierError(PASTE_HINT)
    if _SCHEMELESS_SERVICE_LINK.match(text):
        text = f"https://{text}"  # copied from an address bar that hides the scheme
    if re.match(r"^https?://", text, re.IGNORECASE):
        return _detect_url(text)
    if _is_arxiv_shaped(text):
        return Identifier("arxiv", normalize_arxiv_id(text))
    if _is_doi_shaped(text):
        return Identifier("doi", normalize_doi(text))
    if _looks_like_isbn(text):
        return Identifier("isbn", normalize_isbn(text))
    raise IdentifierError(PASTE_HINT)


# --- Django validators ------------------------------------------------------------


# Plain module-level functions, so that migrations can refer to them by import path.


def validate_isbn(value: str) -> None:
    """Django validator for an ISBN-10 or ISBN-13."""
    _validate(normalize_isbn, value)


def validate_arxiv_id(value: str) -> None:
    """Django validator for an arXiv id or arxiv.org link."""
    _validate(normalize_arxiv_id, value)


def validate_doi(value: str) -> None:
    """Django validator for a DOI or doi.org link."""
    _validate(normalize_doi, value)


def _validate(normalize: Callable[[str], str], value: str) -> None:
    try:
        normalize(value)
    except IdentifierError as error:
        raise ValidationError(str(error), code="invalid") from None
