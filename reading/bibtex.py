"""BibTeX export and import of reading items, through bibtexparser 2.

Export writes plain ASCII BibTeX that classic BibTeX, biber and reference managers
all read: accents and LaTeX's special characters are written as LaTeX commands.
Import turns LaTeX back into plain Unicode and checks every entry on its own, so
that one bad entry does not stop the rest of a file from being imported; within an
entry, a field that cannot be used is left out with a note, and only an entry without
a title is refused.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)
from bibtexparser.writer import BibtexFormat
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

from learningday import parsing
from reading.identifiers import (
    IdentifierError,
    detect,
    normalize_arxiv_eprint,
    normalize_arxiv_id,
    normalize_doi,
    normalize_isbn,
)

__all__ = ["BibRecord", "BibtexError", "ParsedEntry", "export_bibtex", "parse_bibtex"]

# The same bounds as Item's fields (and the item form's), so that an imported record never fails at save time.
YEAR_MIN, YEAR_MAX = 1400, 2100
TITLE_MAX = 300
URL_MAX = 500
AUTHORS_MAX = 100

_url_validator = URLValidator(schemes=["http", "https"])

# pylatexenc logs every brace it cannot match; an import of a large file would flood the log.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)

# BibTeX's "and others" is what the reading list writes as "et al.".
ET_AL = "et al."

# Words that make poor citation keys ("ho2019population", not "ho2019a").
_KEY_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "towards", "toward"}

# How each kind is written, and how entry types read back. Non-paper kinds have no
# BibTeX type of their own: they are @misc with the kind in howpublished.
_HOWPUBLISHED = {"tutorial": "Tutorial", "course": "Course", "video": "Video", "code": "Code"}
_PAPER_TYPES = {
    "article",
    "inproceedings",
    "conference",
    "incollection",
    "techreport",
    "report",
    "phdthesis",
    "mastersthesis",
    "thesis",
    "unpublished",
    "preprint",
}
_BOOK_TYPES = {"book", "inbook", "booklet", "proceedings", "mvbook", "collection", "manual"}
# @online, @webpage, @misc and unknown types are decided by their fields (see _kind).
_OTHER_TYPES = {"software": "code", "video": "video", "movie": "video"}


class BibtexError(ValueError):
    """The file as a whole cannot be read; the message is fit to show the person."""


@dataclass
class BibRecord:
    """One reading item as BibTeX sees it; "" where unknown. ``key`` "" lets export make one."""

    key: str
    kind: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    isbn: str = ""
    note: str = ""


@dataclass
class ParsedEntry:
    """One entry of an imported file: a record ready to save, or the errors that stop it.

    ``record`` is None exactly when ``errors`` is not empty; ``line`` counts from 1.
    ``notes`` say which fields were left out of the record and why.
    """

    raw_key: str
    record: BibRecord | None
    errors: list[str] = field(default_factory=list)
    line: int | None = None
    notes: list[str] = field(default_factory=list)
    title: str = ""


# --- LaTeX <-> Unicode -----------------------------------------------------------

# Characters LaTeX treats specially. Braces are written as commands, not \{ \}, because
# classic BibTeX counts every brace, escaped or not, and would read a lone \{ as unbalanced.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIALS_TABLE = str.maketrans(_LATEX_SPECIALS)
# TeX joins "--" into a dash, "``" into a quote and "?`" into "¿"; an empty group keeps them apart.
_LIGATURE = re.compile(r"([-`'])(?=\1)|[?!](?=`)")

_encoder = UnicodeToLatexEncoder(
    non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
)


def _make_decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    # pylatexenc's defaults turn these into look-alikes (U+02C6, braces dropped).
    context.add_context_category(
        "learningday",
        prepend=True,
        macros=[
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            # Mendeley writes the HTML in titles (<i>in vivo</i>) as {\textless}i{\textgreater}.
            MacroTextSpec("textless", "<"),
            MacroTextSpec("textgreater", ">"),
        ],
    )
    # Math is kept as written: "$\ell_1$" reads better than a half-converted formula.
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


_decoder = _make_decoder()
# Made once: pylatexenc builds its default parsing context afresh for every call otherwise,
# which was a third of an import's time.
_walker_context = latexwalker.get_default_latex_context_db()


def latex_encode(text: str) -> str:
    """Plain text as LaTeX that reads back as the same text."""
    text = unicodedata.normalize("NFC", text).translate(_LATEX_SPECIALS_TABLE)
    return _encoder.unicode_to_latex(_LIGATURE.sub(lambda match: match.group(0) + "{}", text))


# Only the markup tags that publishers put in titles, so that "a < b" stays as it is.
_HTML_TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|u|scp|sc|span)>", re.IGNORECASE)


# What makes text LaTeX rather than plain: commands, maths, comments, ties, and what TeX joins
# (-- ``). Braces alone only group, so text with nothing else is read without the parser.
_LATEX_MARKUP = re.compile(r"[\\$%~^_&#]|--|``|''|!`|\?`")


def latex_decode(text: str) -> str:
    """LaTeX from a .bib file as plain text on one line."""
    if _LATEX_MARKUP.search(text):
        walker = latexwalker.LatexWalker(text, latex_context=_walker_context, tolerant_parsing=True)
        text = _decoder.nodelist_to_text(walker.get_latex_nodes()[0])
    else:
        text = text.replace("{", "").replace("}", "")
    return " ".join(unicodedata.normalize("NFC", _HTML_TAG.sub("", text)).split())


# --- Export ----------------------------------------------------------------------

_FORMAT = BibtexFormat()
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"


def export_bibtex(records: Iterable[BibRecord]) -> str:
    """The records as a BibTeX file, each under its own citation key."""
    library = Library()
    taken: set[str] = set()
    for record in records:
        key = _unique_key(record.key or _make_key(record), taken)
        library.add(Entry(entry_type=_entry_type(record), key=key, fields=_fields(record)))
    return bibtexparser.write_string(library, bibtex_format=_FORMAT)


def _entry_type(record: BibRecord) -> str:
    if record.kind == "book":
        return "book"
    if record.kind == "paper":
        return "article"
    return "misc"


def _fields(record: BibRecord) -> list[Field]:
    # Title in an extra pair of braces so that styles keep its capitals ("BERT", not "bert").
    values = [
        ("title", "{" + latex_encode(record.title) + "}"),
        ("author", " and ".join(_author(name) for name in record.authors)),
        ("year", str(record.year) if record.year else ""),
        ("howpublished", _HOWPUBLISHED.get(record.kind, "")),
        ("url", _url(record.url)),
        ("doi", record.doi),
        ("isbn", record.isbn),
        ("eprint", record.arxiv_id),
        ("archivePrefix", "arXiv" if record.arxiv_id else ""),
        # annote, not note: styles print note in the bibliography; annote is a reader's remark.
        ("annote", latex_encode(record.note)),
    ]
    return [Field(key, value) for key, value in values if value]


def _author(name: str) -> str:
    if name.strip() == ET_AL:
        return "others"
    encoded = latex_encode(name.strip())
    # A comma or a lone "and" would split the name; braces keep an organisation whole.
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + encoded + "}"
    return encoded


def _url(url: str) -> str:
    # Braces would unbalance the field; percent-encoding them leaves the link the same.
    return url.replace("{", "%7B").replace("}", "%7D")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _make_key(record: BibRecord) -> str:
    """lastname + year + first significant title word, as Google Scholar does: ho2019population."""
    author = next((name for name in record.authors if name.strip() and name.strip() != ET_AL), "")
    last = ""
    if author:
        parts = parse_single_name_into_parts(author, strict=False)
        last = _ascii_word("".join(parts.last) or author.split()[-1])
    words = [_ascii_word(word) for word in record.title.split()]
    word = next((w for w in words if w and w not in _KEY_STOP_WORDS), next((w for w in words if w), ""))
    return f"{last}{record.year or ''}{word}" or "item"


def _unique_key(wanted: str, taken: set[str]) -> str:
    # Keys may not hold spaces, commas, braces or quotes; keep a conservative set.
    base = re.sub(r"[^A-Za-z0-9_:.\-/+]", "", wanted) or "item"
    key, suffix = base, 1
    while key.lower() in taken:  # BibTeX compares keys without case
        suffix += 1
        key = f"{base}{_suffix(suffix)}"
    taken.add(key.lower())
    return key


def _suffix(number: int) -> str:
    """b, c, ... z, then 27, 28, ...: the first use of a key has no suffix."""
    return chr(ord("a") + number - 1) if number <= 26 else str(number)


# --- Import ----------------------------------------------------------------------


def parse_bibtex(text: str) -> list[ParsedEntry]:
    """Every entry of a .bib file, in file order, each with its record or its errors.

    Raises BibtexError when the file is not BibTeX at all or is broken so that entries
    cannot be told apart (an unclosed brace swallows the entries after it, so importing
    the rest could silently lose some).
    """
    try:
        library = bibtexparser.parse_string(text)
    except Exception as error:  # bibtexparser raises on states it considers its own bugs
        raise BibtexError("The file could not be read as BibTeX. Check that it is a .bib file.") from error
    broken = [block for block in library.failed_blocks if type(block) is ParsingFailedBlock]
    if broken:
        raise BibtexError(_broken_message(broken))
    parsed = [_parse_block(block) for block in library.blocks if isinstance(block, Entry | ParsingFailedBlock)]
    if not parsed:
        raise BibtexError("The file holds no BibTeX entries (such as @article{...} or @book{...}).")
    return parsed


def _broken_message(blocks: list[ParsingFailedBlock]) -> str:
    lines = ", ".join(str((block.start_line or 0) + 1) for block in blocks[:5])
    more = " and more" if len(blocks) > 5 else ""
    where = "line" if len(blocks) == 1 else "lines"
    return (
        f"The file is not valid BibTeX: the entry starting on {where} {lines}{more} could not be read. "
        "Check its braces, quotes and commas, then upload the file again."
    )


def _parse_block(block: Entry | ParsingFailedBlock) -> ParsedEntry:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
        # Which of the two values is meant cannot be known: both are left out, the rest comes in.
        entry = block.ignore_error_block
        values = {f.key.lower(): _unenclosed(str(f.value)) for f in entry.fields}
        duplicated = {name.lower() for name in block.duplicate_keys}
        return _parse_entry(entry, values, line=line, duplicated=duplicated)
    if isinstance(block, DuplicateBlockKeyBlock | MiddlewareErrorBlock) and isinstance(block.ignore_error_block, Entry):
        # We do not keep citation keys, so a key used twice is no reason to refuse the entry.
        block = block.ignore_error_block
    if not isinstance(block, Entry):
        return ParsedEntry(raw_key="", record=None, errors=["This entry could not be read."], line=line)
    return _parse_entry(block, {name.lower(): str(value) for name, value in block.items()}, line=line)


def _unenclosed(value: str) -> str:
    """A raw field value without its outer braces or quotes (blocks in error skip that middleware)."""
    if len(value) >= 2 and (value[0], value[-1]) in {("{", "}"), ('"', '"')}:
        return value[1:-1]
    return value


def _parse_entry(entry: Entry, values: dict[str, str], *, line: int, duplicated: set[str] = frozenset()) -> ParsedEntry:
    """The entry's record; a field that cannot be used is left out with a note, only a missing title stops it."""
    notes = [f"It has more than one {name} field: both were left out." for name in sorted(duplicated - {"title"})]
    values = {name: value for name, value in values.items() if name not in duplicated}
    title = latex_decode(values.get("title", ""))
    if not title:
        error = "It has more than one title field." if "title" in duplicated else "It has no title."
        return ParsedEntry(raw_key=entry.key, record=None, errors=[error], line=line)
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
        notes.append(f"The title was cut to {TITLE_MAX} characters.")
    doi = _identifier(values.get("doi", ""), normalize_doi, "DOI", notes)
    arxiv_id = _arxiv_id(values, notes)
    links, linked = _links(values, notes)
    doi = doi or linked.get("doi", "")
    arxiv_id = arxiv_id or linked.get("arxiv", "")
    isbn = _isbn(values.get("isbn", ""), notes)
    record = BibRecord(
        key=entry.key,
        kind=_kind(entry.entry_type.lower(), values, arxiv_id=arxiv_id, doi=doi, isbn=isbn),
        title=title,
        authors=_authors(values.get("author") or values.get("editor") or "", notes),
        year=_year(values, notes),
        url=links[0] if links else "",
        arxiv_id=arxiv_id,
        doi=doi,
        isbn=isbn,
        note=latex_decode(values.get("annote") or values.get("annotation") or ""),
    )
    return ParsedEntry(raw_key=entry.key, record=record, line=line, notes=notes, title=title)


