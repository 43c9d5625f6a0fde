import datetime as dt

import pytest
import time_machine

# Tuesday 24 November 2026, 12:00 in Berlin; the Learning Days around it are
# Thursday 19 November (past) and Thursday 26 November (future).
NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
THURSDAY = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)
LAST_THURSDAY = dt.date(2026, 11, 19)


@pytest.fixture
def frozen():
    """A fixed Tuesday: 'today' is 24 November 2026 for people in Europe/Berlin."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def on_thursday():
    with time_machine.travel(THURSDAY, tick=False) as traveller:
        yield traveller
