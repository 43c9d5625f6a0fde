"""Pages never carry a character HTML forbids, even where they show back what was typed."""

import pytest

from learningday.middleware import fit_for_html
from tests.conftest import LAST_THURSDAY
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["\x00", "\x16", "\x7f", "\x8c", "\ufdd0", "\ufffe", "\U0010ffff"])
def test_a_forbidden_character_typed_into_a_search_comes_back_as_a_replacement_character(member_client, typed):
    response = member_client.get("/logs/", {"q": f"kal{typed}man"})
    assert response.status_code == 200
    body = response.content.decode()
    assert typed not in body
    assert 'value="kal\ufffdman"' in body


def test_a_refused_form_with_a_nul_shows_it_back_without_the_nul(member_client, frozen):
    response = member_client.post("/logs/new/", {"day": "2026-11-19", "body": "Notes\x00", "category": "other"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Null characters are not allowed." in body
    assert "Notes\ufffd" in body and "\x00" not in body


def test_a_saved_text_with_a_control_character_is_shown_without_it(member_client, member, frozen):
    entry = EntryFactory(author=member, day=LAST_THURSDAY, whats_next="Next\x16 week")
    body = member_client.get(f"/logs/{entry.pk}/").content.decode()
    assert "Next\ufffd week" in body and "\x16" not in body


def test_whitespace_and_ordinary_text_are_left_as_they_are():
    assert fit_for_html("a\tb\nc\rd\x0ce ü ☃ 😀") == "a\tb\nc\rd\x0ce ü ☃ 😀"
