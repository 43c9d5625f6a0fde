"""What the reading list's views share: the item a person may see or curate, its form, and acting on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from reading import selectors, services
from reading.forms import ItemForm
from reading.models import Item


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


def _act(request: HttpRequest, action, *, success: str, **kwargs) -> None:
    try:
        action(user=request.user, **kwargs)
    except services.ReadingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