def _year(values: dict[str, str], notes: list[str]) -> int | None:
    raw = latex_decode(values.get("year", ""))
    if not raw:
        # biblatex writes dates as 2019-05-14 in "date" instead of "year".
        match = re.match(r"^\s*([0-9]{4})", values.get("date", ""))
        return int(match.group(1)) if match else None
    # ASCII digits only ("²" or "፩" pass isdigit() but not int()), and not thousands of them.
    if not parsing.is_ascii_digits(raw):
        notes.append(f"The year “{_shown(raw)}” is not a number: it was left out.")
        return None
    year = parsing.parse_int(raw, minimum=YEAR_MIN, maximum=YEAR_MAX)
    if year is None:
        notes.append(f"The year {_shown(raw)} is not between {YEAR_MIN} and {YEAR_MAX}: it was left out.")
    return year


def _shown(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _verbatim(raw: str) -> str:
    """An identifier or link as written, less the escapes some tools add (\\_ for _)."""
    return re.sub(r"\\([_%&#$~])", r"\1", raw.replace("{", "").replace("}", "")).strip()


def _identifier(raw: str, normalize: Callable[[str], str], label: str, notes: list[str]) -> str:
    # Not LaTeX-decoded: a % in a DOI would read as the start of a comment.
    raw = _verbatim(raw)
    if not raw:
        return ""
    try:
        return normalize(raw)
    except IdentifierError as error:
        notes.append(f"{error} The {label} was left out.")
        return ""


# An ISSN (a journal's number, 1234-567X) is what reference managers often put in the isbn field.
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _isbn(raw: str, notes: list[str]) -> str:
    """The first usable ISBN; some exports list several (hardback, paperback) or an ISSN."""
    candidates = [part.strip() for part in re.split(r"[,;\n]|\s{2,}", _verbatim(raw)) if part.strip()]
    problems = []
    for candidate in candidates:
        if _ISSN.match(candidate):
            problems.append(f"“{candidate}” in the isbn field is an ISSN (a journal's number), not an ISBN.")
            continue
        try:
            return normalize_isbn(candidate)
        except IdentifierError as error:
            problems.append(str(error))
    if problems:
        notes.append(f"{problems[0]} The ISBN was left out.")
    return ""


def _arxiv_id(values: dict[str, str], notes: list[str]) -> str:
    """Mendeley writes arxivId; biblatex and others eprint (with primaryClass for old-style ids)."""
    if values.get("arxivid", "").strip():
        return _identifier(values["arxivid"], normalize_arxiv_id, "arXiv id", notes)
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "").strip().lower()
    eprint = values.get("eprint", "").strip()
    if not eprint or prefix not in {"arxiv", ""}:
        return ""
    primary_class = _verbatim(values.get("primaryclass", ""))
    return _identifier(eprint, lambda raw: normalize_arxiv_eprint(raw, primary_class), "arXiv id", notes)


