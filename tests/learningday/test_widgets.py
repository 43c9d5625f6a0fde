"""QuickSelect writes the same HTML as Django's Select, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from learningday.forms import ValuesModelChoiceField
from learningday.models import Team
from learningday.widgets import QuickSelect
from tests.factories import TeamFactory

CHOICES = [
    ("", "All teams"),
    ("a", "Alpha & <Omega>"),
    ("Group", [("g1", 'Quote "this"'), ("g2", "Two")]),
    (3, "Three"),
]


def both(value, attrs=None, choices=CHOICES):
    slow = forms.Select(choices=choices, attrs={"aria-describedby": "help"}).render("team", value, attrs)
    quick = QuickSelect(choices=choices, attrs={"aria-describedby": "help"}).render("team", value, attrs)
    return slow, quick


@pytest.mark.parametrize("value", ["", "a", "g1", 3, "3", None, "not a choice"])
def test_quick_select_renders_what_djangos_select_renders(value):
    slow, quick = both(value, {"id": "id_team", "required": True, "disabled": False})
    assert parse_html(quick) == parse_html(slow)


def test_quick_select_escapes_labels_and_values():
    _, quick = both("a")
    assert "Alpha &amp; &lt;Omega&gt;" in quick
    assert 'value="a" selected' in quick
    assert "<script" not in QuickSelect(choices=[("<script>", "x")]).render("n", None)


def test_quick_select_in_a_bound_form_keeps_the_choice_and_the_label():
    class Form(forms.Form):
        team = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, required=False)

    html = str(Form({"team": "g2"})["team"])
    assert '<option value="g2" selected>Two</option>' in html
    assert 'id="id_team"' in html


@pytest.mark.django_db
def test_quick_select_renders_model_choices_as_django_does():
    teams = [TeamFactory(name=f"Team <{i}> & co") for i in range(3)]

    def field(widget):
        return forms.ModelChoiceField(
            queryset=Team.objects.order_by("name"), to_field_name="slug", empty_label="All", widget=widget
        )

    for value in (None, teams[1].slug):
        slow = field(forms.Select).widget.render("team", value, {"id": "id_team"})
        quick = field(QuickSelect).widget.render("team", value, {"id": "id_team"})
        assert parse_html(quick) == parse_html(slow)


@pytest.mark.django_db
def test_values_model_choice_field_renders_and_cleans_like_model_choice_field():
    teams = [TeamFactory(name=f"Team <{i}> & co") for i in range(3)]

    class Form(forms.Form):
        team = ValuesModelChoiceField(
            queryset=Team.objects.order_by("name"), label_field="name", to_field_name="slug", empty_label="All"
        )

    class Django(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), to_field_name="slug", empty_label="All")

    for data, initial in ((None, None), ({"team": teams[2].slug}, None), (None, {"team": teams[1]})):
        assert parse_html(str(Form(data, initial=initial)["team"])) == parse_html(
            str(Django(data, initial=initial)["team"])
        )
    form = Form({"team": teams[0].slug})
    assert form.is_valid() and form.cleaned_data["team"] == teams[0]
    wrong = Form({"team": "no-such-team"})
    assert not wrong.is_valid()
    assert wrong.errors["team"] == Django({"team": "no-such-team"}).errors["team"]
