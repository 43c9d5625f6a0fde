import datetime as dt

import pytest

from tests.factories import ClaimFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_manager(staff_user, team):
    """An admin who is also the team's manager."""
    MembershipFactory(user=staff_user, team=team, role="manager")
    return staff_user


def test_claims_are_searchable_and_filterable(client, staff_user, member, outsider):
    ClaimFactory(claimant=member, description="The Book of Why", state="submitted")
    ClaimFactory(
        claimant=outsider, description="Tutor for statistics", kind="tutor", state="approved", approved_amount=30
    )
    client.force_login(staff_user)

    def rows(**params):
        return [c.description for c in client.get("/admin/reimbursements/claim/", params).context["cl"].result_list]

    assert rows(q="book of why") == ["The Book of Why"]
    assert rows(kind__exact="tutor") == ["Tutor for statistics"]
    assert rows(state__exact="submitted") == ["The Book of Why"]


def test_an_admin_cannot_approve_their_own_claim_through_the_admin(client, staff_manager):
    own = ClaimFactory(claimant=staff_manager, state="submitted", submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    client.force_login(staff_manager)
    response = client.post(
        "/admin/reimbursements/claim/", {"action": "approve", "_selected_action": [own.pk]}, follow=True
    )
    assert f"Claim #{own.pk}: You may not do this with this claim." in response.content.decode()
    own.refresh_from_db()
    assert own.state == "submitted"


def test_the_admin_approves_through_the_service_with_a_trail(client, staff_manager, member):
    claim = ClaimFactory(claimant=member, state="submitted", submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    client.force_login(staff_manager)
    client.post("/admin/reimbursements/claim/", {"action": "approve", "_selected_action": [claim.pk]})
    claim.refresh_from_db()
    assert claim.state == "approved"
    assert claim.events.get().actor == staff_manager


def test_state_and_money_cannot_be_edited_in_the_admin(client, staff_user, member):
    claim = ClaimFactory(claimant=member, state="submitted")
    client.force_login(staff_user)
    page = client.get(f"/admin/reimbursements/claim/{claim.pk}/change/").content.decode()
    assert 'name="state"' not in page
    assert 'name="amount"' not in page
    assert client.get(f"/admin/reimbursements/claim/{claim.pk}/delete/").status_code == 403
    assert client.get("/admin/reimbursements/claimevent/add/").status_code == 403
