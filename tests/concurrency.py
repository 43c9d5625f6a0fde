"""Real concurrency on PostgreSQL: threads with their own connections, and who is waiting for a lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

Result = TypeVar("Result")


def at_once(count: int, call: Callable[[int], Result], *, timeout: float = 60) -> list[Result]:
    """``call(0)`` … ``call(count - 1)``, each in its own thread and database connection, released together."""
    barrier = threading.Barrier(count, timeout=timeout)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = call(index)
        except BaseException as error:  # handed back to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    if errors:
        raise errors[0]
    return results


def sessions_waiting_for_a_lock(*, at_least: int = 1, attempts: int = 1000) -> int:
    """How many other sessions on this database wait for a lock, asked until ``at_least`` do (or ~10 s)."""
    waiting = 0
    with connections["default"].cursor() as cursor:
        for _ in range(attempts):
            # Activity is read once per transaction unless the snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            waiting = cursor.fetchone()[0]
            if waiting >= at_least:
                return waiting
            cursor.execute("SELECT pg_sleep(0.01)")
    return waiting
