"""The claims pages kept whole per viewer (reimbursements.views._kept): the next request after
any change shows it, a page kept for one person is never shown to another, and the forms on a
kept page carry the request's own CSRF token.

Each test opens the pages once before the change, so that they are in the cache when it
happens.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from learningday import fragments
from learningday.models import Membership
from reimbursements import services
from reimbursements.models import Claim, PersonalBudget
from tests.factories import ClaimFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))]


@pytest.fixture
def claim(member):
    """The member's draft, with its receipt."""
    return ClaimFactory(
        claimant=member, description="Probabilistic Robotics", amount=Decimal("48.00"), with_receipt=True
    )


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _pages(clients: dict[str, Client], claim: Claim) -> dict[str, str]:
    return {
        "mine": _page(clients["member"], "/claims/"),
        "detail": _page(clients["member"], f"/claims/{claim.pk}/"),
        "review": _page(clients["manager"], "/claims/review/"),
        "finance": _page(clients["finance"], "/claims/finance/"),
    }


@pytest.fixture
def clients(member, manager, finance_user) -> dict[str, Client]:
    signed_in = {}
    for name, user in {"member": member, "manager": manager, "finance": finance_user}.items():
        signed_in[name] = Client()
        signed_in[name].force_login(user)
    return signed_in


def _fresh(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def test_a_claim_s_way_from_draft_to_paid_shows_on_every_claims_page_at_once(
    clients, claim, member, manager, finance_user
):
    pages = _pages(clients, claim)
    assert "Draft" in pages["mine"] and "Submit for approval" in pages["detail"]
    assert "Nothing to decide" in pages["review"] and "Probabilistic Robotics" not in pages["finance"]

    services.claim_submit(user=member, claim=_fresh(claim))
    pages = _pages(clients, claim)
    assert "Submitted" in pages["mine"] and "Withdraw" in pages["detail"]
    assert "Probabilistic Robotics" in pages["review"] and "Probabilistic Robotics" not in pages["finance"]

    services.claim_approve(user=manager, claim=_fresh(claim))
    pages = _pages(clients, claim)
    assert "Approved" in pages["mine"] and "Maja Manager: approved" in pages["detail"]
    assert "Nothing to decide" in pages["review"]
    assert "Probabilistic Robotics" in pages["finance"] and "Mark ticked claims paid" in pages["finance"]

    services.claim_mark_paid(user=finance_user, claims=[_fresh(claim)], reference="SEPA-2026-1123")
    pages = _pages(clients, claim)
    assert "Paid" in pages["mine"] and "SEPA-2026-1123" in pages["detail"] and "SEPA-2026-1123" in pages["finance"]


def test_a_draft_edited_shows_its_new_description_at_once(clients, claim, member):
    pages = _pages(clients, claim)
    assert "Probabilistic Robotics" in pages["mine"] and "Probabilistic Robotics" in pages["detail"]
    data = services.ClaimData(
        kind="book",
        description="Probabilistic Robotics, 2nd ed.",
        purchase_date=claim.purchase_date,
        amount=claim.amount,
        currency="EUR",
    )
    services.claim_update(user=member, claim=_fresh(claim), data=data, today=dt.date(2026, 11, 23))
    pages = _pages(clients, claim)
    assert "Probabilistic Robotics, 2nd ed." in pages["mine"] and "Probabilistic Robotics, 2nd ed." in pages["detail"]


def test_a_budget_a_name_and_a_new_day_show_at_once(clients, claim, member, manager, frozen):
    services.claim_submit(user=member, claim=_fresh(claim))
    pages = _pages(clients, claim)
    assert "€1,000.00" in pages["mine"] and "Submitted today" in pages["review"]

    PersonalBudget.objects.create(user=member, amount=Decimal("1500.00"))
    assert "€1,500.00" in _page(clients["member"], "/claims/")
    member.display_name = "Tomasz Member"
    member.save()
    assert "Tomasz Member" in _page(clients["manager"], "/claims/review/")

    frozen.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC))
    assert "Waiting 2 days" in _page(clients["manager"], "/claims/review/")


