"""The quarterly pulse question: one answer per person per quarter, open from the quarter's
first Learning Day in each person's own time zone, and shown only as aggregates that no
one can trace to a person."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError

from learningday.models import Holiday
from learningday.quarters import Quarter
from logs import selectors, services
from logs.models import PulseAnswer
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

Q3 = Quarter(2026, 3)
Q4 = Quarter(2026, 4)
_people = itertools.count(1)


def answers(team, scores, *, quarter=Q3, comments=()):
    """People of ``team`` (None: of no team) who answered ``scores`` in ``quarter``."""
    made = []
    for index, score in enumerate(scores):
        person = UserFactory(email=f"pulse{next(_people)}@example.com")
        if team is not None:
            MembershipFactory(user=person, team=team)
        comment = comments[index] if index < len(comments) else ""
        made.append(
            PulseAnswer.objects.create(user=person, quarter=quarter.first_day, team=team, score=score, comment=comment)
        )
    return made


# --- Quarters --------------------------------------------------------------------------------


def test_quarters_are_named_and_bounded_as_people_write_them():
    assert Quarter.of(dt.date(2026, 12, 31)) == Q4
    assert Quarter.parse("2026-Q4") == Q4 and str(Q4) == "2026-Q4"
    assert (Q4.first_day, Q4.last_day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert Q4.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == Q4
    # Over only when the last time zone (twelve hours behind UTC) has passed midnight.
    assert Q3.ended_everywhere_at == dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        Quarter.parse("2026-Q5")


# --- When it is asked --------------------------------------------------------------------------


def test_the_pulse_opens_on_the_quarters_first_learning_day_and_a_holiday_moves_it_a_week():
    assert selectors.pulse_opens_on(Q4) == dt.date(2026, 10, 1)  # a Thursday
    assert selectors.pulse_opens_on(Quarter(2027, 1)) == dt.date(2027, 1, 7)
    Holiday.objects.create(date=dt.date(2026, 10, 1), name="Founders' day")
    assert selectors.pulse_opens_on(Q4) == dt.date(2026, 10, 8)
    assert selectors.pulse_open_quarter(today=dt.date(2026, 10, 7)) is None
    assert selectors.pulse_open_quarter(today=dt.date(2026, 12, 31)) == Q4  # open to the quarter's last day


# 2026-09-30 20:00 UTC: Thursday 1 October (2026-Q4's first Learning Day) in Auckland,
# still Wednesday 30 September (2026-Q3) in Los Angeles.
@pytest.mark.frozen(dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC))
def test_the_quarter_is_each_persons_own_at_the_same_instant(member):
    member.timezone = "Pacific/Auckland"
    member.save(update_fields=["timezone"])
    answer, created = services.pulse_answer(user=member, score=4)
    assert created and answer.quarter == Q4.first_day

    west = UserFactory(email="west@example.com", timezone="America/Los_Angeles")
    answer, _ = services.pulse_answer(user=west, score=2)
    assert answer.quarter == Q3.first_day  # Q3's pulse is still open in Los Angeles
    # A button from Q3's message, clicked in Auckland where Q3 is over: refused.
    with pytest.raises(services.LogError, match="2026-Q3 is closed"):
        services.pulse_answer(user=member, score=3, quarter=Q3)
    # And one from a quarter that has not come (a hand-made request): not open yet.
    with pytest.raises(services.LogError, match="2027-Q1 is not open yet"):
        services.pulse_answer(user=west, score=3, quarter=Quarter(2027, 1))


@pytest.mark.frozen(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC))  # Monday: 2027-Q1's pulse opens Thursday
def test_before_the_quarters_first_learning_day_the_pulse_is_not_open_yet(member):
    with pytest.raises(services.LogError, match="opens on Thursday 7 January"):
        services.pulse_answer(user=member, score=5)
    assert not PulseAnswer.objects.exists()


# --- One answer per person per quarter -------------------------------------------------------------


@pytest.mark.frozen
def test_answering_again_changes_the_one_answer_and_a_score_alone_keeps_the_comment(member):
    first, created = services.pulse_answer(user=member, score=2, comment="  More time to read, please. ")
    again, created_again = services.pulse_answer(user=member, score=4)
    assert (created, created_again) == (True, False)
    assert PulseAnswer.objects.count() == 1
    again.refresh_from_db()
    assert (again.pk, again.score, again.comment) == (first.pk, 4, "More time to read, please.")
    services.pulse_answer(user=member, score=4, comment="")
    again.refresh_from_db()
    assert again.comment == ""


@pytest.mark.frozen
def test_the_database_refuses_a_second_answer_for_the_same_quarter(member):
    services.pulse_answer(user=member, score=3)
    with pytest.raises(IntegrityError):
        PulseAnswer.objects.create(user=member, quarter=Q4.first_day, score=5)


@pytest.mark.frozen
@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_one_to_five_is_refused(member, score):
    with pytest.raises(services.LogError, match="from 1"):
        services.pulse_answer(user=member, score=score)


@pytest.mark.frozen
def test_the_answer_counts_in_the_team_it_was_given_in_even_after_a_move(member, team, other_team):
    answer, _ = services.pulse_answer(user=member, score=3)
    member.memberships.all().delete()
    MembershipFactory(user=member, team=other_team)
    answer.refresh_from_db()
    assert answer.team == team


def test_no_admin_page_lists_pulse_answers():
    """The admin would pair each answer with its person: answers are read as aggregates only."""
    from django.contrib import admin

    assert PulseAnswer not in admin.site._registry


# --- The aggregates: five answers or nothing -------------------------------------------------------


@pytest.mark.frozen
def test_a_team_with_four_answers_is_hidden_and_one_with_five_is_shown():
    robotics, research, applied = (TeamFactory(name=n, slug=n.lower()) for n in ("Robotics", "Research", "Applied"))
    answers(robotics, [5, 4, 4, 3, 2], comments=["Zebra-striped notes helped", "A paper a week"])
    answers(applied, [1, 2, 3, 4, 5, 5])
    answers(research, [1, 1, 1, 2], comments=["Secret: only Research wrote this"])
    answers(None, [3, 3])  # people in no team: never a group of their own

    results = selectors.pulse_results(quarter=Q3)

    shown = {t.name: (t.count, t.distribution) for t in results.teams}
    assert shown == {"Applied": (6, (1, 1, 1, 1, 2)), "Robotics": (5, (0, 1, 1, 2, 1))}
    assert results.folded == ["Research"]
    assert (results.other.name, results.other.count, results.other.distribution) == ("Other teams", 6, (3, 1, 2, 0, 0))
    assert results.organisation.count == 17
    assert results.teams[1].mean == pytest.approx(3.6)
    # Comments without names, in the order of their text, only in groups of five or more.
    assert results.teams[1].comments == ("A paper a week", "Zebra-striped notes helped")
    assert results.other.comments == ("Secret: only Research wrote this",)


@pytest.mark.frozen
def test_deleting_a_person_or_trying_to_delete_a_team_never_moves_a_quarters_figures():
    """Figures that drop when someone leaves would tell that person's answer by the difference."""
    from django.db.models import ProtectedError

    robotics, applied = TeamFactory(name="Robotics", slug="robotics"), TeamFactory(name="Applied", slug="applied")
    first, *_rest = answers(robotics, [5, 4, 4, 3, 2, 1], comments=["Only I wrote this"])
    answers(applied, [1, 2, 3, 4, 5])
    before = selectors.pulse_results(quarter=Q3)

    first.user.delete()
    with pytest.raises(ProtectedError):
        applied.delete()

    assert selectors.pulse_results(quarter=Q3) == before
    assert PulseAnswer.objects.filter(user=None).count() == 1


