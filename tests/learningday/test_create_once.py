"""Create forms are saved once per form: a second post of the same form, even at the same moment, shows the first."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from learningday import services
from learningday.models import FormSubmission, User
from logs.models import Entry
from tests.concurrency import at_once, sessions_waiting_for_a_lock
from tests.conftest import require
from tests.factories import jpeg_bytes

ALREADY_SAVED = "This was already saved: here it is."


@pytest.fixture(autouse=True)
def _a_thursday():
    """Thursday 26 November 2026, midday in Berlin; started before anyone is created."""
    with time_machine.travel(dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC), tick=False):
        yield


def _team_id(person: User) -> str:
    return str(person.memberships.values_list("team_id", flat=True).first())


@dataclass(frozen=True)
class CreateForm:
    url: str
    model: str
    service: str  # what the view calls to create: held up in the concurrency test
    fill: Callable[[User, str], dict]  # what a person types, about ``title``
    refused: dict  # what makes the form come back with an error
    page: Callable[[object], str] = lambda saved: saved.get_absolute_url()  # where a post of it leads

    def objects(self):
        return apps.get_model(self.model).objects


CREATE_FORMS = {
    "claim": CreateForm(
        url="/claims/new/",
        model="reimbursements.Claim",
        service="reimbursements.services.claim_create",
        fill=lambda person, title: {
            "kind": "course",
            "description": title,
            "vendor": "Udemy",
            "purchase_date": "2026-11-20",
            "amount": "24.00",
            "currency": "EUR",
            "receipts": [SimpleUploadedFile("receipt.jpg", jpeg_bytes(), content_type="image/jpeg")],
            "submit": "1",
        },
        refused={"description": ""},
    ),
    "reading suggestion": CreateForm(
        url="/reading/new/",
        model="reading.Item",
        service="reading.services.item_suggest",
        fill=lambda person, title: {"save": "1", "kind": "paper", "title": title, "team": _team_id(person)},
        refused={"title": ""},
    ),
    "away days": CreateForm(
        url="/logs/away/",
        model="logs.Away",
        service="logs.services.away_add",
        fill=lambda person, title: {"start": "2026-12-01", "end": "2026-12-05", "note": title},
        refused={"end": "2026-11-30"},
        page=lambda saved: "/logs/away/",
    ),
}


@pytest.fixture(params=list(CREATE_FORMS))
def form(request) -> CreateForm:
    return CREATE_FORMS[request.param]


def token_in(html: str) -> str:
    found = re.findall(r'<input type="hidden" name="form_token" value="([^"]*)"', html)
    assert len(found) == 1, "the form should carry exactly one token"
    return found[0]


def post(client: Client, form: CreateForm, person: User, title: str, token: str | None, *, refused=False, **kwargs):
    data = {**form.fill(person, title), **(form.refused if refused else {})}
    if token is not None:
        data["form_token"] = token
    return client.post(form.url, data, **kwargs)


# --- One person, one form -------------------------------------------------------------


@pytest.mark.django_db
def test_each_empty_form_gets_a_fresh_token(form, member_client):
    first = token_in(member_client.get(form.url).content.decode())
    second = token_in(member_client.get(form.url).content.decode())
    assert uuid.UUID(first) != uuid.UUID(second)


@pytest.mark.django_db
def test_posting_the_same_form_twice_saves_once_and_shows_the_first(form, member_client, member):
    token = token_in(member_client.get(form.url).content.decode())
    first = post(member_client, form, member, "Causal inference", token, follow=True)
    saved = form.objects().get()
    assert first.redirect_chain[-1][0] == form.page(saved)
    assert ALREADY_SAVED not in first.content.decode()

    again = post(member_client, form, member, "Causal inference", token, follow=True)
    assert form.objects().count() == 1
    assert again.redirect_chain[-1][0] == form.page(saved)
    assert ALREADY_SAVED in again.content.decode()


@pytest.mark.django_db
def test_a_refused_form_keeps_its_token_and_is_saved_once_when_fixed(form, member_client, member):
    token = token_in(member_client.get(form.url).content.decode())
    refused = post(member_client, form, member, "Causal inference", token, refused=True)
    assert refused.status_code == 400
    assert token_in(refused.content.decode()) == token
    assert not form.objects().exists()

    fixed = post(member_client, form, member, "Causal inference", token)
    saved = form.objects().get()
    assert fixed["Location"] == form.page(saved)
    again = post(member_client, form, member, "Causal inference", token, follow=True)
    assert ALREADY_SAVED in again.content.decode()
    assert form.objects().count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("garbled", [None, "", "not-a-token", "\x00²\u202e", "9" * 10_000])
def test_a_missing_or_garbled_token_is_no_error_and_comes_back_usable(form, member_client, member, garbled):
    refused = post(member_client, form, member, "Causal inference", garbled, refused=True)
    assert refused.status_code == 400
    uuid.UUID(token_in(refused.content.decode()))
    saved = post(member_client, form, member, "Causal inference", garbled)
    assert saved.status_code == 302
    assert form.objects().count() == 1


@pytest.mark.django_db
def test_another_persons_token_saves_their_own_and_shows_nothing_of_the_first(form, client, member, outsider):
    client.force_login(member)
    token = token_in(client.get(form.url).content.decode())
    post(client, form, member, "Tom private course", token)
    first = form.objects().get()

    theirs_client = Client()
    theirs_client.force_login(outsider)
    response = post(theirs_client, form, outsider, "Olivia own course", token, follow=True)
    body = response.content.decode()
    theirs = form.objects().exclude(pk=first.pk).get()
    assert response.redirect_chain[-1][0] == form.page(theirs)
    assert ALREADY_SAVED not in body
    assert "Tom private course" not in body
    assert "Olivia own course" in body


@pytest.mark.django_db
def test_a_save_that_fails_frees_its_token(member):
    token = uuid.uuid4()

    def fail():
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        services.create_once(user=member, token=token, create=fail)
    assert not FormSubmission.objects.exists()
    team, first = services.create_once(user=member, token=token, create=lambda: member.memberships.get().team)
    assert first
    assert services.create_once(user=member, token=token, create=pytest.fail) == (team, False)


# --- At the same moment, on PostgreSQL ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_five_posts_of_one_form_at_once_save_once_and_all_show_it(form, member, monkeypatch):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    clients = [Client() for _ in range(5)]
    for client in clients:
        client.force_login(member)
    token = token_in(clients[0].get(form.url).content.decode())

    # The first post to get past the token holds its transaction open until the other
    # four are waiting on the token's unique index: they really are at the same moment.
    module, name = form.service.rsplit(".", 1)
    create = getattr(importlib.import_module(module), name)
    waiting: list[int] = []

    def create_when_all_wait(**kwargs):
        waiting.append(sessions_waiting_for_a_lock(at_least=4))
        return create(**kwargs)

    monkeypatch.setattr(f"{module}.{name}", create_when_all_wait)
    responses = at_once(5, lambda i: post(clients[i], form, member, "Causal inference", token))

    saved = form.objects().get()
    assert waiting == [4], "one post creates, while the four others wait for it"
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, form.page(saved))] * 5
    assert FormSubmission.objects.get().result == saved


@pytest.mark.django_db(transaction=True)
def test_the_days_log_needs_no_token_five_posts_at_once_make_one_entry(member):
    """One entry per person per day is the log's own invariant: a second post edits the first."""
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    clients = [Client() for _ in range(5)]
    for client in clients:
        client.force_login(member)
    data = {"day": "2026-11-26", "body": "Read about causal graphs", "category": "reading_papers"}
    data["visibility"] = "teams"
    responses = at_once(5, lambda i: clients[i].post("/logs/new/", data))

    entry = Entry.objects.get()
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, entry.get_absolute_url())] * 5
