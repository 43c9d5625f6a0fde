"""Importing a reference manager's BibTeX export: preview, then all of it or nothing."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from reading.models import Item
from tests.factories import ItemFactory
from tests.reading.mendeley import mendeley_export


def upload(client, text: str, team, name: str = "library.bib"):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/x-bibtex")
    return client.post("/reading/import/", {"file": file, "team": str(team.pk)})


def confirm(client):
    return client.post("/reading/import/", {"confirm": "1"})


def heading(response) -> str:
    match = re.search(r'<h2 id="preview-heading">(.*?)</h2>', response.content.decode(), re.S)
    return " ".join(unescape(match.group(1)).split())


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture(scope="module")
def export_1000():
    return mendeley_export(1000)


def test_a_managers_import_of_a_1000_entry_export_lands_curated_in_file_order(client, manager, team, export_1000):
    text, expected = export_1000
    client.force_login(manager)

    preview = upload(client, text, team)

    assert preview.status_code == 200
    assert heading(preview) == f"Preview: {expected.addable} of 1000 entries can be added to Robotics's list"
    body = unescape(preview.content.decode())
    assert f"{expected.noted} of them come in with a field left out" in body
    assert f"Add {expected.addable} items to the list" in body
    assert "suggestion" not in body.split('id="preview-heading"')[1]
    assert not Item.objects.exists()  # nothing is saved by the preview

    done = confirm(client)

    assert done.status_code == 302
    assert shown_messages(done) == [f"Added {expected.addable} items to Robotics's list."]
    items = list(Item.objects.filter(team=team).order_by("position"))
    assert len(items) == expected.addable
    assert {item.status for item in items} == {"curated"}
    assert [item.position for item in items] == [10 * n for n in range(1, expected.addable + 1)]
    assert items[0].title.startswith("Policy") and items[-1].title.endswith(" 998")
    old_style = Item.objects.get(arxiv_id="quant-ph/0402001")
    assert old_style.url == "http://arxiv.org/abs/quant-ph/0402001"
    assert Item.objects.get(doi="10.5555/mendeley.5").title.startswith(r"On $\alpha$-divergences and $O(n \log n)$")
    assert Item.objects.get(doi="10.5555/mendeley.6").title.startswith("BERT für Été")
    assert Item.objects.get(doi="10.5555/mendeley.9").year is None


def test_importing_the_same_file_again_or_the_lists_own_export_adds_nothing(client, manager, team, export_1000):
    text, expected = export_1000
    client.force_login(manager)
    upload(client, text, team)
    confirm(client)

    again = upload(client, text, team)
    assert heading(again) == "Preview: 0 of 1000 entries can be added to Robotics's list"
    assert "Add 0" not in again.content.decode()

    exported = client.get("/reading/export.bib", {"team": "robotics"}).content.decode()
    assert exported.count("\n@") + exported.startswith("@") == expected.addable
    back = upload(client, exported, team)
    assert heading(back) == f"Preview: 0 of {expected.addable} entries can be added to Robotics's list"
    assert Item.objects.count() == expected.addable


def test_the_import_writes_every_item_inside_one_transaction(client, manager, team):
    text, expected = mendeley_export(300)
    client.force_login(manager)
    upload(client, text, team)
    inserts: list[bool] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "reading_item"'):
            inserts.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        confirm(client)

    assert inserts and all(inserts)
    assert Item.objects.count() == expected.addable


def test_a_failure_in_the_middle_of_the_write_leaves_nothing_and_says_so(client, manager, team, export_1000):
    text, _ = export_1000
    client.force_login(manager)
    upload(client, text, team)
    inserts = 0

    def fail_on_the_third_insert(execute, sql, params, many, context):
        nonlocal inserts
        if sql.startswith('INSERT INTO "reading_item"'):
            inserts += 1
            if inserts == 3:
                raise DatabaseError("disk full")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_third_insert):
        response = confirm(client)

    assert inserts == 3  # two batches of 250 were written before it failed
    assert response.status_code == 302
    assert response["Location"] == "/reading/import/"
    assert shown_messages(response) == [
        "Nothing was added: the list could not be saved just now. Try again in a moment."
    ]
    assert not Item.objects.exists()


def test_an_item_added_since_the_preview_stops_the_whole_import(client, manager, team):
    text, _ = mendeley_export(50)
    client.force_login(manager)
    upload(client, text, team)
    ItemFactory(team=team, title="Someone else's", doi="10.5555/mendeley.3")

    response = confirm(client)

    message = shown_messages(response)[0]
    assert message.startswith("Nothing was added: since the preview, “")
    assert "” is on the list now. Upload the file again to see what is new." in message
    assert Item.objects.count() == 1


def test_a_members_import_waits_as_suggestions_and_says_so(client, member, team):
    text, expected = mendeley_export(30)
    client.force_login(member)

    preview = upload(client, text, team)
    assert heading(preview) == f"Preview: {expected.addable} of 30 entries can be suggested for Robotics's list"
    assert f"Suggest {expected.addable} items" in preview.content.decode()

    done = confirm(client)
    assert shown_messages(done) == [
        f"Thank you: {expected.addable} suggestions for Robotics's list wait for a manager to curate them."
    ]
    assert set(Item.objects.values_list("status", flat=True)) == {"suggested"}


def test_rows_show_what_was_left_out_and_what_cannot_come_in(client, manager, team):
    text = r"""
@article{LeCun2015, title = {{Deep learning}}, author = {LeCun, Yann}, year = {²²²²}, isbn = {0028-0836}}
@article{Untitled2020, author = {Nobody, A.}, year = {2020}}
@article{LeCun2015again, title = {Deep Learning}, author = {Yann LeCun}}
"""
    client.force_login(manager)

    response = upload(client, text, team)

    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert heading(response) == "Preview: 1 of 3 entries can be added to Robotics's list"
    assert "The year “²²²²” is not a number: it was left out." in body
    assert "“0028-0836” in the isbn field is an ISSN (a journal's number), not an ISBN." in body
    assert re.search(r"Untitled2020 <small>\(line 3\)</small>.*Not added:</strong> It has no title\.", body, re.S)
    assert "In the file twice: the same as LeCun2015" in body
