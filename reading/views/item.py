"""One item: its page, suggesting a new one (filled in from an identifier), editing, endorsing and tracking it."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from learningday import calendar, fragments, versions
from learningday.services import ALREADY_SAVED, create_once
from reading import identifiers, lookup, selectors, services
from reading.forms import ItemForm, LookupForm, ProgressForm, RejectForm, SuggestForm
from reading.models import Item, Progress
from reading.views.helpers import _act, _item_form, _visible_item


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Kept whole per viewer under the directory's version (the item, its list, its topic),
    reading's (who reads and endorses it, this person too) and the entries' (the log entries
    that point at it, as cards: logs.cards). Who may see the item is checked on every request."""
    visible = selectors.items_visible_to(request.user).only("pk", "title", "team_id")
    watched = {"directory": versions.DIRECTORY, "reading": versions.READING, "entries_version": versions.ENTRIES}
    item = get_object_or_404(versions.with_versions(visible, **watched), pk=pk)
    body = fragments.for_viewer(
        request,
        "item",
        (pk, *(getattr(item, name) for name in watched)),
        "reading/_detail_body.html",
        lambda: _detail_context(request, pk, directory=item.directory),
    )
    return render(request, "reading/detail.html", {"item": item, "body": body})


def _detail_context(request: HttpRequest, pk: int, *, directory: int) -> dict:
    item = _visible_item(request, pk)
    mine = Progress.objects.filter(user=request.user, item=item).first()
    return {
        "user": request.user,
        "item": item,
        "directory": directory,
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
    lookup_failed = ""
    form = _item_form(request, form_class=SuggestForm)
    if request.method == "POST" and "lookup" in request.POST:
        if lookup_form.is_valid():
            raw = lookup_form.cleaned_data["identifier"]
            try:
                found = lookup.lookup(raw)
            except lookup.LookupFailed as error:
                # Said by the field that was looked up, not at the top of the page; what was pasted stays
                # in the lookup field and, when it is an identifier, in its own field of the form below.
                lookup_failed = str(error)
                lookup_form.fields["identifier"].widget.attrs["aria-describedby"] = (
                    f"{lookup_form['identifier'].auto_id}_helptext lookup-failed"
                )
                kept = _initial_from_identifier(raw)
                if kept:
                    lookup_failed += " What you pasted is in the form below."
                form = _item_form(request, initial=kept, form_class=SuggestForm)
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
    context = {"form": form, "lookup_form": lookup_form, "lookup_failed": lookup_failed}
    return render(request, "reading/new.html", context, status=status)


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


def _back_to(request: HttpRequest, fallback: str) -> str:
    """Where the form came from (the list with its filters, the shelf), if that is a page of this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    back = _back_to(request, item.get_absolute_url())
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a state for this item, and a real date for when you finished.")
        return redirect(back)
    today = calendar.user_today(request.user)
    try:
        progress = services.progress_set(user=request.user, item=item, today=today, **form.cleaned_data)
    except services.ReadingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"On your shelf: {progress.get_state_display().lower()}." if progress else "Taken off your shelf."
        )
    return redirect(back)
