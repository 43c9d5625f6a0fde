"""Browsing: the reading lists, filtered and in their order, and the person's own shelf."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learningday import fragments, versions
from learningday.markdown import render as render_markdown
from reading import selectors, services
from reading.forms import EVERYONE, BrowseForm
from reading.models import Item, Progress

PAGE_SIZE = 25


def item_list(request: HttpRequest) -> HttpResponse:
    """The reading lists; the body is kept per viewer and address under the versions of the
    directory (items, topics, teams, the lists' order) and of reading (who reads and endorses
    what), and only rendered anew when one of them moved."""
    body = fragments.for_viewer(
        request,
        "reading-list",
        versions.current(versions.DIRECTORY, versions.READING),
        "reading/_list_body.html",
        lambda: _list_context(request),
    )
    return render(request, "reading/list.html", {"body": body})


def _list_context(request: HttpRequest) -> dict:
    user = request.user
    teams = list(selectors.teams_to_suggest_for(user))
    form = BrowseForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    status = request.GET.get("status", Item.Status.CURATED)
    if status not in Item.Status.values:
        status = Item.Status.CURATED
    team = next((t for t in teams if t.slug == filters.get("team")), None)
    sort = filters.get("sort") or "position"
    items = selectors.browse(
        user,
        team=team,
        everyone_only=filters.get("team") == EVERYONE,
        topic=filters.get("topic"),
        kind=filters.get("kind", ""),
        progress=filters.get("progress", ""),
        status=status,
        query=filters.get("q", ""),
        sort=sort,
    )
    if sort == "position" and not filters.get("team"):  # all the person's lists, one after the other
        items = selectors.ListByList(items, user)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "status": status,
        "team": team,
        "guidelines": render_markdown(team.guidelines) if team and team.guidelines else "",
        "can_reorder": team is not None
        and status == Item.Status.CURATED
        and sort == "position"
        and services.can_curate(user, team),
        "pending": selectors.pending_count(user),
        "filtered": any(filters.get(k) for k in ("q", "topic", "kind", "progress")),
        "here": request.get_full_path(),
    }


def shelf(request: HttpRequest) -> HttpResponse:
    progress = list(selectors.shelf(request.user))
    groups = [(state, label, [p for p in progress if p.state == state]) for state, label in Progress.State.choices]
    return render(request, "reading/mine.html", {"groups": groups, "total": len(progress)})
