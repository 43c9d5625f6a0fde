"""The site navigation: what each person may open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: Callable[[object], bool] = lambda user: True


NAV_ITEMS = (
    NavItem("Log", "logs:feed"),
    NavItem("Participation", "logs:participation", lambda user: user.is_manager),
    NavItem("Reading list", "reading:list"),
    NavItem("Claims", "claims:mine"),
    NavItem("Review", "claims:review", lambda user: user.is_manager),
    NavItem("Finance", "claims:finance", lambda user: user.is_finance),
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
        items.append({"label": item.label, "url": url, "current": False})
    # Only the most specific match is the current page: /claims/review/ is Review, not Claims.
    matches = [i for i in items if current_path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return items
