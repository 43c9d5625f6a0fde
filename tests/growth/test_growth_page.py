"""/growth/: one person's own year of learning, on known data.

The clock stops on Thursday 3 December 2026 (a Learning Day) before any person or entry is
made; "n weeks back" is the Learning Day n weeks before it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from growth.models import TopicWeek
from growth.summaries import topic_weeks_rebuild, topic_weeks_refresh
from learningday.models import Membership
from logs.models import Entry, EntryTopic
from logs.services import EntryData, entry_delete, entry_save
from reading.models import Progress, Topic
from tests.factories import ClaimFactory, EntryFactory, ItemFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC))]

THURSDAY = dt.date(2026, 12, 3)
URL = "/growth/"


def back(weeks: int, days: int = 0) -> dt.date:
    return THURSDAY - dt.timedelta(weeks=weeks) + dt.timedelta(days=days)


def topic(name: str) -> Topic:
    return Topic.objects.get_or_create(name=name, defaults={"slug": name.lower().replace(" ", "-")})[0]


def entry(author, day: dt.date, *topics: Topic, visibility: str = "teams", body: str = "Learned a thing."):
    """An entry made directly, and its author's topic weeks redone, as saving one through
    logs.services does (tested below)."""
    made = EntryFactory(author=author, day=day, visibility=visibility, body=body)
    for t in topics:
        EntryTopic.objects.create(entry=made, topic=t)
    topic_weeks_refresh(user_id=author.pk)
    return made


def person(name: str, team, email: str | None = None):
    user = UserFactory(display_name=name, email=email or f"{name.split()[0].lower()}@example.com")
    MembershipFactory(user=user, team=team, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def topics(team):
    robotics, sailing, bayes = topic("Robotics"), topic("Sailing"), topic("Bayesian methods")
    robotics.home_teams.add(team)  # the member's team's own field
    return {"robotics": robotics, "sailing": sailing, "bayes": bayes}


@pytest.fixture
def year(member, topics):
    """The member's year: Sailing picked up (3 entries lately, none before), Robotics at home,
    Bayesian methods once on a Monday, and one entry without a topic."""
    t = topics
    entry(member, back(0), t["sailing"])
    entry(member, back(2), t["sailing"])
    entry(member, back(5), t["sailing"], t["robotics"])
    entry(member, back(20), t["robotics"])
    entry(member, back(30), t["robotics"])
    entry(member, back(1, days=4), t["bayes"])  # Monday 30 November: the week of 26 November
    entry(member, back(3))  # no topic
    return t


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_chart_and_the_table_show_my_topics(client, member, year):
    body = page(client, member)
    assert "<h1>My growth</h1>" in body
    assert 'class="growth-grid"' in body and 'role="img"' in body
    assert '<title id="growth-chart-title">The topics I learned in, Learning Day by Learning Day</title>' in body
    assert "3 topics over the 52 Learning Days from 11 December 2025 to 3 December 2026" in body
    # The Monday entry counts for the Learning Day of its week.
    assert "Bayesian methods: the week of Thursday 26 November 2026" in body
    # The table: entries, first and last day per topic, most entries first.
    table = body[body.index('<table class="stack growth-topics">') :]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td data-label="Entries">(\d+)</td>', table)
    assert rows[:3] == [("Robotics", "3"), ("Sailing", "3"), ("Bayesian methods", "1")]
    assert '<time datetime="2026-05-07">7 May 2026</time>' in table  # Robotics, 30 weeks back
    assert "7 entries this year in all; 1 without a topic, in no row." in body


def test_a_picked_up_field_is_shown_with_the_rule(client, member, year):
    body = page(client, member)
    section = body[body.index('id="picked-heading"') : body.index('id="outside-heading"')]
    assert "at least 3 entries on its topic in the last 13 Learning Days" in section
    assert "and none in the 26 before" in section
    assert "<strong>Sailing</strong>" in section
    assert "Robotics" not in section and "Bayesian" not in section


def test_the_share_outside_my_teams_home_topics(client, member, year):
    body = page(client, member)
    section = body[body.index('id="outside-heading"') : body.index('id="reading-heading"')]
    # Of six entries with a topic, three have no home topic (the entry with Sailing and Robotics is at home).
    assert '<span class="stat-value">50%</span>' in section and "(3 of 6)" in section
    # The last 13 Learning Days: three of four.
    assert '<span class="stat-value">75%</span>' in section and "(3 of 4)" in section


def test_the_share_cannot_be_told_without_home_topics(client, member, year):
    year["robotics"].home_teams.clear()
    body = page(client, member)
    assert "This cannot be told yet: no home topics are set for your team." in body


def test_the_share_cannot_be_told_without_entries_with_topics(client, member, topics):
    entry(member, back(1))
    body = page(client, member)
    assert "This cannot be told yet: none of your entries this year has a topic." in body


def test_reading_and_money_by_topic(client, member, outsider, team, other_team, topics):
    sailing_book = ItemFactory(team=team, title="Sailing for beginners", topic=topics["sailing"], kind="book")
    knots = ItemFactory(team=team, title="Knots and splices", topic=topics["sailing"])
    loose = ItemFactory(team=team, title="A paper of no topic", topic=None)
    wish = ItemFactory(team=team, title="On my wish list", topic=topics["sailing"])
    Progress.objects.create(user=member, item=sailing_book, state="done", finished_on=back(2))
    Progress.objects.create(user=member, item=knots, state="reading")
    Progress.objects.create(user=member, item=loose, state="reading")
    Progress.objects.create(user=member, item=wish, state="want")
    theirs = ItemFactory(team=other_team, title="Olivia's own reading", topic=topics["sailing"])
    Progress.objects.create(user=outsider, item=theirs, state="done")

    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30.00"), item=sailing_book)
    ClaimFactory(claimant=member, state="paid", approved_amount=Decimal("12.50"), item=knots)
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("20.00"))
    ClaimFactory(claimant=member, state="submitted", amount=Decimal("99.00"))
    ClaimFactory(claimant=outsider, state="approved", approved_amount=Decimal("77.77"), item=theirs)

    body = page(client, member)
    reading = body[body.index('id="reading-heading"') : body.index('id="money-heading"')]
    sailing = reading[reading.index(">Sailing</h3>") : reading.index(">No topic</h3>")]
    assert sailing.index("Done") < sailing.index("Sailing for beginners") < sailing.index("Reading")
    assert sailing.index("Reading") < sailing.index("Knots and splices")
    assert "A paper of no topic" in reading[reading.index(">No topic</h3>") :]
    assert "On my wish list" not in body and "Olivia&#x27;s own reading" not in body

    money = body[body.index('id="money-heading"') : body.index('id="peers-heading"')]
    assert re.search(
        r'<th scope="row">Sailing</th><td data-label="Claims">2</td><td data-label="Approved">€42.50</td>', money
    )
    assert re.search(
        r'<th scope="row">No topic</th><td data-label="Claims">1</td><td data-label="Approved">€20.00</td>', money
    )
    assert "€62.50" in money
    assert "€99.00" not in money and "€77.77" not in body


def test_people_in_other_teams_only_through_entries_i_may_see(client, member, team, other_team, year):
    sailing = year["sailing"]
    olivia = person("Olivia Outsider", other_team)
    entry(olivia, back(1), sailing, visibility="everyone")
    sam = person("Sam Secret", other_team)  # writes for his own team only
    entry(sam, back(0), sailing, visibility="teams", body="Sam's secret sailing entry")
    entry(sam, back(1), visibility="everyone")  # I may read this one, but it says nothing of Sailing
    tina = person("Tina Teammate", team)  # in my team: not "another team"
    entry(tina, back(0), sailing, visibility="everyone")
    both = person("Bo Both", other_team)  # in another team and in mine too
    MembershipFactory(user=both, team=team)
    entry(both, back(0), sailing, visibility="everyone")
    oscar = person("Oscar Old", other_team)  # on Sailing, but months ago
    entry(oscar, back(10), sailing, visibility="everyone")
    # Robotics is not among my topics of the last four Learning Days.
    rob = person("Rob Robot", other_team)
    entry(rob, back(0), year["robotics"], visibility="everyone")

    body = page(client, member)
    section = body[body.index('id="peers-heading"') :]
    assert "Olivia Outsider" in section
    assert f'href="/logs/?person={olivia.pk}&amp;day_from=2026-11-12"' in section
    for name in ("Sam Secret", "Tina Teammate", "Bo Both", "Oscar Old", "Rob Robot"):
        assert name not in body
    assert "<strong>Bayesian methods</strong>:" in section and "nobody else yet" in section
    # The link leads to what the feed already shows me: Olivia's shared entry.
    client.force_login(member)
    assert "Olivia Outsider" in client.get(f"/logs/?person={olivia.pk}&day_from=2026-11-12").content.decode()


def peers_section(client, user) -> str:
    body = page(client, user)
    return body[body.index('id="peers-heading"') :]


def test_a_save_a_narrowing_and_a_delete_show_on_the_next_request(
    client, member, other_team, year, django_capture_on_commit_callbacks
):
    """Through the real services: the topic weeks follow each change before the next page."""
    olivia = person("Olivia Outsider", other_team)
    data = EntryData(
        day=back(0), body="Tacking upwind.", visibility=Entry.Visibility.EVERYONE, topics=[year["sailing"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        made, _ = entry_save(user=olivia, data=data)
    assert "Olivia Outsider" in peers_section(client, member)

    narrowed = EntryData(
        day=back(0), body="Tacking upwind.", visibility=Entry.Visibility.TEAMS, topics=[year["sailing"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=olivia, data=narrowed, entry=made)
    assert "Olivia Outsider" not in peers_section(client, member)

    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=olivia, data=data, entry=made)
    assert "Olivia Outsider" in peers_section(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        entry_delete(user=olivia, entry=made)
    assert "Olivia Outsider" not in peers_section(client, member)
    assert not TopicWeek.objects.filter(user=olivia).exists()


def test_who_joins_my_team_or_leaves_is_no_longer_listed(client, member, team, other_team, year):
    olivia = person("Olivia Outsider", other_team)
    entry(olivia, back(0), year["sailing"], visibility="everyone")
    otto = person("Otto Left", other_team)
    entry(otto, back(0), year["sailing"], visibility="everyone")
    assert "Olivia Outsider" in peers_section(client, member)
    MembershipFactory(user=olivia, team=team)  # now in my team: the feed shows her to me anyway
    otto.is_active = False
    otto.save(update_fields=["is_active"])
    section = peers_section(client, member)
    assert "Olivia Outsider" not in section and "Otto Left" not in section


def test_the_nightly_rebuild_finds_entries_made_without_the_services_and_drops_old_weeks(
    client, member, other_team, year
):
    olivia = person("Olivia Outsider", other_team)
    made = EntryFactory(author=olivia, day=back(1), visibility="everyone")  # an import, say: no signal
    EntryTopic.objects.create(entry=made, topic=year["sailing"])
    TopicWeek.objects.create(user=olivia, topic=year["bayes"], week=back(20), entries=1, last=back(20))
    assert "Olivia Outsider" not in peers_section(client, member)

    assert topic_weeks_rebuild() >= 1
    assert "Olivia Outsider" in peers_section(client, member)
    assert list(TopicWeek.objects.filter(user=olivia).values_list("topic__name", "week", "entries")) == [
        ("Sailing", back(1), 1)
    ]


def test_at_most_five_people_per_topic(client, member, other_team, year):
    for n in range(8):
        entry(person(f"Peer{n} Person", other_team), back(n % 4), year["sailing"], visibility="everyone")
    section = page(client, member)
    section = section[section.index('id="peers-heading"') :]
    shown = re.findall(r"Peer(\d) Person", section)
    assert len(shown) == 5
    assert set(shown) >= {"0", "4"}  # those who wrote on the latest Learning Day come first


def test_another_persons_data_never_shows_on_my_page(client, member, outsider, topics):
    hobby = topic("Underwater basket weaving")
    hobby.home_teams.add(*outsider.memberships.values_list("team", flat=True))
    entry(outsider, back(0), hobby, visibility="everyone")
    entry(outsider, back(1), topics["sailing"], visibility="everyone")
    ClaimFactory(claimant=outsider, state="paid", approved_amount=Decimal("55.00"))
    body = page(client, member)
    assert "Underwater basket weaving" not in body
    assert "€55.00" not in body
    assert "Nothing logged yet" in body
    assert "No new field by that rule yet." in body


def test_a_new_person_sees_empty_states(client, db):
    newcomer = UserFactory(display_name="Nina New")
    body = page(client, newcomer)
    assert "Nothing logged yet" in body
    assert 'class="growth-grid"' not in body
    assert "you are in no team, so there is no team's field to compare with" in body
    assert "Nothing read or being read yet." in body
    assert "No approved claims yet." in body
    assert "No entry with a topic in your last four Learning Days." in body


def _lots(member, team, other_team, size: int) -> None:
    topics = [topic(f"Topic {n:02d}") for n in range(size)]
    topics[0].home_teams.add(team)
    for week in range(size * 3):
        entry(member, back(week % 52, days=week // 52), topics[week % size], topics[(week + 1) % size])
    for n in range(size):
        item = ItemFactory(team=team, topic=topics[n])
        Progress.objects.create(user=member, item=item, state="done" if n % 2 else "reading")
        ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("10.00"), item=item)
        other = person(f"Other{n} Person", other_team, email=f"other{n}-{size}@example.com")
        entry(other, back(n % 4), topics[n], visibility="everyone")


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_runs_a_constant_number_of_queries(
    client, member, team, other_team, size, django_assert_max_num_queries
):
    _lots(member, team, other_team, size)
    client.force_login(member)
    # Session, user, role checks, the versions; then the page's own queries (its year,
    # home topics, reading, money, peers) while it is not kept yet.
    with django_assert_max_num_queries(10):
        body = client.get(URL).content.decode()
    assert "Other0 Person" in body and "Topic 01" in body
    with django_assert_max_num_queries(5):  # kept: only what decides the key
        again = client.get(URL).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # the sign-out form's, per request
    assert token.sub("", again) == token.sub("", body)


def test_the_chart_escapes_names_and_marks_the_right_week(member):
    from growth.charts import CELL, GAP, topics_svg
    from growth.selectors import my_year

    odd = topic("<b>Bold</b> & co")
    entry(member, back(1, days=6), odd)  # Wednesday: still the week of the Learning Day before
    year = my_year(member, today=THURSDAY)
    svg = str(topics_svg(year.topics, year.days))
    assert "<b>" not in svg and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in svg
    assert f'<rect x="{50 * (CELL + GAP)}" y="18"' in svg  # the 51st of 52 columns: a week back
    assert "the week of Thursday 26 November 2026" in svg
