"""What in claims needs the person, on the dashboard and in the navigation: a claim sent back
with the manager's note, how many claims wait for a decision or a payment, the budget left."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learningday.models import FINANCE_GROUP
from reimbursements import services
from tests.factories import ClaimFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen]

SUBMITTED = dt.datetime(2026, 11, 21, 10, 30, tzinfo=dt.UTC)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def submitted(claimant, description="A useful book", **fields):
    return ClaimFactory(claimant=claimant, state="submitted", submitted_at=SUBMITTED, description=description, **fields)


def nav_link(body: str, href: str) -> str:
    found = re.findall(rf'<a href="{re.escape(href)}"[^>]*>.*?</a>', body)
    assert len(found) == 1, href
    return found[0]


# --- The dashboard ----------------------------------------------------------------------------


def test_a_claim_sent_back_shows_with_the_managers_latest_note_and_a_link(client, member, manager):
    claim = submitted(member, "Deep Learning with JAX")
    services.claim_request_changes(user=manager, claim=claim, note="Please attach the invoice, not the order.")
    client.force_login(member)
    response = client.get("/")
    page = text(response)
    assert "Waiting for you" in page
    assert "Changes requested: Deep Learning with JAX" in page
    assert "Your manager’s note: Please attach the invoice, not the order." in page
    assert f'href="/claims/{claim.pk}/"' in response.content.decode()


def test_the_latest_request_note_is_the_one_shown(client, member, manager):
    from reimbursements.models import ClaimEvent

    claim = submitted(member, "Deep Learning with JAX")
    services.claim_request_changes(user=manager, claim=claim, note="First note")
    claim.refresh_from_db()
    # Resubmitted and sent back again: only the newer note matters.
    ClaimEvent.objects.create(claim=claim, actor=member, from_state="changes_requested", to_state="submitted")
    ClaimEvent.objects.create(
        claim=claim, actor=manager, from_state="submitted", to_state="changes_requested", note="Second note"
    )
    client.force_login(member)
    page = text(client.get("/"))
    assert "Second note" in page
    assert "First note" not in page


def test_a_manager_sees_how_many_claims_wait_for_their_decision(client, member, manager, team):
    other = UserFactory()
    MembershipFactory(user=other, team=team)
    submitted(member)
    submitted(other)
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30"))  # decided: not counted
    client.force_login(manager)
    response = client.get("/")
    assert "2 claims wait for your decision. Review claims" in text(response)
    assert 'href="/claims/review/">Review claims</a>' in response.content.decode()


def test_the_budget_left_this_year(client, member, settings):
    settings.ANNUAL_LEARNING_BUDGET = Decimal("1000.00")
    ClaimFactory(claimant=member, state="paid", amount=Decimal("100.00"), approved_amount=Decimal("100.00"))
    submitted(member, amount=Decimal("50.00"))
    client.force_login(member)
    page = text(client.get("/"))
    assert "Your 2026 learning budget" in page
    assert "€850.00 left of €1,000.00" in page
    assert "Counting €50.00 in claims that wait for a decision" in page


def test_nothing_is_shown_when_nothing_needs_the_person(client, member, manager):
    submitted(member)  # waits for the manager, not for the member
    client.force_login(member)
    page = text(client.get("/"))
    assert "Waiting for you" not in page
    assert "Changes requested" not in page
    assert "wait for your decision" not in page
    assert "left of" in page  # the budget is always there
    client.force_login(manager)
    assert "1 claim waits for your decision" in text(client.get("/"))


# --- The navigation's counts ------------------------------------------------------------------


def test_the_review_tab_counts_the_managers_claims_to_decide_in_words_too(client, member, manager):
    submitted(member, "one")
    submitted(member, "two")
    submitted(member, "three")
    submitted(manager, "my own")  # never their own
    client.force_login(manager)
    link = nav_link(client.get("/logs/").content.decode(), "/claims/review/")
    assert '<span class="nav-count" aria-hidden="true">3</span>' in link
    assert '<span class="visually-hidden">, 3 to review</span>' in link


def test_the_finance_tab_counts_the_claims_to_pay(client, member, finance_user):
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30"))
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30"))
    ClaimFactory(claimant=member, state="paid", approved_amount=Decimal("30"))  # paid: done
    submitted(member)  # not approved yet
    client.force_login(finance_user)
    link = nav_link(client.get("/logs/").content.decode(), "/claims/finance/")
    assert ", 2 to pay" in link
    assert ">2</span>" in link


def test_a_member_sees_no_review_count(client, member, manager):
    submitted(manager)  # a claim the member can neither see nor decide
    client.force_login(member)
    body = client.get("/").content.decode()
    assert "nav-count" not in body
    assert "to review" not in body
    assert "/claims/review/" not in body


def test_no_badge_when_nothing_waits(client, manager, finance_user):
    for who in (manager, finance_user):
        client.force_login(who)
        assert "nav-count" not in client.get("/").content.decode()


# --- A constant number of queries ------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/claims/"])
def test_the_counts_cost_the_same_queries_however_many_claims_wait(
    client, member, manager, team, url, django_assert_max_num_queries
):
    manager.groups.add(Group.objects.get(name=FINANCE_GROUP))  # both counts in the navigation
    client.force_login(manager)
    submitted(member)
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30"))
    sent_back = submitted(manager, "mine")
    sent_back.state = "changes_requested"
    sent_back.save(update_fields=["state"])
    few = _queries(client, url)
    for i in range(6):
        other = UserFactory()
        MembershipFactory(user=other, team=team)
        submitted(other, f"book {i}")
        ClaimFactory(claimant=other, state="approved", approved_amount=Decimal("30"))
        c = submitted(manager, f"mine {i}")
        c.state = "changes_requested"
        c.save(update_fields=["state"])
    with django_assert_max_num_queries(few):
        _queries(client, url)
