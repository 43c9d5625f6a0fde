"""Template helpers for the site's shared layout."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def active_filters(form: forms.Form) -> int:
    """How many of a list page's filters are in use: a value other than the field's default.

    The default is empty, or a choice field's first choice (the reading list's "The list's
    order" is no filter).
    """
    if not form.is_bound:
        return 0
    active = 0
    for field in form:
        value = field.data
        values = value if isinstance(value, list | tuple) else [value]
        values = [v for v in values if v not in (None, "")]
        if not values:
            continue
        choices = getattr(field.field, "choices", None)
        if choices is not None and not isinstance(field.field, forms.MultipleChoiceField):
            first = next(iter(choices), None)
            if first is not None and str(first[0]) == str(values[0]):
                continue
        active += 1
    return active
