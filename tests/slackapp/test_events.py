"""The endpoint Slack calls: signatures, retries, and who may do anything at all."""

from __future__ import annotations

import re
import time

import pytest

from slackapp.models import SlackAccount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(member, slack_api):
    slack_api.add_user("U1", member.email)
    return member


def test_signed_learned_command_opens_the_modal_for_the_matched_person(slack, slack_api, linked):
    response = slack.command("/learned", "Read about **JAX** pmap")

    assert response.status_code == 200
    view = slack_api.last("views.open").args["view"]
    body = next(b for b in view["blocks"] if b["block_id"] == "body")
    assert body["element"]["initial_value"] == "Read about **JAX** pmap"
    # Matched by the email Slack gave, once: the next request needs no lookup.
    assert SlackAccount.objects.get(user=linked).slack_user_id == "U1"
    slack_api.clear()
    slack.command("/learned")
    assert slack_api.calls("users.info") == []


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"secret": "not-the-signing-secret"}, id="forged"),
        pytest.param({"timestamp": int(time.time()) - 10 * 60}, id="replayed-ten-minutes-later"),
    ],
)
def test_forged_or_stale_request_is_refused_and_changes_nothing(slack, slack_api, linked, tamper):
    body = "command=%2Flearned&text=x&user_id=U1&team_id=T0LEARN&trigger_id=t1"
    response = slack.post(body, "application/x-www-form-urlencoded", **tamper)

    assert response.status_code == 401
    assert slack_api.calls() == []
    assert not SlackAccount.objects.exists()


def test_unsigned_request_is_refused(client, slack_api):
    response = client.post("/slack/events", data="command=%2Flearned", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401


def test_slack_user_without_an_account_gets_only_a_link_to_connect(slack, slack_api, db):
    slack_api.add_user("U9", "stranger@elsewhere.example")

    response = slack.command("/learned", "anything", user="U9")

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "connect" in answer["text"]
    assert slack_api.calls("views.open") == []


def test_deactivated_account_can_do_nothing_in_slack(slack, slack_api, member):
    SlackAccount.objects.create(user=member, slack_user_id="U1", slack_team_id="T0LEARN")
    member.is_active = False
    member.save(update_fields=["is_active"])

    response = slack.command("/learned", user="U1")

    assert "deactivated" in response.json()["text"]
    assert slack_api.calls("views.open") == []


def test_connect_link_ties_the_slack_user_to_the_signed_in_account(slack, slack_api, client, db):
    person = UserFactory(email="ada@example.com")
    slack_api.add_user("U7", "ada.lovelace@private.example")  # not the address of the account
    text = slack.command("/learned", user="U7").json()["text"]
    link = re.search(r"https?://\S+", text).group(0).removeprefix("http://127.0.0.1:8000")

    client.force_login(person)
    page = client.get(link)
    assert page.status_code == 200
    assert "U7" in page.content.decode()
    client.post(link)

    assert SlackAccount.objects.get(user=person).slack_user_id == "U7"
    profile = client.get("/profile/").content.decode()
    assert "U7" in profile and "Disconnect Slack" in profile
    slack.command("/learned", user="U7")
    assert slack_api.last("views.open")

    client.post("/slack/disconnect/")
    assert not SlackAccount.objects.filter(user=person).exists()


def test_connect_link_that_was_tampered_with_is_refused(member_client, slack_api):
    response = member_client.get("/slack/connect/not-a-signed-token/")
    assert response.status_code == 400
    assert not SlackAccount.objects.exists()


def test_retried_delivery_is_handled_once(slack, slack_api, linked):
    first = slack.command("/learned")
    assert first.status_code == 200
    trigger = slack_api.last("views.open").args["trigger_id"]
    slack_api.clear()

    body = f"command=%2Flearned&text=&user_id=U1&team_id=T0LEARN&trigger_id={trigger}"
    again = slack.post(body, "application/x-www-form-urlencoded", **{"X-Slack-Retry-Num": "1"})

    assert again.status_code == 200
    assert slack_api.calls("views.open") == []


def test_without_the_slack_app_the_endpoint_does_not_exist(client, settings, db):
    settings.SLACK_ENABLED = False
    assert client.post("/slack/events", data="{}", content_type="application/json").status_code == 404


def test_bot_token_never_appears_in_logs_or_answers(slack, slack_api, linked, caplog):
    from tests.slackapp.fake_api import TOKEN

    slack_api.fail("views.open", "invalid_auth")
    with caplog.at_level("DEBUG"):
        response = slack.command("/learned", "something")

    assert TOKEN not in response.content.decode()
    assert TOKEN not in caplog.text


def test_a_rate_limited_call_inside_a_request_is_tried_once_not_waited_out(slack, slack_api, linked):
    """Slack gives up on a request after three seconds: the app's client does not sit out a
    Retry-After there (a task would), and the person is told to try again."""
    attempts, real = [], slack_api._answer

    def limited(method, args):
        if method == "views.open":
            attempts.append(method)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}
        return real(method, args)

    slack_api._answer = limited
    response = slack.command("/learned")

    assert response.status_code == 200
    assert attempts == ["views.open"]


def _connect_link(slack, slack_api, slack_id: str, email: str) -> str:
    slack_api.add_user(slack_id, email)
    text = slack.command("/learned", user=slack_id).json()["text"]
    return re.search(r"https?://\S+", text).group(0).removeprefix("http://127.0.0.1:8000")


def test_connect_page_says_who_the_slack_user_is_and_warns_against_forwarded_links(slack, slack_api, client, db):
    link = _connect_link(slack, slack_api, "U7", "ada.lovelace@private.example")
    client.force_login(UserFactory(email="ada@example.com"))

    page = client.get(link).content.decode()

    assert "ada.lovelace" in page and "ada.lovelace@private.example" in page
    assert "If someone sent you this link, do not use it" in page


def test_a_forwarded_link_cannot_replace_the_slack_user_an_account_already_has(slack, slack_api, client, manager):
    SlackAccount.objects.create(user=manager, slack_user_id="U2", slack_team_id="T0LEARN")
    link = _connect_link(slack, slack_api, "U9", "mallory@elsewhere.example")
    client.force_login(manager)

    assert "already connected to the Slack user" in client.get(link).content.decode()
    client.post(link)

    assert SlackAccount.objects.get(user=manager).slack_user_id == "U2"
    slack.command("/learned", user="U9")
    assert slack_api.calls("views.open") == []


def test_the_account_owner_is_emailed_once_of_a_new_slack_connection(
    slack, slack_api, client, mailoutbox, django_capture_on_commit_callbacks, db
):
    person = UserFactory(email="ada@example.com")
    link = _connect_link(slack, slack_api, "U7", "ada.lovelace@private.example")
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
        client.post(link)  # a second click changes nothing

    [told] = mailoutbox
    assert told.to == ["ada@example.com"]
    assert "U7" in told.body and "/profile/" in told.body


def test_disconnecting_in_the_admin_brings_the_reminders_back_to_email(client, staff_user, member, slack_api):
    account = SlackAccount.objects.create(user=member, slack_user_id="U1", slack_team_id="T0LEARN")
    member.reminders_via = member.ReminderVia.SLACK
    member.save(update_fields=["reminders_via"])
    client.force_login(staff_user)

    assert client.get("/admin/slackapp/slackaccount/add/").status_code == 403
    client.post(f"/admin/slackapp/slackaccount/{account.pk}/delete/", {"post": "yes"})

    member.refresh_from_db()
    assert not SlackAccount.objects.exists()
    assert member.reminders_via == member.ReminderVia.EMAIL
