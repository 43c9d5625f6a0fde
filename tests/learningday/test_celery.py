"""The Celery app: in-process without a broker, a real worker on Redis with one."""

from __future__ import annotations

import threading

import pytest
from kombu.exceptions import EncodeError

from learningday.celery import app

received: dict[str, threading.Event] = {}


@app.task(name="tests.record")
def record(key: str, payload: dict) -> None:
    received[key].payload = payload
    received[key].set()


def test_without_a_broker_the_app_runs_tasks_in_process(settings):
    from learningday import settings as project_settings

    # The embedded setup: no REDIS_URL means eager tasks (checked on the settings module
    # itself, since the suite runs tasks in process whatever the environment says).
    assert (not project_settings.REDIS_URL) == project_settings.CELERY_TASK_ALWAYS_EAGER
    received["eager"] = threading.Event()
    record.apply(args=["eager", {"n": 1}])
    assert received["eager"].is_set()


def test_a_real_worker_on_redis_runs_a_queued_task(real_worker):
    received["queued"] = threading.Event()
    record.delay("queued", {"amount": "12.50", "day": "2026-12-03"})
    assert received["queued"].wait(timeout=20), "the worker did not run the task"
    # JSON only: what arrives is what plain JSON can carry.
    assert received["queued"].payload == {"amount": "12.50", "day": "2026-12-03"}


def test_the_app_accepts_json_only():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    with pytest.raises(EncodeError, match="not JSON serializable"):
        record.apply_async(args=["x", {"when": object()}], serializer="json").get()


def test_no_task_is_held_longer_than_the_broker_gives_it_before_handing_it_to_another_worker():
    """On Redis a worker holds a task unacknowledged while it waits out a retry's countdown,
    then for a free process, then while it runs: all of it must fit inside the visibility
    timeout, or a second worker gets a copy of a task that is still alive."""
    from learningday import settings as project_settings

    ours = [
        task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"learningday", "logs", "reading", "reimbursements"}
    ]
    assert ours, "no tasks of the project's apps are registered"
    limit = app.conf.task_time_limit
    for task in ours:
        longest_wait = task.retry_backoff_max if getattr(task, "retry_backoff", False) else task.default_retry_delay
        held = longest_wait + 2 * (task.time_limit or limit)
        assert held < project_settings.BROKER_VISIBILITY_TIMEOUT, task.name
