"""Posting on another day than the Learning Day is allowed: the pages say so plainly, with no
warning sign and no "leaking"."""

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def test_an_entry_on_another_day_is_labelled_plainly(member_client, member, frozen):
    entry = EntryFactory(author=member, day=dt.date(2026, 11, 24))  # a Tuesday
    response = member_client.get(f"/logs/{entry.pk}/")
    page = response.content.decode()
    assert '<span class="tag">On another day</span>' in page
    assert "Not a Learning Day" not in page
    assert "tag-warn" not in page  # no ⚠ and no warning colour


def test_an_entry_on_the_learning_day_has_no_such_label(member_client, member, frozen):
    entry = EntryFactory(author=member, day=dt.date(2026, 11, 19))  # a Thursday
    assert "On another day" not in member_client.get(f"/logs/{entry.pk}/").content.decode()


def test_the_participation_page_calls_posts_on_other_days_nothing_worse(client, manager, member, frozen):
    EntryFactory(author=member, day=dt.date(2026, 11, 17))  # a Tuesday
    client.force_login(manager)
    words = text(client.get("/logs/participation/"))
    assert "Posts on other days" in words
    assert "Tom Member: Tuesday 17 November" in words
    assert "Posting on another day is fine." in words
    assert "leak" not in words.lower()
    assert "not Learning Days" not in words


def test_no_template_calls_another_day_a_leak_or_warns_about_it():
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "leak" not in source.lower(), template
        assert "Not a Learning Day" not in source, template
