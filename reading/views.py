from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from learningday import calendar, parsing
from learningday.exports import csv_response
from learningday.markdown import render as render_markdown
from learningday.models import Team
from learningday.services import ALREADY_SAVED, create_once
from reading import bibtex, identifiers, lookup, selectors, services
from reading.forms import (
    EVERYONE,
    BibtexImportForm,
    BrowseForm,
    ItemForm,
    LookupForm,
    ProgressForm,
    RejectForm,
    SuggestForm,
)
from reading.models import Item, Progress

PAGE_SIZE = 25


def _visible_item(request: HttpRequest, pk: int) -> Item:
    """The item, if this person may see it; 404 otherwise."""
    items = selectors.with_counts(selectors.items_visible_to(request.user), request.user)
    return get_object_or_404(items.select_related("topic", "team", "suggested_by"), pk=pk)


def _curatable_item(request: HttpRequest, pk: int) -> Item:
    item = _visible_item(request, pk)
    if not services.can_curate(request.user, item.team):
        raise PermissionDenied("Only the team's managers curate its list.")
    return item


def _item_form(request: HttpRequest, *, data=None, instance=None, initial=None, form_class=ItemForm) -> ItemForm:
    return form_class(
        data,
        instance=instance,
        initial=initial,
        teams=selectors.teams_to_suggest_for(request.user),
        can_share_with_everyone=request.user.is_manager,
    )


# --- Browse -----------------------------------------------------------------------


def item_list(request: HttpRequest) -> HttpResponse:
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
    context = {
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
    }
    return render(request, "reading/list.html", context)


def shelf(request: HttpRequest) -> HttpResponse:
    progress = list(selectors.shelf(request.user))
    groups = [(state, label, [p for p in progress if p.state == state]) for state, label in Progress.State.choices]
    return render(request, "reading/mine.html", {"groups": groups, "total": len(progress)})


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    mine = Progress.objects.filter(user=request.user, item=item).first()
    context = {
        "item": item,
        "progress_form": ProgressForm(
            initial={"state": mine.state if mine else "", "finished_on": mine.finished_on if mine else None}
        ),
        "mine": mine,
        "buddies": selectors.study_buddies(item, request.user),
        "can_curate": services.can_curate(request.user, item.team),
        "can_edit": services.can_curate(request.user, item.team)
        or (item.suggested_by_id == request.user.pk and item.status == Item.Status.SUGGESTED),
        "endorsed": item.endorsements.filter(user=request.user).exists(),
        "reject_form": RejectForm(),
    }
    return render(request, "reading/detail.html", context)


# --- Suggest and edit --------------------------------------------------------------


def _initial_from_identifier(raw: str) -> dict:
    """Keep what was pasted, in the field it belongs to, when the lookup cannot fill the form."""
    try:
        found = identifiers.detect(raw)
    except identifiers.IdentifierError:
        return {}
    field = {"arxiv": "arxiv_id", "doi": "doi", "isbn": "isbn", "url": "url"}[found.kind]
    return {field: found.value, "kind": Item.Kind.BOOK if found.kind == "isbn" else Item.Kind.PAPER}


