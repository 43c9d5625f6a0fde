"""The Celery app: in-process without a broker, a real worker on Redis with one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from kombu.exceptions import EncodeError

from learningday.celery import app

received: dict[str, threading.Event] = {}


@app.task(name="tests.record")
def record(key: str, payload: dict) -> None:
    received[key].payload = payload
    received[key].set()


def _celery_in_a_fresh_process(env: dict[str, str]) -> str:
    """What the app, configured from the environment alone, does with a queued task."""
    script = (
        "import django; django.setup()\n"
        "from learningday.celery import app\n"
        "ran = []\n"
        "@app.task(name='probe')\n"
        "def probe(): ran.append(1)\n"
        "try:\n"
        "    probe.delay()\n"
        "except Exception as error:\n"
        "    ran.append(type(error).__name__)\n"
        "print(app.conf.task_always_eager, ran)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "learningday.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_without_a_broker_a_queued_task_runs_in_process():
    # The suite itself runs tasks in process whatever the environment says, so the setting
    # is checked where nothing overrides it: a fresh process with no REDIS_URL.
    assert _celery_in_a_fresh_process({}) == "True [1]"


def test_with_a_broker_a_queued_task_goes_to_it_and_does_not_run_in_process(unused_tcp_port):
    # Nobody listens on the port: the task is neither run here nor silently dropped.
    out = _celery_in_a_fresh_process({"REDIS_URL": f"redis://127.0.0.1:{unused_tcp_port}/0"})
    assert out.startswith("False [")
    assert "1" not in out.removeprefix("False")


def test_a_real_worker_on_redis_runs_a_queued_task(real_worker):
    received["queued"] = threading.Event()
    record.delay("queued", {"amount": "12.50", "day": "2026-12-03"})
    assert received["queued"].wait(timeout=20), "the worker did not run the task"
    # JSON only: what arrives is what plain JSON can carry.
    assert received["queued"].payload == {"amount": "12.50", "day": "2026-12-03"}


def test_the_app_accepts_json_only():
    assert app.conf.accept_content == ["json"]
    # Queued with the app's own default: an object pickle would carry is refused before it leaves.
    received["refused"] = threading.Event()
    with pytest.raises(EncodeError, match="not JSON serializable"):
        record.delay("refused", {"when": object()})
    assert not received["refused"].is_set()


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


def test_beat_keeps_its_schedule_with_the_other_local_state_not_in_the_checkout():
    from learningday import settings as project_settings

    assert app.conf.beat_schedule_filename == str(project_settings.VAR_DIR / "celerybeat-schedule")