@pytest.mark.frozen
def test_the_organisation_minus_the_teams_shown_never_gives_a_team_below_five():
    """One team below five, folded alone, would be the organisation minus the others: the
    smallest team shown is folded with it, so "Other teams" has at least five answers."""
    robotics, research, applied = (TeamFactory(name=n, slug=n.lower()) for n in ("Robotics", "Research", "Applied"))
    answers(robotics, [5, 5, 5, 5, 5, 5, 5])
    answers(applied, [4, 4, 4, 4, 4])
    answers(research, [1, 1, 1, 1])

    results = selectors.pulse_results(quarter=Q3)

    assert [t.name for t in results.teams] == ["Robotics"]
    assert results.folded == ["Applied", "Research"]
    assert results.other.count == 9
    shown = sum(t.count for t in results.teams) + results.other.count
    assert results.organisation.count == shown  # everything folded is shown as one group of 9
    # The attack: the organisation minus every group shown leaves nothing, and Research's
    # four answers of 1 appear in no figure of their own.
    left = [
        o - sum(t.distribution[i] for t in results.teams) - results.other.distribution[i]
        for i, o in enumerate(results.organisation.distribution)
    ]
    assert left == [0, 0, 0, 0, 0]
    assert all(group.distribution != (4, 0, 0, 0, 0) for group in [*results.teams, results.other])


