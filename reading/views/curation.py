"""Curating a team's list: taking a suggestion on, turning it down with a reason, reordering."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reading import selectors, services
from reading.forms import EVERYONE, RejectForm
from reading.views.helpers import _act, _curatable_item


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
    """Swap an item with its neighbour; a script that asks for JSON gets the item's new place instead of a page."""
    item = _curatable_item(request, pk)
    direction = request.POST.get("direction", "")
    if request.accepts("application/json") and not request.accepts("text/html"):
        return _moved_as_json(request, item, direction)
    _act(request, services.item_move, item=item, direction=direction, success=f"Moved “{item.title}” {direction}.")
    team = f"?team={item.team.slug}" if item.team else f"?team={EVERYONE}"
    return redirect(f"/reading/{team}#item-{item.pk}")


def _moved_as_json(request: HttpRequest, item, direction: str) -> JsonResponse:
    before = item.position
    try:
        item = services.item_move(user=request.user, item=item, direction=direction)
    except services.ReadingError as error:
        return JsonResponse({"error": str(error)}, status=400)
    order = selectors.list_order(item.team)
    if item.pk not in order:  # taken off the list by someone else since the move
        return JsonResponse({"error": "it is no longer on the list: reload the page."}, status=409)
    index = order.index(item.pk)
    # The neighbour it swapped with now stands where the item stood: below it after a move up.
    swapped = item.position != before
    beside = index + 1 if direction == "up" else index - 1
    neighbour = order[beside] if swapped and 0 <= beside < len(order) else None
    place = f"position {index + 1} of {len(order)}"
    return JsonResponse(
        {
            "id": item.pk,
            "title": item.title,
            "position": index + 1,
            "count": len(order),
            "swapped_with": neighbour,
            "order": order,
            "message": f"Moved “{item.title}” to {place}." if swapped else f"“{item.title}” stays at {place}.",
        }
    )
