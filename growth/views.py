"""/growth/: one person's own year of learning."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from growth import selectors
from growth.charts import topics_svg
from growth.fields import PICKUP_BEFORE, PICKUP_MIN_ENTRIES, PICKUP_RECENT
from learningday import calendar, fragments, versions
from learningday.models import User


def growth(request: HttpRequest) -> HttpResponse:
    """The body is kept per person under their own version (their entries, shelf and claims),
    the directory's (names, teams, home topics) and the topic weeks' (the peers)."""
    user = request.user
    parts = versions.current(versions.person(user.pk), versions.DIRECTORY, versions.TOPIC_WEEKS)
    body = fragments.for_viewer(request, "growth", parts, "growth/_growth_body.html", lambda: _context(user))
    return render(request, "growth/growth.html", {"body": body})


def _context(user: User) -> dict:
    year = selectors.my_year(user, today=calendar.user_today(user))
    picked = selectors.picked_up(year)
    peers_since, peers = selectors.peers(user, year)
    money = selectors.money_by_topic(user)
    return {
        "user": user,
        "year": year,
        "chart": topics_svg(year.topics, year.days) if year.topics else "",
        "picked": picked,
        "rule": {"min": PICKUP_MIN_ENTRIES, "recent": PICKUP_RECENT, "before": PICKUP_BEFORE},
        "outside": selectors.outside(year, selectors.home_topic_ids(user), windows=picked.windows),
        "reading": selectors.reading_by_topic(user),
        "money": money,
        "money_total": sum((m.amount for m in money), Decimal("0")),
        "peers": peers,
        "peers_since": peers_since,
    }
