"""QuickSelect writes the same HTML as Django's Select, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from learningday.widgets import QuickSelect

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
    from learningday.models import Team
    from tests.factories import TeamFactory

    teams = [TeamFactory(name=f"Team <{i}> & co") for i in range(3)]

    def field(widget):
        return forms.ModelChoiceField(
            queryset=Team.objects.order_by("name"), to_field_name="slug", empty_label="All", widget=widget
        )

    for value in (None, teams[1].slug):
        slow = field(forms.Select).widget.render("team", value, {"id": "id_team"})
        quick = field(QuickSelect).widget.render("team", value, {"id": "id_team"})
        assert parse_html(quick) == parse_html(slow)
