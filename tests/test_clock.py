"""The suite's stopped clock: people and data of a frozen test are made on its day."""

import datetime as dt

import pytest

from tests.conftest import NOW, THURSDAY

pytestmark = pytest.mark.django_db


def test_people_join_on_the_frozen_day_whatever_order_the_fixtures_are_named_in(member, manager, frozen):
    assert member.date_joined == manager.date_joined == NOW
    assert member.memberships.get().joined_at == NOW


@pytest.mark.frozen(THURSDAY)
def test_a_marker_names_another_instant_without_asking_for_the_fixture(member):
    assert member.date_joined == THURSDAY


def test_the_clock_moves_only_when_told(member, frozen):
    frozen.move_to(THURSDAY + dt.timedelta(hours=1))
    assert dt.datetime.now(tz=dt.UTC) == THURSDAY + dt.timedelta(hours=1)
