"""Which action looks like the main one: the button classes and their order, as a person meets them.

A submit button without a class is the filled, primary one (static/css/site.css); ``secondary``
is the quiet outlined one and ``danger-outline`` marks a destructive secondary action.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import LAST_THURSDAY
from tests.factories import ClaimFactory, EntryFactory

pytestmark = pytest.mark.django_db


def _buttons(page: str) -> list[tuple[str, str]]:
    """(class attribute, visible text) of each <button> and link styled as a button, in page order."""
    found = re.findall(
        r'<(?:button[^>]*?type="submit"|a)(?P<attrs>[^>]*)>(?P<text>[^<]*)</(?:button|a)>',
        page,
    )
    shown = []
    for attrs, text in found:
        classes = re.search(r'class="([^"]*)"', attrs)
        shown.append((classes.group(1) if classes else "", text.strip()))
    return shown


def _button(page: str, text: str) -> str:
    (classes,) = [c for c, t in _buttons(page) if t == text]
    return classes


def test_the_claim_form_makes_submit_the_primary_action_and_saving_a_draft_secondary(client, member):
    client.force_login(member)
    page = client.get("/claims/new/").content.decode()
    assert _button(page, "Submit for approval") == ""  # a plain submit button: the filled one
    assert _button(page, "Save as draft") == "secondary"
    texts = [t for _, t in _buttons(page)]
    assert texts.index("Submit for approval") < texts.index("Save as draft")


def test_withdrawing_a_submitted_claim_is_a_quiet_secondary_button(client, member):
    claim = ClaimFactory(claimant=member, state="submitted", submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    client.force_login(member)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert _button(page, "Withdraw") == "secondary"


def test_an_entrys_edit_and_delete_stand_apart_and_delete_looks_destructive(client, member):
    entry = EntryFactory(author=member, day=LAST_THURSDAY, body="Quaternions")
    client.force_login(member)
    page = client.get(f"/logs/{entry.pk}/").content.decode()
    actions = re.search(r'<div class="page-actions">(.*?)</div>', page, re.S).group(1)
    assert [t for _, t in _buttons(actions)] == ["Edit", "Delete"]
    assert _button(actions, "Edit") == "button"
    assert _button(actions, "Delete") == "button secondary danger-outline"


def test_someone_elses_entry_has_no_edit_or_delete(client, member, manager):
    entry = EntryFactory(author=member, day=LAST_THURSDAY, body="Quaternions")
    client.force_login(manager)
    page = client.get(f"/logs/{entry.pk}/").content.decode()
    assert 'class="page-actions"' not in page
    assert "Delete" not in [t for _, t in _buttons(page)]


def test_the_buttons_styles_exist_and_give_a_finger_enough_room():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.button\.secondary \{[^}]*background: transparent", css)
    assert re.search(r"\.button\.danger-outline \{[^}]*color: var\(--error\)", css)
    assert re.search(r"\.page-actions \{[^}]*gap: \.75rem", css)
    assert re.search(r"\.page-actions \.button \{[^}]*min-height: 44px", css)
