"""BibTeX export and import of reading items, through bibtexparser 2.

Export writes plain ASCII BibTeX that classic BibTeX, biber and reference managers
all read: accents and LaTeX's special characters are written as LaTeX commands.
Import turns LaTeX back into plain Unicode and checks every entry on its own, so
that one bad entry does not stop the rest of a file from being imported.
"""

from __future__ import annotations

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
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

from reading.identifiers import IdentifierError, normalize_arxiv_id, normalize_doi, normalize_isbn

__all__ = ["BibRecord", "BibtexError", "ParsedEntry", "export_bibtex", "parse_bibtex"]

# The same bounds as Item.year, so that an imported year never fails at save time.
YEAR_MIN, YEAR_MAX = 1400, 2100

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
    """

    raw_key: str
    record: BibRecord | None
    errors: list[str] = field(default_factory=list)
    line: int | None = None


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
        ],
    )
    # Math is kept as written: "$\ell_1$" reads better than a half-converted formula.
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


_decoder = _make_decoder()


def latex_encode(text: str) -> str:
    """Plain text as LaTeX that reads back as the same text."""
    text = unicodedata.normalize("NFC", text).translate(_LATEX_SPECIALS_TABLE)
    return _encoder.unicode_to_latex(_LIGATURE.sub(lambda match: match.group(0) + "{}", text))


def latex_decode(text: str) -> str:
    """LaTeX from a .bib file as plain text on one line."""
    return " ".join(unicodedata.normalize("NFC", _decoder.latex_to_text(text)).split())


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
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ", ".join(sorted(block.duplicate_keys))
        key = block.ignore_error_block.key if isinstance(block.ignore_error_block, Entry) else ""
        return ParsedEntry(raw_key=key, record=None, errors=[f"It has more than one {names} field."], line=line)
    if isinstance(block, DuplicateBlockKeyBlock | MiddlewareErrorBlock) and isinstance(block.ignore_error_block, Entry):
        # We do not keep citation keys, so a key used twice is no reason to refuse the entry.
        block = block.ignore_error_block
    if not isinstance(block, Entry):
        return ParsedEntry(raw_key="", record=None, errors=["This entry could not be read."], line=line)
    return _parse_entry(block, line=line)


def _parse_entry(entry: Entry, *, line: int) -> ParsedEntry:
    values = {name.lower(): str(value) for name, value in entry.items()}
    errors: list[str] = []
    title = latex_decode(values.get("title", ""))
    if not title:
        errors.append("It has no title.")
    year = _year(values, errors)
    doi = _identifier(values.get("doi", ""), normalize_doi, errors)
    isbn = _identifier(_first_isbn(values.get("isbn", "")), normalize_isbn, errors)
    arxiv_id = _identifier(_arxiv_eprint(values), normalize_arxiv_id, errors)
    if errors:
        return ParsedEntry(raw_key=entry.key, record=None, errors=errors, line=line)
    record = BibRecord(
        key=entry.key,
        kind=_kind(entry.entry_type.lower(), values, arxiv_id=arxiv_id, doi=doi, isbn=isbn),
        title=title,
        authors=_authors(values.get("author") or values.get("editor") or ""),
        year=year,
        url=_url_from(values),
        arxiv_id=arxiv_id,
        doi=doi,
        isbn=isbn,
        note=latex_decode(values.get("annote") or values.get("annotation") or ""),
    )
    return ParsedEntry(raw_key=entry.key, record=record, line=line)


def _year(values: dict[str, str], errors: list[str]) -> int | None:
    raw = latex_decode(values.get("year", ""))
    if not raw:
        # biblatex writes dates as 2019-05-14 in "date" instead of "year".
        match = re.match(r"^\s*(\d{4})", values.get("date", ""))
        return int(match.group(1)) if match else None
    if not raw.isdigit():
        errors.append(f"The year “{raw}” is not a number.")
        return None
    year = int(raw)
    if not YEAR_MIN <= year <= YEAR_MAX:
        errors.append(f"The year {year} is not between {YEAR_MIN} and {YEAR_MAX}.")
        return None
    return year


def _verbatim(raw: str) -> str:
    """An identifier or link as written, less the escapes some tools add (\\_ for _)."""
    return re.sub(r"\\([_%&#$~])", r"\1", raw.replace("{", "").replace("}", "")).strip()


def _identifier(raw: str, normalize: Callable[[str], str], errors: list[str]) -> str:
    # Not LaTeX-decoded: a % in a DOI would read as the start of a comment.
    raw = _verbatim(raw)
    if not raw:
        return ""
    try:
        return normalize(raw)
    except IdentifierError as error:
        errors.append(str(error))
        return ""


def _first_isbn(raw: str) -> str:
    # Some exports list several ISBNs (hardback, paperback) in one field.
    return re.split(r"[,;]|\s{2,}", raw.strip())[0] if raw.strip() else ""


def _arxiv_eprint(values: dict[str, str]) -> str:
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "").strip().lower()
    eprint = values.get("eprint", "").strip()
    return eprint if eprint and prefix in {"arxiv", ""} else ""


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


def _authors(raw: str) -> list[str]:
    names = []
    for name in split_multiple_persons_names(raw):
        if name.strip().lower() == "others":
            names.append(ET_AL)
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        decoded = latex_decode(parts.merge_first_name_first)
        if decoded:
            names.append(decoded)
    return names


def _url_from(values: dict[str, str]) -> str:
    url = _verbatim(values.get("url", ""))
    if not url:
        # Older styles have no url field, so exports put \url{...} in howpublished.
        match = re.search(r"\\url\{([^}]*)\}", values.get("howpublished", ""))
        url = match.group(1) if match else ""
    return url if re.match(r"^https?://", url, re.IGNORECASE) else ""
