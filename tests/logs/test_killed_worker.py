"""A Celery worker process killed with SIGKILL in the middle of the reminders: the batches
it held come back from Redis after the visibility timeout, a second worker sends the rest,
and nobody gets an email twice. Needs PostgreSQL (the workers share the test database) and
Redis; the workers are real ``celery -A learningday worker`` processes."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection

from learningday.models import OutboxMessage
from tests.conftest import require
from tests.factories import MembershipFactory, UserFactory
from tests.local_smtp import LocalSMTP

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-12-03T12:05:00+00:00"  # a Thursday, 13:05 in Berlin: morning reminders are due
PEOPLE, CHUNK = 40, 10  # four batches
VISIBILITY_TIMEOUT = 6  # seconds; in production BROKER_VISIBILITY_TIMEOUT is 20 minutes


def wait_until(condition, *, seconds: float, what, logs: list[Path] = ()) -> None:
    """Poll ``condition`` until it holds; fail after ``seconds``, saying ``what`` (or what it returns)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
            pytest.fail(f"not within {seconds} s: {what() if callable(what) else what}\n{tails}")
        time.sleep(0.05)


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux: /proc/<pid>/task/<tid>/children)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}  # a zombie no longer runs; only its parent's wait() is missing


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def smtp():
    server = LocalSMTP()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_url):
    """Broker keys of this test's own (a prefix), deleted afterwards."""
    prefix = f"test-killed-worker-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(redis_url)
    yield prefix, client
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def workers(tmp_path):
    started: list[subprocess.Popen] = []

    def start(name: str, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        command = [
            str(Path(sys.executable).parent / "celery"),
            *("-A", "learningday", "worker", "--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO"),
            *("--hostname", f"{name}-{uuid.uuid4().hex[:8]}@%h", "--without-mingle", "--without-gossip"),
            "--without-heartbeat",
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        started.append(process)
        return process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_email_and_sends_none_twice(
    team, smtp, broker, workers, redis_url, tmp_path
):
    require(connection.vendor == "postgresql", "PostgreSQL (worker processes share the test database)")
    people = []
    for i in range(PEOPLE):
        person = UserFactory(email=f"k{i:02d}@example.com", timezone="Europe/Berlin")
        MembershipFactory(user=person, team=team)
        people.append(person.email)
    prefix, client = broker
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "tests.logs.worker_settings",
        "TEST_BROKER_KEY_PREFIX": prefix,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": smtp.url,
        "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "REMINDER_CHUNK_SIZE": str(CHUNK),
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(ROOT),
    }
    # The dispatcher, queued as beat would; the first worker plans the four batches and sends.
    with Celery(broker=redis_url, broker_transport_options={"global_keyprefix": prefix}) as beat:
        beat.send_task("logs.tasks.dispatch_reminders", args=[AT])
    smtp.hold_after(PEOPLE // 3)  # then the relay stalls: the batches in flight hang mid-way
    first, first_log = workers("killed", env)
    wait_until(lambda: smtp.held > 0, seconds=60, what="the first worker sent a third of the emails", logs=[first_log])
    pool = children(first.pid)
    assert pool, "the worker has no pool processes"

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    # Its pool processes die with it (Celery asks the kernel for that), so none can finish later.
    wait_until(lambda: all(gone(pid) for pid in pool), seconds=10, what="the pool processes died with the worker")
    delivered_before = len(smtp.recipients)
    assert delivered_before < PEOPLE
    held = [json.loads(raw)[0]["headers"]["id"] for raw in client.hvals(f"{prefix}unacked")]
    assert held, "no batch was in flight, unacknowledged, when the worker died"
    smtp.release()

    _, second_log = workers("second", env)
    wait_until(
        lambda: len(set(smtp.recipients)) == PEOPLE,
        seconds=60,
        what=lambda: f"the second worker sent the rest (so far {len(set(smtp.recipients))} of {PEOPLE})",
        logs=[first_log, second_log],
    )
    # The batches the killed worker held are the ones Redis gave back to the second worker
    # (its log line comes a moment after the last email it sends).
    wait_until(
        lambda: all(f"send_reminder_batch[{task_id}] succeeded" in second_log.read_text() for task_id in held),
        seconds=30,
        what="the second worker finished the batches the killed one held",
        logs=[second_log],
    )
    # Nothing is left to run: no task queued or held, every reminder stamped sent.
    wait_until(
        lambda: client.llen(f"{prefix}celery") == 0 and client.hlen(f"{prefix}unacked") == 0,
        seconds=30,
        what="the queue drained",
        logs=[second_log],
    )
    assert OutboxMessage.objects.filter(kind="morning", sent_at__isnull=False).count() == PEOPLE
    twice = {address: n for address, n in collections.Counter(smtp.recipients).items() if n > 1}
    assert twice == {}
    assert sorted(smtp.recipients) == sorted(people)