def _links(values: dict[str, str], notes: list[str]) -> tuple[list[str], dict[str, str]]:
    """The web links of the entry, and the DOI or arXiv id that doi.org or arxiv.org links name."""
    raw = _verbatim(values.get("url", ""))
    if not raw:
        # Older styles have no url field, so exports put \url{...} in howpublished.
        match = re.search(r"\\url\{([^}]*)\}", values.get("howpublished", ""))
        raw = match.group(1) if match else ""
    # Mendeley and Zotero put several links in one field, separated by spaces or new lines.
    links, refused = [], []
    for part in raw.split():
        try:
            if len(part) > URL_MAX:
                raise ValidationError("too long")
            _url_validator(part)
        except ValidationError:
            refused.append(part)
        else:
            links.append(part)
    if refused and not links:
        notes.append(f"The link “{_shown(refused[0])}” is not a web address we can use: it was left out.")
    linked: dict[str, str] = {}
    for link in links:
        try:
            found = detect(link)
        except IdentifierError:
            continue
        linked.setdefault(found.kind, found.value)
    return links, linked


def _kind(entry_type: str, values: dict[str, str], *, arxiv_id: str, doi: str, isbn: str) -> str:
    if entry_type in _PAPER_TYPES:
        return "paper"
    if entry_type in _BOOK_TYPES:
        return "book"
    if entry_type in _OTHER_TYPES:
        return _OTHER_TYPES[entry_type]
    howpublished = latex_decode(values.get("howpublished", "")).lower()
    for kind, label in _HOWPUBLISHED.items():
        if howpublished == label.lower():
            return kind
    if arxiv_id or doi:
        return "paper"
    if isbn:
        return "book"
    # A @misc with nothing else to go on is most often a web page: a blog post or tutorial.
    return "tutorial"


def _authors(raw: str, notes: list[str]) -> list[str]:
    names = []
    for name in split_multiple_persons_names(raw):
        if name.strip().lower() == "others":
            names.append(ET_AL)
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        decoded = latex_decode(parts.merge_first_name_first)
        if decoded:
            names.append(decoded)
    if len(names) > AUTHORS_MAX:
        notes.append(f"Only the first {AUTHORS_MAX - 1} of {len(names)} authors were kept, then “{ET_AL}”.")
        names = [*names[: AUTHORS_MAX - 1], ET_AL]
    return names