def item_new(request: HttpRequest) -> HttpResponse:
    if not selectors.teams_to_suggest_for(request.user).exists() and not request.user.is_manager:
        raise PermissionDenied("Join a team to suggest reading.")
    lookup_form = LookupForm(request.POST if "lookup" in request.POST else None)
    form = _item_form(request, form_class=SuggestForm)
    if request.method == "POST" and "lookup" in request.POST:
        if lookup_form.is_valid():
            raw = lookup_form.cleaned_data["identifier"]
            try:
                found = lookup.lookup(raw)
            except lookup.LookupFailed as error:
                messages.warning(request, f"{error}")
                form = _item_form(request, initial=_initial_from_identifier(raw), form_class=SuggestForm)
            else:
                initial = {k: v for k, v in asdict(found).items() if k in ItemForm.Meta.fields and v}
                existing = selectors.same_identifier(request.user, found)
                if existing is not None:
                    messages.info(request, f"“{existing.title}” is on your lists already: here it is.")
                    return redirect(existing)
                messages.success(request, f"Filled in from {found.source}. Check the details, then suggest it.")
                form = _item_form(request, initial=initial, form_class=SuggestForm)
    elif request.method == "POST":
        form = _item_form(request, data=request.POST, form_class=SuggestForm)
        if form.is_valid():
            try:
                item, first = create_once(
                    user=request.user,
                    token=form.token,
                    create=lambda: services.item_suggest(user=request.user, data=form.item_data()),
                )
            except services.DuplicateItem as duplicate:
                if selectors.items_visible_to(request.user).filter(pk=duplicate.item.pk).exists():
                    messages.info(request, f"{duplicate} Here it is.")
                    return redirect(duplicate.item)
                # Someone else's suggestion, not curated yet: say so without showing it.
                form.add_error(None, "Someone suggested this already; it waits for a manager to curate it.")
            except services.ReadingError as error:
                form.add_error(None, str(error))
            else:
                if not first:
                    messages.info(request, ALREADY_SAVED)
                elif item.status == Item.Status.CURATED:
                    messages.success(request, f"“{item.title}” is on the list.")
                else:
                    messages.success(request, f"Thank you: “{item.title}” waits for a manager to curate it.")
                return redirect(item)
    status = 400 if form.errors or lookup_form.errors else 200
    return render(request, "reading/new.html", {"form": form, "lookup_form": lookup_form}, status=status)


def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    own_open = item.suggested_by_id == request.user.pk and item.status == Item.Status.SUGGESTED
    if not (services.can_curate(request.user, item.team) or own_open):
        raise PermissionDenied("Only the team's managers can change this item.")
    form = _item_form(request, data=request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_update(user=request.user, item=item, data=form.item_data())
        except services.DuplicateItem as duplicate:
            form.add_error(None, f"{duplicate} Edit that one instead.")
        except services.ReadingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect(item)
    return render(request, "reading/edit.html", {"form": form, "item": item}, status=400 if form.errors else 200)


# --- Curation ------------------------------------------------------------------------


def _act(request: HttpRequest, action, *, success: str, **kwargs) -> None:
    try:
        action(user=request.user, **kwargs)
    except services.ReadingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


@require_POST
def item_curate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _curatable_item(request, pk)
    _act(request, services.item_curate, item=item, success=f"“{item.title}” is on the curated list.")
    return redirect(item)


def item_reject(request: HttpRequest, pk: int) -> HttpResponse:
    item = _curatable_item(request, pk)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_reject(user=request.user, item=item, reason=form.cleaned_data["reason"])
        except services.ReadingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{item.title}” is not taken; the person who suggested it sees why.")
            return redirect(item)
    return render(request, "reading/reject.html", {"form": form, "item": item}, status=400 if form.errors else 200)


@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _curatable_item(request, pk)
    direction = request.POST.get("direction", "")
    _act(request, services.item_move, item=item, direction=direction, success=f"Moved “{item.title}” {direction}.")
    team = f"?team={item.team.slug}" if item.team else f"?team={EVERYONE}"
    return redirect(f"/reading/{team}#item-{item.pk}")


@require_POST
def item_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    endorse = request.POST.get("endorse") != "0"
    _act(
        request,
        services.item_endorse,
        item=item,
        endorse=endorse,
        success="Thank you for the endorsement." if endorse else "Endorsement taken back.",
    )
    return redirect(item)


@require_POST
def item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a state for this item, and a real date for when you finished.")
        return redirect(item)
    today = calendar.user_today(request.user)
    try:
        progress = services.progress_set(user=request.user, item=item, today=today, **form.cleaned_data)
    except services.ReadingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"On your shelf: {progress.get_state_display().lower()}." if progress else "Taken off your shelf."
        )
    return redirect(request.POST.get("next") if request.POST.get("next") == "/reading/mine/" else item)


# --- Export and import -----------------------------------------------------------------


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
