"""Claims in Slack: the deciders' "Claim to decide", deciding from it, and the claimant told."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from learningday.models import OutboxMessage
from reimbursements import services
from reimbursements.models import Claim, ClaimEvent
from slackapp import claims as slack_claims
from slackapp.claims import update_claim_messages
from slackapp.models import ClaimMessage, SlackAccount
from tests.factories import ClaimFactory, MembershipFactory, UserFactory
from tests.slackapp.fake_api import WORKSPACE

pytestmark = [pytest.mark.django_db, pytest.mark.frozen]


def connect(user, slack_id: str) -> None:
    SlackAccount.objects.create(user=user, slack_user_id=slack_id, slack_team_id=WORKSPACE)


@pytest.fixture
def people(member, manager, finance_user):
    connect(member, "U1")
    connect(manager, "U2")
    connect(finance_user, "U4")
    return member, manager


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services queue after their commit (the signals), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submit(claimant, on_commit, **fields) -> Claim:
    claim = ClaimFactory(claimant=claimant, description="The Book of Why", with_receipt=True, **fields)
    with on_commit():
        services.claim_submit(user=claimant, claim=claim)
    return claim


def posts_to(slack_api, channel: str) -> list[dict]:
    return slack_api.posts_to(channel)


def text_of(message: dict) -> str:
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    return "\n".join(parts)


def buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]}


def click(slack, action_id: str, claim: Claim, *, user: str):
    return slack.action(
        {"action_id": action_id, "value": str(claim.pk)}, user=user, message={"channel": "D", "ts": "1"}
    )


def test_submitted_claim_is_sent_to_the_manager_once_with_the_buttons(slack_api, people, on_commit):
    member, manager = people

    claim = submit(member, on_commit)

    (message,) = posts_to(slack_api, "DU2")
    text = text_of(message)
    assert "Claim to decide" in text
    assert "*Tom Member*'s claim for book" in text and "The Book of Why" in text
    assert "€30.00" in text and "Tuesday 10 November 2026" in text
    approve, changes, open_ = buttons(message).values()
    assert (approve["action_id"], approve["value"], approve["style"]) == ("claim_approve", str(claim.pk), "primary")
    assert (changes["action_id"], changes["value"]) == ("claim_changes", str(claim.pk))
    assert open_["url"] == f"http://127.0.0.1:8000/claims/{claim.pk}/"
    assert posts_to(slack_api, "DU1") == [] and posts_to(slack_api, "DU4") == []  # not the claimant, not finance
    assert ClaimMessage.objects.get(claim=claim, user=manager).channel_id == "DU2"

    event = claim.events.get(to_state="submitted")
    slack_claims.send_claim_to_decide.delay(event.pk)  # a retry, a second delivery
    assert len(posts_to(slack_api, "DU2")) == 1


def test_claim_to_decide_shows_its_flags(slack_api, people, on_commit, settings):
    settings.CLAIM_KIND_CAPS = {"book": Decimal("20")}
    member, _ = people

    submit(member, on_commit)

    (message,) = posts_to(slack_api, "DU2")
    assert "Over the cap for book claims (€20.00)" in text_of(message)


def test_managers_own_claim_goes_to_finance(slack_api, people, on_commit):
    _, manager = people

    submit(manager, on_commit)

    assert posts_to(slack_api, "DU2") == []
    (message,) = posts_to(slack_api, "DU4")
    assert "Maja Manager" in text_of(message)


def test_manager_approves_from_slack(slack, slack_api, people, on_commit):
    member, manager = people
    claim = submit(member, on_commit)
    posted = ClaimMessage.objects.get(claim=claim, user=manager)

    with on_commit():
        response = click(slack, "claim_approve", claim, user="U2")

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.state == Claim.State.APPROVED and claim.decided_by == manager
    assert ClaimEvent.objects.get(claim=claim, to_state="approved").actor == manager
    update = slack_api.last("chat.update").args
    assert (update["channel"], update["ts"]) == ("DU2", posted.ts)
    assert "Approved* by Maja Manager, €30.00" in text_of(update)
    assert buttons(update) == {}
    assert slack_api.responses == []
    # The claimant hears of it, once.
    (told,) = posts_to(slack_api, "DU1")
    assert "was *approved* by Maja Manager: €30.00" in text_of(told)
    slack_claims.tell_claimant.delay(claim.events.get(to_state="approved").pk)
    assert len(posts_to(slack_api, "DU1")) == 1


def test_a_decision_on_the_web_updates_the_message_too(slack_api, people, on_commit):
    member, manager = people
    claim = submit(member, on_commit)

    with on_commit():
        services.claim_reject(user=manager, claim=claim, reason="Not a learning expense.")

    update = slack_api.last("chat.update").args
    assert "Rejected* by Maja Manager: Not a learning expense." in text_of(update)
    assert buttons(update) == {}
    (told,) = posts_to(slack_api, "DU1")
    assert "*rejected*" in text_of(told) and "Not a learning expense." in text_of(told)


def test_manager_cannot_approve_their_own_claim_from_slack(slack, slack_api, people, on_commit):
    _, manager = people
    claim = submit(manager, on_commit)

    with on_commit():
        click(slack, "claim_approve", claim, user="U2")

    claim.refresh_from_db()
    assert claim.state == Claim.State.SUBMITTED
    (answer,) = slack_api.responses
    assert "You may not do this with this claim." in answer["text"]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert slack_api.calls("chat.update") == []


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_someone_who_is_no_decider_cannot_approve(slack, slack_api, people, on_commit, outsider, team, who):
    member, _ = people
    if who == "teammate":
        person = UserFactory(email="teammate@example.com")
        MembershipFactory(user=person, team=team)
    else:
        person = outsider
    connect(person, "U9")
    claim = submit(member, on_commit)

    with on_commit():
        click(slack, "claim_approve", claim, user="U9")

    claim.refresh_from_db()
    assert claim.state == Claim.State.SUBMITTED
    assert "not one you can decide" in slack_api.responses[0]["text"]
    assert not ClaimEvent.objects.filter(claim=claim, to_state="approved").exists()


def test_a_flagged_duplicate_must_be_approved_on_its_page(slack, slack_api, people, on_commit):
    member, _ = people
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30.00"))  # same day and amount
    claim = submit(member, on_commit)
    assert "Another claim has the same date, amount and currency." in text_of(posts_to(slack_api, "DU2")[0])

    with on_commit():
        click(slack, "claim_approve", claim, user="U2")

    claim.refresh_from_db()
    assert claim.state == Claim.State.SUBMITTED
    text = slack_api.responses[0]["text"]
    assert "looks like another one" in text and f"/claims/{claim.pk}/" in text


def test_manager_asks_for_changes_through_the_modal(slack, slack_api, people, on_commit):
    member, manager = people
    claim = submit(member, on_commit)

    click(slack, "claim_changes", claim, user="U2")
    view = slack_api.last("views.open").args["view"]
    assert view["callback_id"] == "claim_changes"

    empty = slack.view_submission(view, {"note": {"note": {"type": "plain_text_input", "value": "  "}}}, user="U2")
    assert empty.json() == {"response_action": "errors", "errors": {"note": "Say what should change."}}
    with on_commit():
        done = slack.view_submission(
            view, {"note": {"note": {"type": "plain_text_input", "value": "Add the second page."}}}, user="U2"
        )

    assert done.status_code == 200 and done.content in (b"", b"{}")
    claim.refresh_from_db()
    assert claim.state == Claim.State.CHANGES_REQUESTED
    event = ClaimEvent.objects.get(claim=claim, to_state="changes_requested")
    assert (event.actor, event.note) == (manager, "Add the second page.")
    assert "Changes asked for* by Maja Manager: Add the second page." in text_of(slack_api.last("chat.update").args)
    (told,) = posts_to(slack_api, "DU1")
    assert "*asked for changes*" in text_of(told) and "Add the second page." in text_of(told)
    assert buttons(told)["claim_open"]["url"].endswith(f"/claims/{claim.pk}/edit/")


def test_someone_who_is_no_decider_gets_no_changes_modal(slack, slack_api, people, on_commit):
    member, _ = people
    claim = submit(member, on_commit)

    click(slack, "claim_changes", claim, user="U1")  # the claimant

    assert slack_api.calls("views.open") == []
    assert "You may not do this with this claim." in slack_api.responses[0]["text"]


def test_claimant_hears_of_the_payment(slack_api, people, on_commit, finance_user):
    member, manager = people
    claim = submit(member, on_commit)
    with on_commit():
        services.claim_approve(user=manager, claim=claim)
    with on_commit():
        services.claim_mark_paid(user=finance_user, claims=[claim], reference="PAY-1")

    told = [text_of(m) for m in posts_to(slack_api, "DU1")]
    assert len(told) == 2 and "*paid*: €30.00" in told[1]


def test_without_a_slack_account_nobody_is_messaged(slack_api, member, manager, on_commit):
    submit(member, on_commit)
    assert slack_api.calls("chat.postMessage") == []


def test_a_resubmitted_claim_is_sent_again_and_its_new_message_is_the_one_updated(slack_api, people, on_commit):
    member, manager = people
    claim = submit(member, on_commit)
    with on_commit():
        services.claim_request_changes(user=manager, claim=claim, note="The receipt is cut off.")
    first_ts = slack_api.last("chat.update").args["ts"]
    with on_commit():
        services.claim_submit(user=member, claim=claim)

    _, again = posts_to(slack_api, "DU2")
    assert buttons(again)["claim_approve"]["value"] == str(claim.pk)
    remembered = ClaimMessage.objects.get(claim=claim, user=manager)
    # The request for changes' task, retried late, leaves the new message and its buttons alone.
    asked = claim.events.get(to_state="changes_requested")
    updates = len(slack_api.calls("chat.update"))
    assert update_claim_messages.apply(args=[asked.pk]).get() == 0
    assert len(slack_api.calls("chat.update")) == updates
    with on_commit():
        services.claim_approve(user=manager, claim=claim)

    assert slack_api.last("chat.update").args["ts"] == remembered.ts != first_ts


def test_a_message_slack_refuses_is_given_up_and_the_claim_stays(slack_api, people, on_commit):
    member, manager = people
    slack_api.fail("chat.postMessage", "channel_not_found")

    claim = submit(member, on_commit)

    row = OutboxMessage.objects.get(channel="slack_dm", user=manager)
    assert row.given_up_at is not None and "channel_not_found" in row.last_error
    claim.refresh_from_db()
    assert claim.state == Claim.State.SUBMITTED
    assert not ClaimMessage.objects.filter(claim=claim).exists()
