import datetime as dt

import pytest
import time_machine


@pytest.fixture
def frozen_today():
    """Tuesday 24 November 2026, midday in Berlin."""
    with time_machine.travel(dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller
