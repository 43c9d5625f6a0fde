"""HTML5 validation for the pages the tests render, offline: html5lib's parser plus a few
content-model rules that a parser cannot see.

html5lib implements the WHATWG parsing algorithm and reports every parse error that its
strict mode (``HTMLParser(strict=True)``) would raise on: stray end tags, duplicate
attributes, elements left open, misnested tags, a missing doctype, bad character
references. Markup that parses cleanly but breaks the content model (a ``<p>`` straight
inside a ``<ul>``, an id used twice) is checked on the parsed tree below.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import html5lib
from html5lib.constants import E, namespaces

_NS = f"{{{namespaces['html']}}}"
# Only these may be children of a list (the content model of ul, ol and menu).
_LIST_CHILDREN = frozenset({"li", "script", "template"})
_LISTS = frozenset({"ul", "ol", "menu"})

_checked: dict[bytes, tuple[str, ...]] = {}


def html_errors(markup: str | bytes) -> list[str]:
    """Every problem in the document, each with its line and a piece of the source."""
    key = hashlib.blake2b(markup if isinstance(markup, bytes) else markup.encode(), digest_size=16).digest()
    if key not in _checked:  # the same body, rendered again by another test, is not parsed again
        _checked[key] = tuple(_errors(markup))
    return list(_checked[key])


def _errors(markup: str | bytes) -> list[str]:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"))
    document = parser.parse(markup)
    text = markup.decode("utf-8", "replace") if isinstance(markup, bytes) else markup
    lines = text.splitlines()
    found = []
    for (line, column), code, data in parser.errors:
        template = E.get(code, code)
        try:
            message = template % data if data else template
        except (KeyError, TypeError, ValueError):
            message = template
        source = lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""
        found.append(f"line {line}, column {column}: {code}: {message}\n    {source}")
    found.extend(_content_model_errors(document))
    return found


def _content_model_errors(document) -> list[str]:
    found = []
    ids = Counter()
    for element in document.iter():
        if not isinstance(element.tag, str):  # comments
            continue
        if element.get("id"):
            ids[element.get("id")] += 1
        tag = element.tag.removeprefix(_NS)
        if tag in _LISTS:
            for child in element:
                if isinstance(child.tag, str) and child.tag.removeprefix(_NS) not in _LIST_CHILDREN:
                    found.append(f"<{child.tag.removeprefix(_NS)}> inside <{tag}>: only <li> may be a list's child")
        elif tag == "dl":
            for child in element:
                if isinstance(child.tag, str) and child.tag.removeprefix(_NS) not in {"dt", "dd", "div", "script"}:
                    found.append(f"<{child.tag.removeprefix(_NS)}> inside <dl>: only <dt>, <dd> or <div> may be")
    found.extend(f'id="{value}" is used {count} times' for value, count in ids.items() if count > 1)
    return found


def assert_valid_html(markup: str | bytes, *, where: str) -> None:
    errors = html_errors(markup)
    if errors:
        listing = "\n".join(f"  {error}" for error in errors)
        raise AssertionError(f"{where} is not valid HTML5 ({len(errors)} problem(s)):\n{listing}")
