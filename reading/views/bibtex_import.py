"""Importing a BibTeX file: a preview of what will be added, then the confirm."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize

from learningday.models import Team
from reading import bibtex, selectors, services
from reading.forms import BibtexImportForm
from reading.models import Item

IMPORT_SESSION_KEY = "reading_import_preview"


def import_bibtex(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.teams_to_suggest_for(request.user))
    if not teams:
        raise PermissionDenied("Join a team to suggest reading.")
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request, teams)
    form = BibtexImportForm(request.POST or None, request.FILES or None, teams=teams)
    preview, team = None, None
    if request.method == "POST" and form.is_valid():
        try:
            parsed = bibtex.parse_bibtex(form.cleaned_data["file"])
        except bibtex.BibtexError as error:
            form.add_error("file", str(error))
        else:
            team = next(t for t in teams if str(t.pk) == form.cleaned_data["team"])
            preview = _preview(parsed, team)
            # The confirm adds exactly these records, checked again in the same way.
            request.session[IMPORT_SESSION_KEY] = {
                "team": team.pk,
                "records": [asdict(row["record"]) for row in preview if row["ok"]],
            }
    context = {
        "form": form,
        "preview": preview,
        "team": team,
        "curates": team is not None and services.can_curate(request.user, team),
        "ok_count": sum(1 for row in preview or [] if row["ok"]),
        "noted_count": sum(1 for row in preview or [] if row["ok"] and row["notes"]),
    }
    return render(request, "reading/import.html", context, status=400 if form.errors else 200)


def _preview(parsed: list[bibtex.ParsedEntry], team: Team) -> list[dict]:
    """One row per entry: what it is, what was left out of it, and whether it will be added."""
    readable = [entry for entry in parsed if entry.record is not None]
    checks = dict(
        zip(
            (id(entry) for entry in readable),
            services.import_check(team=team, entries=[_item_data(entry.record, team) for entry in readable]),
            strict=True,
        )
    )
    rows = []
    for entry in parsed:
        check = checks.get(id(entry))
        errors = [*entry.errors, *(check.errors if check else ())]
        repeats = readable[check.repeats] if check and check.repeats is not None else None
        rows.append(
            {
                "key": entry.raw_key,
                "line": entry.line,
                "title": entry.title,
                "record": entry.record,
                "errors": errors,
                "notes": entry.notes,
                "duplicate": check.duplicate if check else None,
                "repeats": repeats,
                "ok": check is not None and check.ok,
            }
        )
    return rows


def _item_data(record: bibtex.BibRecord, team: Team) -> services.ItemData:
    return services.ItemData(
        kind=record.kind if record.kind in Item.Kind.values else Item.Kind.PAPER,
        title=record.title,
        authors=record.authors,
        year=record.year,
        url=record.url,
        arxiv_id=record.arxiv_id,
        doi=record.doi,
        isbn=record.isbn,
        why=record.note,
        team=team,
    )


def _import_confirm(request: HttpRequest, teams) -> HttpResponse:
    preview = request.session.pop(IMPORT_SESSION_KEY, None)
    if not preview:
        messages.error(request, "That preview has expired: upload the file again.")
        return redirect("reading:import")
    team = next((t for t in teams if t.pk == preview["team"]), None)
    if team is None:
        raise PermissionDenied("You are no longer in that team.")
    entries = [_item_data(bibtex.BibRecord(**fields), team) for fields in preview["records"]]
    try:
        items = services.items_import(user=request.user, team=team, entries=entries)
    except services.ReadingError as error:
        messages.error(request, str(error))
        return redirect("reading:import")
    count = len(items)
    if services.can_curate(request.user, team):
        messages.success(request, f"Added {count} item{pluralize(count)} to {team.name}'s list.")
        return redirect(f"/reading/?team={team.slug}&status=curated")
    messages.success(
        request,
        f"Thank you: {count} suggestion{pluralize(count)} for {team.name}'s list "
        f"wait{pluralize(count, 's,')} for a manager to curate {'them' if count != 1 else 'it'}.",
    )
    return redirect(f"/reading/?team={team.slug}&status=suggested")
