"""Deciding from the review queue: one click per plain claim, several at once, how long each
has waited; and the claim page's decision (Approve first, the others folded away)."""

import datetime as dt
import html
import itertools
import re
from decimal import Decimal

import pytest

from reimbursements.models import Claim
from tests.factories import ClaimFactory, EntryFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen]

SUBMITTED = dt.datetime(2026, 11, 21, 10, 30, tzinfo=dt.UTC)


_amounts = itertools.count(21)


def submitted(claimant, description, **fields):
    """A submitted claim; each its own amount, so that no two look like the same claim."""
    fields.setdefault("submitted_at", SUBMITTED)
    fields.setdefault("amount", Decimal(f"{next(_amounts)}.17"))  # never the 30.00 of ClaimFactory
    return ClaimFactory(claimant=claimant, state="submitted", description=description, **fields)


def text(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def row_of(page: str, claim: Claim) -> str:
    """The queue's row of one claim, as HTML."""
    rows = page.split('<li class="card review-row">')[1:]
    found = [r.split("\n        </li>")[0] for r in rows if f"/claims/{claim.pk}/" in r]
    assert len(found) == 1, f"one row for claim {claim.pk}"
    return found[0]


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def flagged(member):
    """A book the member claimed (and was paid for) before: it needs a check on its page."""
    ClaimFactory(claimant=member, state="paid", description="The Book of Why", approved_amount=Decimal("24.00"))
    return submitted(member, "the book of why", amount=Decimal("24.90"))


# --- One click --------------------------------------------------------------------------------


def test_a_plain_claim_is_approved_with_one_click_and_a_flagged_one_only_from_its_page(
    client, manager, member, flagged, settings
):
    settings.CLAIM_KIND_CAPS = {"course": Decimal("300")}
    plain = submitted(member, "Deep Learning with JAX")
    costly = submitted(member, "A very long course", kind="course", amount=Decimal("400.00"))  # shown, not blocking
    client.force_login(manager)
    page = client.get("/claims/review/").content.decode()

    plain_row = row_of(page, plain)
    assert f'action="/claims/{plain.pk}/approve/"' in plain_row
    assert f'id="pick-{plain.pk}"' in plain_row

    costly_row = row_of(page, costly)
    assert f'action="/claims/{costly.pk}/approve/"' in costly_row  # one click, with the flag beside it
    assert "Over the cap for course claims" in costly_row
    assert f'id="pick-{costly.pk}"' not in costly_row  # never approved blind, with others

    flagged_row = row_of(page, flagged)
    assert "/approve/" not in flagged_row
    assert "pick-" not in flagged_row
    assert "The same person claimed this book in the past year" in flagged_row
    assert "Check and decide" in flagged_row

    response = client.post(f"/claims/{plain.pk}/approve/", {"next": "review"}, follow=True)
    assert response.redirect_chain[-1][0] == "/claims/review/"
    assert "Approved “Deep Learning with JAX” (Tom Member) in full." in text(response)
    plain.refresh_from_db()
    assert (plain.state, plain.approved_amount, plain.decided_by) == ("approved", plain.amount, manager)
    assert "Deep Learning with JAX" not in text(client.get("/claims/review/"))


def test_a_claim_that_needs_a_check_is_not_approved_by_a_one_click_post(client, manager, flagged):
    client.force_login(manager)
    response = client.post(f"/claims/{flagged.pk}/approve/", {"next": "review"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/claims/{flagged.pk}/"
    assert "has something to check: decide it here." in text(response)
    flagged.refresh_from_db()
    assert flagged.state == "submitted"


def test_one_click_on_a_claim_decided_meanwhile_says_so(client, manager, member):
    claim = submitted(member, "Withdrawn meanwhile")
    Claim.objects.filter(pk=claim.pk).update(state="withdrawn")
    client.force_login(manager)
    response = client.post(f"/claims/{claim.pk}/approve/", {"next": "review"}, follow=True)
    assert "This claim is withdrawn: it cannot become approved." in text(response)
    claim.refresh_from_db()
    assert claim.state == "withdrawn"


# --- Several at once ---------------------------------------------------------------------------


def test_a_manager_approves_two_plain_claims_with_one_button(client, manager, member, team):
    teammate = UserFactory(email="teammate@example.com", display_name="Tia Teammate")
    MembershipFactory(user=teammate, team=team)
    first = submitted(member, "Probabilistic Machine Learning", amount=Decimal("30.00"))
    second = submitted(teammate, "Designing Data-Intensive Applications", amount=Decimal("45.50"))
    untouched = submitted(member, "Not ticked")
    client.force_login(manager)
    page = client.get("/claims/review/").content.decode()
    assert 'id="approve-many"' in page and "Approve selected in full" in page

    response = client.post("/claims/review/approve/", {"claims": [first.pk, second.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == "/claims/review/"
    said = text(response)
    assert (
        "Approved in full, 2 claims: “Probabilistic Machine Learning” (Tom Member); "
        "“Designing Data-Intensive Applications” (Tia Teammate)." in said
    )
    assert "Not approved" not in said
    for claim, amount in ((first, Decimal("30.00")), (second, Decimal("45.50"))):
        claim.refresh_from_db()
        assert (claim.state, claim.approved_amount, claim.decided_by) == ("approved", amount, manager)
        assert claim.events.filter(to_state="approved", actor=manager).count() == 1
    untouched.refresh_from_db()
    assert untouched.state == "submitted"


def test_each_claim_that_cannot_be_approved_is_named_and_left_as_it_was(client, manager, member, flagged, settings):
    settings.CLAIM_KIND_CAPS = {"course": Decimal("300")}
    plain = submitted(member, "Plain book")
    withdrawn = submitted(member, "Withdrawn meanwhile")
    Claim.objects.filter(pk=withdrawn.pk).update(state="withdrawn")
    costly = submitted(member, "Costly course", kind="course", amount=Decimal("400.00"))
    client.force_login(manager)
    response = client.post(
        "/claims/review/approve/", {"claims": [plain.pk, withdrawn.pk, flagged.pk, costly.pk]}, follow=True
    )
    said = text(response)
    assert "Approved in full, 1 claim: “Plain book” (Tom Member)." in said
    assert "Not approved, left as they were:" in said
    assert "“Withdrawn meanwhile” (Tom Member) is withdrawn now" in said
    assert "“the book of why” (Tom Member) has something to check: decide it on its page" in said
    assert "“Costly course” (Tom Member) has something to check" in said
    states = dict(
        Claim.objects.filter(pk__in=[plain.pk, withdrawn.pk, flagged.pk, costly.pk]).values_list("pk", "state")
    )
    assert states == {plain.pk: "approved", withdrawn.pk: "withdrawn", flagged.pk: "submitted", costly.pk: "submitted"}


def test_posting_claims_one_may_not_decide_changes_nothing(
    client, manager, member, outsider, team, other_team, finance_user
):
    MembershipFactory(user=UserFactory(email="research@example.com"), team=other_team, role="manager")
    outsiders = submitted(outsider, "Secret of another team")
    own = submitted(manager, "The manager's own book")
    second_manager = UserFactory(email="second@example.com", display_name="Sam Second")
    MembershipFactory(user=second_manager, team=team, role="manager")  # so the manager's claim has a decider
    mine = submitted(member, "Member's book")
    client.force_login(manager)
    response = client.post(
        "/claims/review/approve/",
        {"claims": [outsiders.pk, own.pk, 999999, "x", "-1", "²", "٣", "9" * 30]},
        follow=True,
    )
    said = text(response)
    assert "Approved" not in said
    assert "Secret of another team" not in said  # not named: the manager may not know it exists
    assert "“The manager's own book” (Maja Manager): you may not decide it" in said
    assert "2 of the ticked claims are not yours to decide or no longer there" in said

    for person, status in ((member, 403), (outsider, 403)):  # no review queue: refused outright
        client.force_login(person)
        assert client.post("/claims/review/approve/", {"claims": [mine.pk]}).status_code == status
    client.force_login(finance_user)  # has a queue, but the member's claim has managers to decide it
    said = text(client.post("/claims/review/approve/", {"claims": [mine.pk]}, follow=True))
    assert "Member's book" not in said and "1 of the ticked claims is not yours to decide" in said

    assert set(Claim.objects.filter(pk__in=[outsiders.pk, own.pk, mine.pk]).values_list("state", flat=True)) == {
        "submitted"
    }
    assert not Claim.objects.filter(state="approved").exists()


def test_approving_none_ticked_says_what_to_do(client, manager, member):
    submitted(member, "Plain book")
    client.force_login(manager)
    response = client.post("/claims/review/approve/", {}, follow=True)
    assert "Tick the claims to approve first." in text(response)
    assert client.get("/claims/review/approve/").status_code == 405


# --- How long it has waited ----------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "waited"), [("UTC", "Waiting 3 days"), ("Pacific/Auckland", "Waiting 4 days")])
def test_the_wait_is_counted_in_the_readers_time_zone(client, manager, member, zone, waited):
    # Submitted 21 November 10:30 UTC, read 24 November 11:00 UTC: in Auckland it was
    # already the evening of the 21st then, and it is the 25th now.
    claim = submitted(member, "Waiting book")
    manager.timezone = zone
    manager.save(update_fields=["timezone"])
    client.force_login(manager)
    row = row_of(client.get("/claims/review/").content.decode(), claim)
    assert waited in row


def test_a_claim_submitted_today_says_so(client, manager, member):
    claim = submitted(member, "Fresh book", submitted_at=dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC))
    client.force_login(manager)
    assert "Submitted today" in row_of(client.get("/claims/review/").content.decode(), claim)


def test_one_day_is_one_day(client, manager, member):
    claim = submitted(member, "Yesterday's book", submitted_at=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    client.force_login(manager)
    assert "Waiting 1 day<" in row_of(client.get("/claims/review/").content.decode(), claim)


# --- Queries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 120])
def test_the_queue_with_its_actions_runs_the_same_queries_for_few_or_many(
    client, manager, member, team, count, django_assert_max_num_queries, settings
):
    settings.CLAIM_KIND_CAPS = {"book": Decimal("300")}
    settings.ANNUAL_LEARNING_BUDGET = Decimal("1000000")
    people = [member]
    for i in range(3):
        person = UserFactory(email=f"waiting{i}@example.com")
        MembershipFactory(user=person, team=team)
        people.append(person)
    Claim.objects.bulk_create(
        [
            Claim(
                claimant=people[i % 4],
                kind="book",
                description=f"Book {i}",
                purchase_date=dt.date(2026, 11, 1),
                amount=Decimal(400 + i) if i % 3 == 0 else Decimal(10 + i),  # some over the cap
                currency="EUR",
                home_amount=Decimal(400 + i) if i % 3 == 0 else Decimal(10 + i),
                state="submitted",
                submitted_at=SUBMITTED - dt.timedelta(hours=i),
            )
            for i in range(count)
        ]
    )
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get("/claims/review/")
    page = response.content.decode()
    assert page.count('class="card review-row"') == min(count, 25)
    assert page.count("Approve in full") == min(count, 25)
    shown = range(count - 1, count - 1 - min(count, 25), -1)  # the longest waiting first
    assert page.count('form="approve-many"') == sum(1 for i in shown if i % 3 != 0)


# --- The claim page ------------------------------------------------------------------------------


def test_on_the_claim_page_approve_comes_first_and_the_others_are_folded(client, manager, member):
    claim = submitted(member, "Deep Learning with JAX")
    client.force_login(manager)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    approve = page.index(f'action="/claims/{claim.pk}/approve/"')
    changes = page.index(f'action="/claims/{claim.pk}/changes/"')
    reject = page.index(f'action="/claims/{claim.pk}/reject/"')
    assert approve < changes < reject
    assert page.count('<details class="decide-more">') == 2
    assert "<summary>Ask for changes</summary>" in page and "<summary>Reject</summary>" in page
    assert re.search(r'<button type="submit" class="secondary">Send back for changes</button>', page)
    # Without JavaScript a folded form still posts.
    response = client.post(f"/claims/{claim.pk}/changes/", {"note": "A clearer receipt, please."}, follow=True)
    assert "Sent back for changes." in text(response)


def test_the_claimants_learning_is_shown_as_text_not_markdown(client, manager, member):
    claim = submitted(member, "Deep Learning with JAX")
    EntryFactory(
        author=member, body="Tried **JAX** and `vmap` & <b>pmap</b>\n\n- one\n- two", day=dt.date(2026, 11, 19)
    )
    client.force_login(manager)
    response = client.get(f"/claims/{claim.pk}/")
    page = response.content.decode()
    said = text(response)
    assert "Tried JAX and vmap &" in said
    assert "**JAX**" not in page and "`vmap`" not in page
    assert "&amp;amp;" not in page and "&lt;b&gt;" not in page
