"""Settings for the benchmarks: the app's own, plus counters. Never used in production.

For both: the ``scale`` app, whose ``seed_scale`` fills the benchmark's database.

For bench/http.py (served by gunicorn): the bench-only ``bench.baseline`` app and its
page at ``/bench/baseline/`` (``ROOT_URLCONF = "bench.urls"``), and a first middleware
that counts the SQL statements of each request and sends the count in an
``X-Bench-Queries`` response header.

For bench/reminders.py:
the benchmark's worker runs with ``DJANGO_SETTINGS_MODULE=bench.settings``. Every SQL
statement a task runs goes through a ``connection.execute_wrapper`` (installed on each
new database connection of a worker process, nowhere else) that counts it in the worker process; when the task ends, the
counts are added to Redis hashes under ``bench:`` in one pipeline (one round trip per
task, none per query). Nothing here changes what the app does.
"""

from __future__ import annotations

import os
import time

from celery.signals import task_failure, task_postrun, task_prerun, task_retry, worker_process_init
from django.db.backends.signals import connection_created

from learningday.settings import *  # noqa: F403

BENCH_PREFIX = "bench:"

# scale (seed_scale, the large organisation) is installed only here and in the tests' settings.
INSTALLED_APPS = [*INSTALLED_APPS, "scale", "bench.baseline"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.settings.count_queries", *MIDDLEWARE]  # noqa: F405


def count_queries(get_response):
    """Middleware: the SQL statements a request runs, in the ``X-Bench-Queries`` header."""
    from django.db import connection

    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        return response

    return middleware


class _Tally:
    """What the current task has done so far, in this worker process."""

    def __init__(self) -> None:
        self.reset()
        self.redis = None

    def reset(self) -> None:
        self.queries, self.sql_seconds, self.verbs, self.started = 0, 0.0, {}, time.perf_counter()

    def client(self):
        if self.redis is None:  # one client per worker process, made after the fork
            import redis

            self.redis = redis.Redis.from_url(os.environ["REDIS_URL"])
        return self.redis


_tally = _Tally()


def _count_query(execute, sql, params, many, context):
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _tally.sql_seconds += time.perf_counter() - start
        _tally.queries += 1
        verb = sql.lstrip().split(None, 1)[0].upper() if sql else "?"
        _tally.verbs[verb] = _tally.verbs.get(verb, 0) + 1


def _install_counter(sender, connection, **kwargs) -> None:
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)


def _task_started(task=None, **kwargs) -> None:
    _tally.reset()


def _task_ended(task=None, retval=None, state=None, **kwargs) -> None:
    name = task.name.rsplit(".", 1)[-1] if task is not None else "?"
    pipe = _tally.client().pipeline(transaction=False)
    pipe.hincrby(f"{BENCH_PREFIX}tasks", name, 1)
    pipe.hincrby(f"{BENCH_PREFIX}queries", name, _tally.queries)
    pipe.hincrbyfloat(f"{BENCH_PREFIX}sql_seconds", name, _tally.sql_seconds)
    pipe.hincrbyfloat(f"{BENCH_PREFIX}task_seconds", name, time.perf_counter() - _tally.started)
    for verb, n in _tally.verbs.items():
        pipe.hincrby(f"{BENCH_PREFIX}verbs", f"{name}:{verb}", n)
    if state == "SUCCESS" and isinstance(retval, int):
        pipe.hincrby(f"{BENCH_PREFIX}returned", name, retval)
        if name == "send_reminder_batch" and retval == 0:
            pipe.hincrby(f"{BENCH_PREFIX}tasks", "send_reminder_batch:empty", 1)
    pipe.hincrby(f"{BENCH_PREFIX}states", f"{name}:{state}", 1)
    pipe.execute()
    _tally.reset()


def _task_went_wrong(sender=None, exception=None, **kwargs) -> None:
    name = getattr(sender, "name", "?").rsplit(".", 1)[-1]
    _tally.client().rpush(f"{BENCH_PREFIX}errors", f"{name}: {exception!r}"[:500])


def _task_retried(sender=None, reason=None, **kwargs) -> None:
    name = getattr(sender, "name", "?").rsplit(".", 1)[-1]
    _tally.client().rpush(f"{BENCH_PREFIX}errors", f"{name} retried: {reason!r}"[:500])


def _count_in_this_worker(**kwargs) -> None:
    """Only a Celery worker process counts its tasks' statements (not gunicorn's under bench/http.py)."""
    connection_created.connect(_install_counter, weak=False, dispatch_uid="bench-count-queries")


worker_process_init.connect(_count_in_this_worker, weak=False, dispatch_uid="bench-count-in-worker")
task_prerun.connect(_task_started, weak=False, dispatch_uid="bench-task-started")
task_postrun.connect(_task_ended, weak=False, dispatch_uid="bench-task-ended")
task_failure.connect(_task_went_wrong, weak=False, dispatch_uid="bench-task-failed")
task_retry.connect(_task_retried, weak=False, dispatch_uid="bench-task-retried")
