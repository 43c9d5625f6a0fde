"""Pages never carry a character HTML forbids, even where they show back what was typed."""

import pytest

from learningday.middleware import _NOT_IN_HTML, fit_for_html, holds_forbidden
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


# Every character HTML forbids, and the ones beside them and like them in UTF-8 that it allows.
FORBIDDEN = [chr(c) for c in [*range(0x09), 0x0B, *range(0x0E, 0x20), *range(0x7F, 0xA0), *range(0xFDD0, 0xFDF0)]] + [
    chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
]
ALLOWED = ["\t", "\n", "\x0c", "\r", " ", "~", "\xa0", "·", "ÿ", "\ufdcf", "\ufdf0", "\ufeff", "\ufffd", "\u0fff"]
ALLOWED += ["\U0001fffd", "\U0001f600", "\U0010fffd", "\uefbf", "\U0003ffbf"]


def test_the_byte_check_finds_exactly_the_forbidden_characters():
    for character in FORBIDDEN + ALLOWED:
        page = f"<p>a·b{character}c 😀</p>".encode()
        assert holds_forbidden(page) == bool(_NOT_IN_HTML.search(character)), repr(character)
