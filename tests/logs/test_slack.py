"""Slack messages: what the payload holds, and how posting it fails, against a local stand-in for Slack."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import traceback

import pytest

from logs.slack import DIGEST_MAX_ENTRIES, EXCERPT_CHARS, SlackError, SlackRefused, digest_message, entry_message, post
from tests.factories import EntryFactory, MembershipFactory, TeamFactory, UserFactory
from tests.logs.fake_slack import HANG_LIMIT_SECONDS, FakeSlack

SITE = "https://learningday.example.com"
THURSDAY = dt.date(2026, 12, 3)
# The part of a webhook URL that is the secret.
SECRET_PATH = "/services/T0SECRET/B0SECRET/x7SeCrEtToKeN42"

SLACK_ONLY_HOLDS = 3000  # characters in a section's text
SLACK_BLOCK_LIMIT = 50


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def slack():
    fake = FakeSlack()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def webhook_url(slack) -> str:
    return f"{slack.base_url}{SECRET_PATH}"


@pytest.fixture
def tom(team):
    user = UserFactory(display_name="Tom Becker")
    MembershipFactory(user=user, team=team)
    return user


def make_entry(author, body: str = "Read the attention paper.", **fields):
    return EntryFactory(author=author, day=THURSDAY, body=body, **fields)


def mrkdwn(payload: dict) -> str:
    return "\n".join(block["text"]["text"] for block in payload["blocks"])


def assert_no_stray_control_characters(text: str) -> None:
    """Outside our own links and quote markers, & < > only appear escaped."""
    text = re.sub(rf"<{re.escape(SITE)}/[^<>|\s]*\|[^<>|]*>", "", text)
    text = re.sub(r"^>", "", text, flags=re.MULTILINE)
    assert "<" not in text
    assert ">" not in text
    assert re.search(r"&(?!amp;|lt;|gt;)", text) is None


def assert_well_formed(payload: dict) -> None:
    json.dumps(payload)  # plain JSON types only
    assert payload["text"]
    assert payload["unfurl_links"] is False
    assert 0 < len(payload["blocks"]) <= SLACK_BLOCK_LIMIT
    for block in payload["blocks"]:
        assert block["type"] == "section"
        assert block["text"]["type"] == "mrkdwn"
        assert 0 < len(block["text"]["text"]) <= SLACK_ONLY_HOLDS
    assert_no_stray_control_characters(payload["text"])
    assert_no_stray_control_characters(mrkdwn(payload))


# --- entry_message ----------------------------------------------------------------


@pytest.mark.django_db
def test_entry_message_has_fallback_text_blocks_and_absolute_link(tom):
    entry = make_entry(tom, category="reading_papers")

    payload = entry_message(entry)

    assert_well_formed(payload)
    assert payload["text"] == "Tom Becker logged Thursday 3 December: Reading papers"
    text = mrkdwn(payload)
    assert "*Tom Becker*" in text
    assert "Reading papers" in text
    assert ">Read the attention paper." in text
    assert f"<{SITE}/logs/{entry.pk}/|" in text
    assert entry.get_absolute_url() == f"/logs/{entry.pk}/"


@pytest.mark.django_db
def test_entry_message_escapes_slack_control_characters(tom):
    tom.display_name = "Tom & <Jerry>"
    tom.save()
    entry = make_entry(tom, body="If a < b & b > c then a < c. R&D notes: <!channel> <@U123> <https://evil.example|x>")

    payload = entry_message(entry)

    assert_well_formed(payload)
    assert payload["text"].startswith("Tom &amp; &lt;Jerry&gt; logged")
    text = mrkdwn(payload)
    assert "*Tom &amp; &lt;Jerry&gt;*" in text
    assert "a &lt; b &amp; b &gt; c" in text
    assert "R&amp;D" in text
    assert "&amp;amp;" not in text  # escaped once, not twice
    # No mention or link of the author's making reaches Slack.
    assert "<!" not in text
    assert "<@" not in text
    assert "<https://evil" not in text


@pytest.mark.django_db
def test_entry_message_strips_markdown_and_html(tom):
    body = (
        "# What I learned\n\n"
        "**Bold** claims and _careful_ reading of [the paper](https://arxiv.org/abs/1706.03762).\n\n"
        "- attention\n- <em>positional</em> encodings\n\n"
        "Inline `code` too."
    )
    entry = make_entry(tom, body=body)

    text = mrkdwn(entry_message(entry))

    assert ">What I learned" in text
    assert ">Bold claims and careful reading of the paper." in text
    assert ">• attention" in text
    assert ">• positional encodings" in text
    assert ">Inline code too." in text
    for markup in ("**", "# ", "](", "arxiv.org", "<em>", "<p>", "<li>", "`"):
        assert markup not in text


@pytest.mark.django_db
def test_entry_message_never_passes_on_script(tom):
    body = (
        "Before <script>alert('stolen')</script> after.\n\n"
        "<img src=x onerror=\"alert('img')\">\n\n"
        '<a href="javascript:alert(1)">click</a>\n\n'
        "Talking about `<script>` tags is fine."
    )
    entry = make_entry(tom, body=body)

    payload = entry_message(entry)

    assert_well_formed(payload)
    serialised = json.dumps(payload)
    assert "<script" not in serialised.lower()
    assert "alert" not in serialised
    assert "onerror" not in serialised
    assert "javascript:" not in serialised
    assert "&lt;script&gt; tags is fine" in mrkdwn(payload)


@pytest.mark.django_db
def test_entry_message_cuts_long_text_at_a_word(tom):
    entry = make_entry(tom, body=" ".join(f"word{n}" for n in range(400)))

    text = mrkdwn(entry_message(entry))

    (excerpt,) = [line[1:] for line in text.splitlines() if line.startswith(">")]
    assert len(excerpt) <= EXCERPT_CHARS + 1
    assert len(excerpt) > EXCERPT_CHARS // 2
    assert excerpt.endswith("…")
    assert re.fullmatch(r"(word\d+ )*word\d+…", excerpt)  # whole words only


@pytest.mark.django_db
def test_entry_message_shows_only_the_first_lines(tom):
    entry = make_entry(tom, body="\n\n".join(f"Paragraph {n}." for n in range(1, 21)))

    quoted = [line for line in mrkdwn(entry_message(entry)).splitlines() if line.startswith(">")]

    assert quoted[0] == ">Paragraph 1."
    assert 1 < len(quoted) < 20
    assert quoted[-1].endswith("…")


@pytest.mark.django_db
def test_entry_message_does_not_mention_crowded_out_or_hours(tom):
    entry = make_entry(tom, crowded_out=True, hours="6.5")

    serialised = json.dumps(entry_message(entry))

    assert "6.5" not in serialised
    assert "regular work" not in serialised


# --- digest_message ---------------------------------------------------------------


@pytest.mark.django_db
def test_digest_lists_who_learned_what_with_links_and_a_count(team, tom):
    maja = UserFactory(display_name="Maja Müller")
    MembershipFactory(user=maja, team=team)
    entries = [
        make_entry(tom, body="Attention is all you need.", category="reading_papers"),
        make_entry(maja, body="Reimplemented **PPO** in JAX & it works.", category="reimplementing"),
    ]

    payload = digest_message(team.name, THURSDAY, entries)

    assert_well_formed(payload)
    assert payload["text"] == "2 people in Robotics logged what they learned on Thursday 3 December."
    text = mrkdwn(payload)
    assert "*Learning Day in Robotics* · Thursday 3 December" in text
    assert "*Tom Becker* · _Reading papers_" in text
    assert "*Maja Müller* · _Reimplementing a paper_" in text
    assert "Reimplemented PPO in JAX &amp; it works." in text
    for entry in entries:
        assert f"<{SITE}/logs/{entry.pk}/|Read>" in text


@pytest.mark.django_db
def test_digest_counts_one_person_in_the_singular(team, tom):
    payload = digest_message(team.name, THURSDAY, [make_entry(tom)])

    assert payload["text"].startswith("1 person in Robotics logged")


@pytest.mark.django_db
def test_digest_has_a_friendly_line_when_nobody_posted(team):
    payload = digest_message(team.name, THURSDAY, [])

    assert_well_formed(payload)
    assert payload["text"].startswith("Nobody in Robotics logged what they learned on Thursday 3 December.")
    assert "next Learning Day" in mrkdwn(payload)


@pytest.mark.django_db
def test_digest_escapes_the_team_name():
    team = TeamFactory(name="R&D <Robots>", slug="rnd")

    payload = digest_message(team.name, THURSDAY, [])

    assert_well_formed(payload)
    assert "R&amp;D &lt;Robots&gt;" in payload["text"]


@pytest.mark.django_db
def test_digest_of_a_big_team_stays_within_slacks_block_limit(team):
    authors = UserFactory.create_batch(DIGEST_MAX_ENTRIES + 5)
    entries = [make_entry(author, body="x" * 2000) for author in authors]

    payload = digest_message(team.name, THURSDAY, entries)

    assert_well_formed(payload)
    assert payload["text"].startswith(f"{DIGEST_MAX_ENTRIES + 5} people")
    assert f"…and 5 more: <{SITE}/logs/|see them all>" in mrkdwn(payload)


# --- post -------------------------------------------------------------------------


def assert_keeps_the_secret(error: BaseException) -> None:
    """Neither the message nor the traceback a logger would print names the webhook."""
    printed = "".join(traceback.format_exception(error)) + repr(error)
    for part in SECRET_PATH.strip("/").split("/")[1:]:
        assert part not in printed


@pytest.mark.django_db
def test_post_sends_json_and_passes_on_ok(slack, webhook_url, tom):
    payload = entry_message(make_entry(tom))

    post(webhook_url, payload)

    (request,) = slack.requests()
    assert request.method == "POST"
    assert request.path == SECRET_PATH
    assert request.headers["Content-Type"] == "application/json"
    assert "Learning Day" in request.headers["User-Agent"]
    assert request.json() == payload


@pytest.mark.parametrize("status", [500, 502, 503])
def test_post_server_error_is_worth_retrying(slack, webhook_url, status):
    slack.answer(status, b"internal_error")

    with pytest.raises(SlackError) as caught:
        post(webhook_url, {"text": "hi"})

    assert not isinstance(caught.value, SlackRefused)
    assert caught.value.status == status
    assert str(status) in str(caught.value)
    assert_keeps_the_secret(caught.value)


def test_post_rate_limited_is_worth_retrying_after_what_slack_asks(slack, webhook_url):
    slack.answer(429, b"rate_limited", Retry_After="30")

    with pytest.raises(SlackError) as caught:
        post(webhook_url, {"text": "hi"})

    assert not isinstance(caught.value, SlackRefused)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    assert "rate_limited" in str(caught.value)
    assert_keeps_the_secret(caught.value)


def test_post_rate_limited_without_retry_after_leaves_the_wait_to_the_caller(slack, webhook_url):
    slack.answer(429, b"rate_limited")

    with pytest.raises(SlackError) as caught:
        post(webhook_url, {"text": "hi"})

    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, b"no_service"), (403, b"invalid_token"), (400, b"invalid_payload"), (410, b"channel_is_archived")],
)
def test_post_refused_by_slack_is_not_worth_retrying(slack, webhook_url, status, code):
    slack.answer(status, code)

    with pytest.raises(SlackRefused) as caught:
        post(webhook_url, {"text": "hi"})

    assert caught.value.status == status
    assert code.decode() in str(caught.value)
    assert_keeps_the_secret(caught.value)


def test_post_error_body_echoing_the_url_is_scrubbed(slack, webhook_url):
    slack.answer(404, f"no route to {SECRET_PATH}".encode())

    with pytest.raises(SlackRefused) as caught:
        post(webhook_url, {"text": "hi"})

    assert "no route to [webhook]" in str(caught.value)
    assert_keeps_the_secret(caught.value)


def test_post_does_not_follow_redirects(slack, webhook_url):
    slack.answer(307, b"", Location=f"{slack.base_url}/elsewhere")

    with pytest.raises(SlackRefused) as caught:
        post(webhook_url, {"text": "hi"})

    assert "redirects" in str(caught.value)
    assert [request.path for request in slack.requests()] == [SECRET_PATH]
    assert_keeps_the_secret(caught.value)


def test_post_to_a_closed_port_is_worth_retrying(unused_tcp_port):
    with pytest.raises(SlackError) as caught:
        post(f"http://127.0.0.1:{unused_tcp_port}{SECRET_PATH}", {"text": "hi"})

    assert not isinstance(caught.value, SlackRefused)
    assert "Could not reach Slack" in str(caught.value)
    assert caught.value.status is None
    assert_keeps_the_secret(caught.value)


def test_post_timeout_is_worth_retrying(slack, webhook_url):
    slack.answer(200, b"ok", hang=True)

    started = time.monotonic()
    with pytest.raises(SlackError) as caught:
        post(webhook_url, {"text": "hi"}, timeout=0.2)

    assert time.monotonic() - started < HANG_LIMIT_SECONDS / 2
    assert not isinstance(caught.value, SlackRefused)
    assert "did not answer within 0.2 seconds" in str(caught.value)
    assert_keeps_the_secret(caught.value)


@pytest.mark.parametrize("url", ["", "not a url", "https://", f"ftp://hooks.example.com{SECRET_PATH}"])
def test_post_to_a_malformed_address_is_refused(url):
    with pytest.raises(SlackRefused) as caught:
        post(url, {"text": "hi"})

    assert_keeps_the_secret(caught.value)


def test_post_logs_nothing_secret(slack, webhook_url, caplog):
    caplog.set_level("INFO")
    slack.answer(404, b"no_service")

    with pytest.raises(SlackRefused):
        post(webhook_url, {"text": "hi"})

    assert SECRET_PATH not in caplog.text
