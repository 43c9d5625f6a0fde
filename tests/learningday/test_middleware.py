"""Pages never carry a NUL, even where they show back what was typed."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_typed_into_a_search_comes_back_as_a_replacement_character(member_client):
    response = member_client.get("/logs/", {"q": "kal\x00man"})
    assert response.status_code == 200
    assert b"\x00" not in response.content
    assert 'value="kal\ufffdman"' in response.content.decode()


def test_a_refused_form_with_a_nul_shows_it_back_without_the_nul(member_client, frozen):
    response = member_client.post("/logs/new/", {"day": "2026-11-19", "body": "Notes\x00", "category": "other"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Null characters are not allowed." in body
    assert "Notes\ufffd" in body and "\x00" not in body
