"""The models' own get_<field>_display() shows what Django's would, in one lookup."""

import pytest

from logs.models import Entry
from reading.models import Item, Progress
from reimbursements.models import Claim

OVERRIDDEN = [(Entry, "category"), (Item, "kind"), (Progress, "state"), (Claim, "kind"), (Claim, "state")]


@pytest.mark.parametrize(("model", "name"), OVERRIDDEN)
def test_display_matches_djangos_for_every_choice_and_an_unknown_value(model, name):
    field = model._meta.get_field(name)
    for value in [*(choice for choice, _ in field.choices), "not-a-choice"]:
        instance = model(**{name: value})
        ours = getattr(instance, f"get_{name}_display")()
        assert ours == instance._get_FIELD_display(field)
        assert type(ours) is str
