"""Fill in a reading item's details from arXiv, Crossref or Open Library.

One call, ``lookup(raw)``, for whatever a person pasted. It either returns the
details or raises ``LookupFailed`` with a message that tells the person what
happened and that they can type the details in themselves. A person is waiting
on the answer, so there is one attempt with a short timeout and no retries;
successes are cached for a day, failures not at all (the next try may work).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import requests
import urllib3
from django.conf import settings
from django.core.cache import cache

from reading.identifiers import Identifier, IdentifierError, detect, isbn13_to_isbn10, normalize_doi, normalize_isbn

__all__ = ["LookupFailed", "Metadata", "lookup"]

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 60 * 60
# Bump when Metadata changes shape, so that old cached entries are not read back.
_CACHE_VERSION = 1
# A bibliographic record is a few kilobytes; anything far larger is not what we asked for.
_MAX_BYTES = 2 * 1024 * 1024

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
# arXiv papers carry DataCite DOIs (10.48550/arXiv.<id>) that Crossref does not know.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$")
_YEAR = re.compile(r"\b(1[4-9]\d\d|20\d\d)\b")
_CROSSREF_BOOK_TYPES = {"book", "monograph", "edited-book", "reference-book", "book-set"}

ARXIV = "arXiv"
CROSSREF = "Crossref"
OPEN_LIBRARY = "Open Library"


class LookupFailed(Exception):
    """No details could be fetched; the message is fit to show the person."""


@dataclass
class Metadata:
    """A paper's or book's details as a service knows them; "" where unknown."""

    kind: Literal["paper", "book"]
    title: str
    source: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    isbn: str = ""


def lookup(raw: str) -> Metadata:
    """The details of the paper or book that ``raw`` names (an id or a link)."""
    try:
        identifier = detect(raw)
    except IdentifierError as error:
        raise LookupFailed(str(error)) from None
    identifier = _route(identifier)
    key = _cache_key(identifier)
    if (cached := _from_cache(key)) is not None:
        return cached
    metadata = _fetch(identifier)
    cache.set(key, asdict(metadata), CACHE_SECONDS)
    return metadata


def _route(identifier: Identifier) -> Identifier:
    if identifier.kind == "url":
        # detect() already sent arxiv.org and doi.org links to their services.
        raise LookupFailed("We can only fill in details for arXiv, DOI and ISBN links; fill in the details by hand.")
    if identifier.kind == "doi" and (match := _ARXIV_DOI.match(identifier.value)):
        try:
            return detect(f"arXiv:{match['id']}")
        except IdentifierError:
            return identifier
    return identifier


def _fetch(identifier: Identifier) -> Metadata:
    if identifier.kind == "arxiv":
        return _arxiv(identifier.value)
    if identifier.kind == "doi":
        return _crossref(identifier.value)
    return _open_library(identifier.value)


# --- Cache -----------------------------------------------------------------------


def _cache_key(identifier: Identifier) -> str:
    # Hashed: DOIs may hold characters (spaces aside) that some cache backends refuse in keys.
    digest = hashlib.sha256(identifier.value.encode()).hexdigest()
    return f"reading:lookup:v{_CACHE_VERSION}:{identifier.kind}:{digest}"


def _from_cache(key: str) -> Metadata | None:
    data = cache.get(key)
    if not isinstance(data, dict):
        return None
    try:
        return Metadata(**data)
    except TypeError:
        return None


# --- HTTP ------------------------------------------------------------------------


def _user_agent() -> str:
    # Crossref and arXiv ask callers to say who they are and how to reach them.
    return f"LearningDay/1.0 (Learning Day reading list; +{settings.SITE_URL})"


def _get(url: str, *, service: str, what: str, params: dict[str, str] | None = None, accept: str) -> bytes:
    """The body of a 200 answer, or LookupFailed saying what went wrong."""
    timeout = float(settings.METADATA_LOOKUP_TIMEOUT)
    headers = {"User-Agent": _user_agent(), "Accept": accept}
    try:
        # requests makes a single attempt unless told otherwise: no retries while a person waits.
        with requests.get(url, params=params, headers=headers, timeout=timeout, stream=True) as response:
            _check_status(response, service=service, what=what)
            return _read_body(response, service=service, deadline=time.monotonic() + timeout)
    except requests.RequestException as error:
        if _is_timeout(error):
            logger.warning("%s lookup of %s timed out after %ss", service, what, timeout)
            raise LookupFailed(f"{service} did not answer in time; fill in the details by hand.") from None
        logger.warning("%s lookup of %s failed: %s", service, what, error)
        raise LookupFailed(f"We could not reach {service}; fill in the details by hand.") from None


def _is_timeout(error: requests.RequestException) -> bool:
    # requests reports a read timeout in the middle of the body as a ConnectionError.
    cause = error.args[0] if error.args else None
    return isinstance(error, requests.Timeout) or isinstance(cause, urllib3.exceptions.ReadTimeoutError)


def _check_status(response: requests.Response, *, service: str, what: str) -> None:
    status = response.status_code
    if status == 200:
        return
    logger.warning("%s answered HTTP %s for %s", service, status, what)
    if status in {404, 410}:
        raise LookupFailed(f"{service} does not know {what}; check it, or fill in the details by hand.")
    if status == 429:
        raise LookupFailed(f"{service} is busy right now; try again in a minute, or fill in the details by hand.")
    raise LookupFailed(f"{service} could not answer (error {status}); fill in the details by hand.")


def _read_body(response: requests.Response, *, service: str, deadline: float) -> bytes:
    # The timeout bounds each wait for bytes, not the whole answer; a server that
    # trickles (or sends a huge body) is cut off here instead.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        size += len(chunk)
        if size > _MAX_BYTES:
            raise _unreadable(service)
        if time.monotonic() > deadline:
            raise requests.Timeout
        chunks.append(chunk)
    return b"".join(chunks)


def _unreadable(service: str) -> LookupFailed:
    return LookupFailed(f"{service} sent an answer we could not read; fill in the details by hand.")


def _no_title(service: str) -> LookupFailed:
    return LookupFailed(f"{service} has no title for this; fill in the details by hand.")


def _parse_json(body: bytes, *, service: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        logger.warning("%s sent malformed JSON", service)
        raise _unreadable(service) from None


def _parse_xml(body: bytes, *, service: str) -> ET.Element:
    # The standard library parser does not fetch external entities, and the expat it
    # ships (2.4.1 and later) caps entity expansion. Atom feeds never need a DTD, so
    # refusing any DOCTYPE also rules out entity tricks without adding defusedxml.
    if b"<!DOCTYPE" in body:
        logger.warning("%s sent XML with a DOCTYPE", service)
        raise _unreadable(service)
    try:
        return ET.fromstring(body)  # noqa: S314 -- see above
    except ET.ParseError:
        logger.warning("%s sent malformed XML", service)
        raise _unreadable(service) from None


def _clean(text: str | None) -> str:
    """Text with runs of whitespace (arXiv wraps titles over lines) made single spaces."""
    return " ".join((text or "").split())


def _year(text: str | None) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


# --- arXiv -----------------------------------------------------------------------


def _arxiv(arxiv_id: str) -> Metadata:
    body = _get(
        settings.ARXIV_API_URL,
        params={"id_list": arxiv_id},
        service=ARXIV,
        what=f"arXiv:{arxiv_id}",
        accept="application/atom+xml",
    )
    feed = _parse_xml(body, service=ARXIV)
    if feed.tag != f"{_ATOM}feed":
        raise _unreadable(ARXIV)
    entry = feed.find(f"{_ATOM}entry")
    # An unknown id gives an empty feed; a refused one an entry whose id is an error page.
    if entry is None or "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
        raise LookupFailed(f"arXiv does not know arXiv:{arxiv_id}; check it, or fill in the details by hand.")
    title = _clean(entry.findtext(f"{_ATOM}title"))
    if not title:
        raise _no_title(ARXIV)
    authors = [_clean(author.findtext(f"{_ATOM}name")) for author in entry.findall(f"{_ATOM}author")]
    doi = entry.findtext(f"{_ARXIV}doi") or ""
    return Metadata(
        kind="paper",
        title=title,
        authors=[name for name in authors if name],
        year=_year(entry.findtext(f"{_ATOM}published")),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        doi=_doi_or_blank(doi),
        source=ARXIV,
    )


# --- Crossref --------------------------------------------------------------------


def _crossref(doi: str) -> Metadata:
    body = _get(
        f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='/')}",
        service=CROSSREF,
        what=f"the DOI {doi}",
        accept="application/json",
    )
    data = _parse_json(body, service=CROSSREF)
    work = data.get("message") if isinstance(data, dict) else None
    if not isinstance(work, dict):
        raise _unreadable(CROSSREF)
    title = _with_subtitle(_crossref_text(work.get("title")), _crossref_text(work.get("subtitle")))
    if not title:
        raise _no_title(CROSSREF)
    is_book = work.get("type") in _CROSSREF_BOOK_TYPES
    return Metadata(
        kind="book" if is_book else "paper",
        title=title,
        authors=_crossref_people(work.get("author")) or _crossref_people(work.get("editor")),
        year=_crossref_year(work),
        url=f"https://doi.org/{doi}",
        doi=doi,
        isbn=_first_isbn(work.get("ISBN")) if is_book else "",
        source=CROSSREF,
    )


def _crossref_text(value: Any) -> str:
    """The first string of a Crossref list, without the HTML markup some titles carry (<i>, <sub>)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), "")
    if not isinstance(value, str):
        return ""
    return _clean(html.unescape(re.sub(r"<[^>]+>", "", value)))