@pytest.fixture
def also_manages(manager, other_team):
    """The manager leads a second team, so the queue stays theirs when they leave the first."""
    MembershipFactory(user=manager, team=other_team, role=Membership.Role.MANAGER)
    return manager


def test_a_manager_who_leaves_the_team_no_longer_sees_its_claims(clients, claim, member, also_manages):
    services.claim_submit(user=member, claim=_fresh(claim))
    assert "Probabilistic Robotics" in _page(clients["manager"], "/claims/review/")
    Membership.objects.get(user=also_manages, team=claim.claimant.memberships.get().team).delete()
    assert "Probabilistic Robotics" not in _page(clients["manager"], "/claims/review/")
    assert clients["manager"].get(f"/claims/{claim.pk}/").status_code == 404


def test_a_role_changed_without_any_save_still_changes_the_kept_queue(clients, claim, member, also_manages, team):
    """The viewer's teams and roles are part of the key, read live: even a change that sent no
    signal (a bulk update, a restored row) is seen on the next request."""
    services.claim_submit(user=member, claim=_fresh(claim))
    assert "Probabilistic Robotics" in _page(clients["manager"], "/claims/review/")
    Membership.objects.filter(user=also_manages, team=team).update(role=Membership.Role.MEMBER)
    assert "Probabilistic Robotics" not in _page(clients["manager"], "/claims/review/")


def test_a_page_kept_for_one_person_is_never_shown_to_another(clients, claim, member, manager, finance_user, team):
    services.claim_submit(user=member, claim=_fresh(claim))
    services.claim_approve(user=manager, claim=_fresh(claim))
    # Finance sees the claim with its Pay form; the claimant, at the same address, does not.
    assert "Mark paid" in _page(clients["finance"], f"/claims/{claim.pk}/")
    assert "Mark paid" not in _page(clients["member"], f"/claims/{claim.pk}/")
    # Another member of the same team, at the same address as the member: their own claims only.
    other = UserFactory(email="pat@example.com", display_name="Pat Peer")
    MembershipFactory(user=other, team=team)
    assert "Probabilistic Robotics" in _page(clients["member"], "/claims/")
    client = Client()
    client.force_login(other)
    assert "Probabilistic Robotics" not in _page(client, "/claims/")
    assert client.get(f"/claims/{claim.pk}/").status_code == 404
    # A manager of another team, at the same address as the manager: nothing of this team's.
    ClaimFactory(
        claimant=member, state="submitted", description="Kalman and Bayes", submitted_at=dt.datetime.now(dt.UTC)
    )
    assert "Kalman and Bayes" in _page(clients["manager"], "/claims/review/")
    elsewhere = UserFactory(email="max@example.com", display_name="Max Elsewhere")
    MembershipFactory(user=elsewhere, team__name="Research", role=Membership.Role.MANAGER)
    client.force_login(elsewhere)
    assert "Kalman and Bayes" not in _page(client, "/claims/review/")
    # Finance's list, kept for finance, is a 403 to a manager.
    assert clients["manager"].get("/claims/finance/").status_code == 403


def test_forms_on_a_kept_page_carry_the_request_s_own_token(member, manager, claim):
    """The kept HTML holds a stand-in, never a token; each request's page gets its own, and a
    form posted from the page read out of the cache passes Django's CSRF check."""
    services.claim_submit(user=member, claim=_fresh(claim))
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(manager)
    second.force_login(manager)
    _page(first, "/claims/review/")  # kept now
    page = _page(second, "/claims/review/")  # read from the cache
    assert fragments.CSRF_MARK not in page
    kept = [value for value in cache._cache.values() if fragments.CSRF_MARK.encode() in value]
    assert kept, "the review queue's body is kept with the stand-in"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post(f"/claims/{claim.pk}/approve/", {"csrfmiddlewaretoken": token, "next": "review"})
    assert response.status_code == 302
    assert _fresh(claim).state == Claim.State.APPROVED
