"""A list as BibTeX or CSV, for the lists the person may see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from learningday import parsing
from learningday.exports import csv_response
from learningday.models import Team
from reading import bibtex, selectors
from reading.forms import EVERYONE
from reading.models import Item


def _export_items(request: HttpRequest):
    asked = request.GET.get("team", "")
    slug = parsing.parse_slug(asked)
    teams = list(selectors.teams_to_suggest_for(request.user))
    team = next((t for t in teams if t.slug == slug), None)
    if asked and asked != EVERYONE and team is None:
        if slug and Team.objects.filter(slug=slug).exists():
            raise PermissionDenied("You can export only your own teams' lists.")
        raise PermissionDenied("No such list.")
    items = selectors.browse(request.user, team=team, everyone_only=slug == EVERYONE).order_by("position", "pk")
    return items, (team.slug if team else EVERYONE if asked == EVERYONE else "all")


def _record(item: Item) -> bibtex.BibRecord:
    return bibtex.BibRecord(
        key="",
        kind=item.kind,
        title=item.title,
        authors=list(item.authors or []),
        year=item.year,
        url=item.url,
        arxiv_id=item.arxiv_id,
        doi=item.doi,
        isbn=item.isbn,
        note=item.why,
    )


def export_bib(request: HttpRequest) -> HttpResponse:
    items, name = _export_items(request)
    response = HttpResponse(
        bibtex.export_bibtex(_record(i) for i in items), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reading-{name}.bib"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    items, name = _export_items(request)
    header = ["title", "authors", "year", "kind", "topic", "list", "url", "arxiv_id", "doi", "isbn", "why", "readers"]
    rows = (
        [
            i.title,
            "; ".join(i.authors or []),
            i.year or "",
            i.kind,
            i.topic.name if i.topic else "",
            i.team.name if i.team else "Everyone",
            i.url,
            i.arxiv_id,
            i.doi,
            i.isbn,
            i.why,
            i.readers,
        ]
        for i in items
    )
    return csv_response(f"reading-{name}.csv", header, rows)
