import datetime as dt

import pytest

from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_entry_admin_searches_text_and_filters_by_category_and_team(client, staff_user, member, outsider, team):
    EntryFactory(author=member, body="Kalman filters in Apollo", category="outside_field", day=dt.date(2026, 11, 19))
    EntryFactory(author=outsider, body="Diffusion models", category="reading_papers", day=dt.date(2026, 11, 19))
    client.force_login(staff_user)

    def rows(**params):
        return [str(e) for e in client.get("/admin/logs/entry/", params).context["cl"].result_list]

    assert rows(q="apollo") == ["Tom Member on 2026-11-19"]
    assert rows(category__exact="reading_papers") == ["Olivia Outsider on 2026-11-19"]
    assert rows(author__memberships__team__id__exact=team.pk) == ["Tom Member on 2026-11-19"]


def test_editing_an_entry_in_the_admin_renders_safe_html(client, staff_user, member):
    entry = EntryFactory(author=member, body="fine", day=dt.date(2026, 11, 19))
    entry.body = "<script>x()</script>**bold**"
    entry.save(update_fields=["body"])
    entry.refresh_from_db()
    assert "<script" not in entry.body_html
    assert "<strong>bold</strong>" in entry.body_html