def _crossref_people(people: Any) -> list[str]:
    if not isinstance(people, list):
        return []
    names = []
    for person in people:
        if not isinstance(person, dict):
            continue
        # Organisations come as {"name": ...}; people as given and family names.
        given, family = person.get("given") or "", person.get("family") or ""
        name = _clean(f"{given} {family}") or _clean(person.get("name"))
        if name:
            names.append(name)
    return names


def _crossref_year(work: dict) -> int | None:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        try:
            year = work[key]["date-parts"][0][0]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(year, int):
            return year
    return None


# --- Open Library ----------------------------------------------------------------

# The Books API (/api/books?jscmd=data) rather than /isbn/<isbn>.json: it answers with
# the authors' names in the same response, where the edition record only links to
# author records that would each cost another request while the person waits.


def _open_library(isbn: str) -> Metadata:
    keys = [f"ISBN:{isbn}"]
    # Older editions are often filed under their ISBN-10 only; ask for both at once.
    if isbn10 := isbn13_to_isbn10(isbn):
        keys.append(f"ISBN:{isbn10}")
    body = _get(
        f"{settings.OPENLIBRARY_API_URL}/api/books",
        params={"bibkeys": ",".join(keys), "format": "json", "jscmd": "data"},
        service=OPEN_LIBRARY,
        what=f"the ISBN {isbn}",
        accept="application/json",
    )
    data = _parse_json(body, service=OPEN_LIBRARY)
    if not isinstance(data, dict):
        raise _unreadable(OPEN_LIBRARY)
    book = next((data[key] for key in keys if isinstance(data.get(key), dict)), None)
    if book is None:
        # The Books API answers 200 with {} for an ISBN it does not know.
        raise LookupFailed(f"Open Library does not know the ISBN {isbn}; check it, or fill in the details by hand.")
    title = _with_subtitle(_clean(_str(book.get("title"))), _clean(_str(book.get("subtitle"))))
    if not title:
        raise _no_title(OPEN_LIBRARY)
    authors = [_clean(_str(author.get("name"))) for author in book.get("authors") or [] if isinstance(author, dict)]
    url = _str(book.get("url"))
    return Metadata(
        kind="book",
        title=title,
        authors=[name for name in authors if name],
        year=_year(_str(book.get("publish_date"))),
        url=url if url.startswith(("https://", "http://")) else "",
        isbn=isbn,
        source=OPEN_LIBRARY,
    )


# --- Small helpers ---------------------------------------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _with_subtitle(title: str, subtitle: str) -> str:
    if title and subtitle and subtitle.lower() not in title.lower():
        return f"{title}: {subtitle}"
    return title


def _doi_or_blank(raw: str) -> str:
    try:
        return normalize_doi(raw) if raw.strip() else ""
    except IdentifierError:
        return ""


def _first_isbn(values: Any) -> str:
    for value in values if isinstance(values, list) else []:
        try:
            return normalize_isbn(_str(value))
        except IdentifierError:
            continue
    return ""