@pytest.mark.frozen
def test_when_every_team_is_small_only_groups_of_five_or_more_appear():
    robotics, research = TeamFactory(name="Robotics", slug="robotics"), TeamFactory(name="Research", slug="research")
    answers(robotics, [5, 4])
    answers(research, [2])

    results = selectors.pulse_results(quarter=Q3)  # three answers in all: nothing at all

    assert (results.ended, results.organisation, results.teams, results.other) == (True, None, [], None)


@pytest.mark.frozen
def test_a_manager_sees_their_own_teams_rows_of_the_same_folding(team, other_team):
    answers(team, [4, 4, 4, 4, 4])
    answers(other_team, [2, 2, 2])
    applied = TeamFactory(name="Applied", slug="applied")
    answers(applied, [3] * 8)

    mine = selectors.pulse_results(quarter=Q3, team_ids=[team.pk])

    assert [t.name for t in mine.teams] == []  # Robotics, the smallest shown, is folded with Research
    assert mine.folded == ["Robotics"]
    assert mine.other is None
    assert mine.organisation.count == 16


@pytest.mark.frozen
def test_nothing_is_shown_for_a_quarter_until_it_has_ended_everywhere(team, frozen):
    answers(team, [5, 4, 3, 2, 1, 1], quarter=Q4)
    results = selectors.pulse_results(quarter=Q4)
    assert (results.ended, results.organisation) == (False, None)

    frozen.move_to(dt.datetime(2027, 1, 1, 11, 59, tzinfo=dt.UTC))  # still 31 December, twelve hours behind UTC
    assert not selectors.pulse_results(quarter=Q4).ended
    frozen.move_to(dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC))
    assert selectors.pulse_results(quarter=Q4).organisation.count == 6


@pytest.mark.frozen
def test_the_aggregates_take_a_constant_number_of_queries(django_assert_max_num_queries):
    for index in range(6):
        team = TeamFactory(name=f"Team {index}", slug=f"team-{index}")
        answers(team, [3, 4, 5, 2, 1][: 3 + index % 3], comments=["Fine"])
    with django_assert_max_num_queries(3):
        selectors.pulse_results(quarter=Q3)


# --- Demo data ---------------------------------------------------------------------------------------


@pytest.mark.frozen
def test_the_demo_has_quarters_of_answers_that_show_each_case_of_the_rule(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115  (adds nothing)

    def shown(quarter):
        results = selectors.pulse_results(quarter=quarter)
        return [t.name for t in results.teams], results.folded, results.organisation.count

    assert shown(Quarter(2026, 1)) == (["Applied", "Research", "Robotics"], [], 15)
    assert shown(Quarter(2026, 2)) == (["Robotics"], ["Applied", "Research"], 12)
    assert shown(Quarter(2026, 3)) == (["Robotics"], ["Applied", "Research"], 14)
    assert not selectors.pulse_results(quarter=Q4).ended
    assert PulseAnswer.objects.filter(quarter=Q4.first_day).count() == 6
    assert not PulseAnswer.objects.filter(quarter=Q4.first_day, user__email="member@example.com").exists()


# --- The morning email -----------------------------------------------------------------------------


@pytest.mark.frozen(dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.UTC))  # 12:00 in Berlin, 2026-Q4's first Learning Day
def test_the_first_learning_day_morning_email_asks_the_pulse_of_those_yet_to_answer(member, team, frozen):
    from django.core import mail

    from logs.tasks import dispatch_reminders

    answered = UserFactory(email="answered@example.com")
    MembershipFactory(user=answered, team=team)
    PulseAnswer.objects.create(user=answered, quarter=Q4.first_day, team=team, score=4)

    dispatch_reminders()

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "how much did Learning Day help you grow this quarter?" in bodies["member@example.com"]
    assert "/pulse/" in bodies["member@example.com"]
    assert "/pulse/" not in bodies["answered@example.com"]

    mail.outbox.clear()
    frozen.move_to(dt.datetime(2026, 10, 8, 10, 0, tzinfo=dt.UTC))  # the next Learning Day: not asked again
    dispatch_reminders()
    assert mail.outbox and all("/pulse/" not in message.body for message in mail.outbox)
