"""Which topics an entry is about: suggested from its reading-list items and the words of its text.

``rank`` is pure (it takes the topics, the items and the text); ``suggest_topics`` reads the topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from reading.models import Topic, split_keywords

# Points per reason: an item the entry is about says more than one word in its text.
ITEM_WEIGHT = 3
WORD_WEIGHT = 1


class HasTopic(Protocol):
    title: str
    topic_id: int | None


@dataclass
class Suggestion:
    topic: Topic
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def because(self) -> str:
        """The reasons in one line, for the form's note."""
        return "; ".join(self.reasons)


@lru_cache(maxsize=512)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a topic's keywords: whole words, any case, any spacing inside a phrase.

    Word edges are lookarounds rather than ``\\b`` so that a keyword such as "C++" or ".NET" still
    needs a non-word character (or the text's edge) on each side; ``\\w`` is Unicode-aware.
    """
    parts = [r"\s+".join(re.escape(word) for word in keyword.split()) for keyword in keywords if keyword.strip()]
    if not parts:
        return None
    # Longest first, so that "deep learning" is reported rather than "learning" where both are keywords.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def words_found(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords that occur in ``text``, as the admin wrote them, in the order of the keyword list."""
    pattern = keyword_pattern(tuple(keywords))
    if pattern is None or not text:
        return []
    seen = {" ".join(match.group(0).split()).casefold() for match in pattern.finditer(text)}
    return [keyword for keyword in keywords if " ".join(keyword.split()).casefold() in seen]


def rank(*, text: str, items: Iterable[HasTopic], topics: Iterable[Topic]) -> list[Suggestion]:
    """Topics for an entry, best first, each with why: its reading-list items' topics, then keyword matches."""
    by_id = {topic.pk: Suggestion(topic=topic) for topic in topics}
    for item in items:
        suggestion = by_id.get(item.topic_id)
        if suggestion is not None:
            suggestion.score += ITEM_WEIGHT
            suggestion.reasons.append(f"reading-list item “{item.title}”")
    for suggestion in by_id.values():
        found = words_found(text, split_keywords(suggestion.topic.keywords))
        if found:
            suggestion.score += WORD_WEIGHT * len(found)
            quoted = ", ".join(f"“{word}”" for word in found)
            suggestion.reasons.append(f"the word{'s' if len(found) > 1 else ''} {quoted}")
    found = [suggestion for suggestion in by_id.values() if suggestion.score]
    return sorted(found, key=lambda s: (-s.score, s.topic.name.casefold()))


def suggest_topics(*, text: str, items: Iterable[HasTopic]) -> list[Suggestion]:
    """``rank`` over every topic of the organisation (a few dozen: one small query)."""
    return rank(text=text, items=items, topics=Topic.objects.only("pk", "name", "slug", "keywords"))
