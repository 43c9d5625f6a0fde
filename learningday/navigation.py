"""The site navigation: what each person may open, and how many things wait for them there.

The core imports no app, so an app that can count what waits on one of its pages registers a
counter for that page's URL name from its `AppConfig.ready()` (`register_count`). Each counter
costs one small query, and runs only for a person who sees the item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: Callable[[object], bool] = lambda user: True


@dataclass(frozen=True)
class NavCount:
    count: Callable[[object], int]
    # What the number means, for the words after it: "3 to review".
    meaning: str


_COUNTS: dict[str, NavCount] = {}


def register_count(url_name: str, count: Callable[[object], int], *, meaning: str) -> None:
    """Show next to the item for `url_name` how many things wait there for the person."""
    _COUNTS[url_name] = NavCount(count=count, meaning=meaning)


NAV_ITEMS = (
    NavItem("Log", "logs:feed"),
    NavItem("Participation", "logs:participation", lambda user: user.is_manager),
    NavItem("Reading list", "reading:list"),
    NavItem("Claims", "claims:mine"),
    NavItem("Growth", "growth:mine"),
    NavItem("Review", "claims:review", lambda user: user.is_manager),
    NavItem("Finance", "claims:finance", lambda user: user.is_finance),
    NavItem("Impact", "growth:impact", lambda user: user.is_manager or user.is_leadership),
)


def nav_for(user, current_path: str = "") -> list[dict]:
    """The items this person may use, each with its URL and whether it is the current page.

    An app that has not registered its page yet is left out rather than linked to a 404.
    """
    items = []
    for item in NAV_ITEMS:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"label": item.label, "url": url, "current": False, "count": 0, "count_text": ""}
        counter = _COUNTS.get(item.url_name)
        if counter is not None:
            entry["count"] = counter.count(user)
            entry["count_text"] = f"{entry['count']} {counter.meaning}"
        items.append(entry)
    # Only the most specific match is the current page: /claims/review/ is Review, not Claims.
    matches = [i for i in items if current_path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return items
