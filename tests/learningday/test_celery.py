"""The Celery app: in-process without a broker, a real worker on Redis with one."""

from __future__ import annotations

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from kombu.exceptions import EncodeError

from learningday.celery import app

received: dict[str, threading.Event] = {}


@app.task(name="tests.record")
def record(key: str, payload: dict) -> None:
    received[key].payload = payload
    received[key].set()


def test_without_a_broker_tasks_run_in_process(settings):
    assert app.conf.task_always_eager == (not settings.REDIS_URL)
    received["eager"] = threading.Event()
    record.apply(args=["eager", {"n": 1}])
    assert received["eager"].is_set()


def test_a_real_worker_on_redis_runs_a_queued_task(redis_url):
    app.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue="tests-celery")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
            received["queued"] = threading.Event()
            record.delay("queued", {"amount": "12.50", "day": "2026-12-03"})
            assert received["queued"].wait(timeout=20), "the worker did not run the task"
            # JSON only: what arrives is what plain JSON can carry.
            assert received["queued"].payload == {"amount": "12.50", "day": "2026-12-03"}
    finally:
        from django.conf import settings

        app.conf.update(
            broker_url=settings.CELERY_BROKER_URL,
            task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
            task_default_queue="celery",
        )


def test_the_app_accepts_json_only():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    with pytest.raises(EncodeError, match="not JSON serializable"):
        record.apply_async(args=["x", {"when": object()}], serializer="json").get()
