"""Benchmark: one Learning Day morning of Slack direct messages through a real Celery worker,
with Slack rate-limiting.

    .venv/bin/python bench/slack_dms.py [--people 1000] [--every 20] [--retry-after 1]
                                        [--concurrency 8] [--chunk-size 125] [--keep]

What it does, all on this machine:

1. Creates a PostgreSQL database of its own (``learningday_bench_slack``, dropped at the end
   unless ``--keep``) and uses Redis database 10 (flushed first), migrates, and
   bulk-inserts ``--people`` people in Europe/Berlin, each with a connected Slack user (no
   DM channel remembered yet, as on the first morning: every DM goes to the user's id)
   and reminders by Slack (two in three) or by email and Slack (one in three), their own
   morning hours spread over 07:00-11:00, and last week's entry with a "what's next" for
   a third of them.
2. Starts the tests' fake Slack Web API (``tests/slackapp/fake_api.py``) in this process on
   127.0.0.1. It answers the first call of every ``--every`` with a 429 and
   ``Retry-After: --retry-after``; slack_sdk's ``RateLimitErrorRetryHandler`` (the app's
   client) waits that long, plus up to a second of jitter, and tries again.
3. Starts ``celery -A learningday worker --pool threads --concurrency N`` with
   ``DJANGO_SETTINGS_MODULE=bench.settings`` and the app pointed at the fake API, waits for
   a ping, then queues ``dispatch_slack_reminders`` for Thursday 11:05 in Berlin (everyone is
   due) and, while its batches run, the next quarter hour's, as beat would.
4. Waits until every batch has finished (or ``--timeout``) and reports the seconds from the
   first dispatch to the last DM, the Web API calls, the 429s, the DMs and distinct
   recipients (these must both equal ``--people``) and the outbox rows stamped sent.

The exit status is 1 if a DM is missing or duplicated, or the run times out. The run is
merged into ``results/slack_dms.json``; ``results/slack-worker.log`` holds the worker's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import collections
import datetime as dt
import os
import secrets
import subprocess
import time
import zoneinfo

from bench.common import (
    PG_ADMIN_URL,
    drop_database,
    machine,
    recreate_database,
    save_run,
    show_rows,
    start_celery_worker,
)
from bench.reminders import Counters, stop_worker, wait_for_worker

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
ZONE = "Europe/Berlin"


def seed(people: int, last_week: dt.date) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from learningday.models import User
    from logs.models import Entry
    from slackapp.models import SlackAccount

    unusable = make_password(None)  # "!" + random: no hashing, and nobody can log in
    users = User.objects.bulk_create(
        [
            User(
                email=f"person{i:05d}@bench.example",
                display_name=f"Person {i:05d}",
                timezone=ZONE,
                password=unusable,
                remind_morning=True,
                remind_nudge=False,
                receive_digest=False,
                reminders_via=User.ReminderVia.BOTH if i % 3 == 0 else User.ReminderVia.SLACK,
                morning_hour=[None, 7, 8, 10, 11][i % 5],
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    SlackAccount.objects.bulk_create(
        [SlackAccount(user=u, slack_user_id=f"U{i:05d}", slack_team_id="T0LEARN") for i, u in enumerate(users)],
        batch_size=2000,
    )
    entries = [
        Entry(
            author=u,
            day=last_week,
            body="Read a paper on retrieval.",
            body_html="<p>Read a paper on retrieval.</p>",
            whats_next=f"Reimplement section {i % 7 + 1} of it.",
        )
        for i, u in enumerate(users)
        if i % 3 == 0
    ]
    Entry.objects.bulk_create(entries, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"users": len(users), "slack_accounts": len(users), "entries": len(entries)}


def start_worker(env: dict[str, str], concurrency: int, log_path: Path) -> subprocess.Popen:
    # A batch spends its time waiting on Slack (and on Retry-After): threads, not processes.
    return start_celery_worker(env, concurrency=concurrency, log_path=log_path, name="bench-slack", pool="threads")


def run(args: argparse.Namespace) -> dict:
    import redis

    from tests.slackapp.fake_api import SIGNING_SECRET, TOKEN, FakeSlackApi

    day = dt.date.fromisoformat(args.day)
    if day.weekday() != 3:
        raise SystemExit("--day must be a Thursday (the default Learning Day)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    api = FakeSlackApi()
    api.rate_limit(every=args.every, retry_after=args.retry_after)
    api.start()
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG_ADMIN_URL}/{args.db}",
        "REDIS_URL": args.redis,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://learningday.bench.example",
        "LOG_LEVEL": "WARNING",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api.api_url,
        "REMINDER_CHUNK_SIZE": str(args.chunk_size),
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    client = redis.Redis.from_url(args.redis)
    counters = Counters(client)
    worker = None
    report: dict = {}
    try:
        recreate_database(args.db)
        client.flushdb()

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from learningday.celery import app
        from learningday.models import OutboxMessage
        from slackapp.reminders import dispatch_slack_reminders

        call_command("migrate", verbosity=0, interactive=False)
        data = seed(args.people, day - dt.timedelta(days=7))
        connection.close()

        worker = start_worker({**os.environ, **env}, args.concurrency, RESULTS / "slack-worker.log")
        wait_for_worker(app, worker, timeout=90)
        at = dt.datetime.combine(day, dt.time(11, 5), tzinfo=zoneinfo.ZoneInfo(ZONE))

        first = time.monotonic()
        deadline = first + args.timeout
        dispatch_slack_reminders.delay(at.isoformat())
        dispatches = 1
        last_dm, seen = first, 0
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited with {worker.returncode}; see bench/results/slack-worker.log")
            posted = len(api.calls("chat.postMessage"))
            if posted and dispatches == 1 and posted >= args.people // 3:
                # The next quarter hour's dispatcher, while the first one's batches still send.
                dispatch_slack_reminders.delay((at + dt.timedelta(minutes=15)).isoformat())
                dispatches = 2
            if posted > seen:
                last_dm, seen = time.monotonic(), posted
            planned = counters.get("returned", "dispatch_slack_reminders")
            if (
                dispatches == 2
                and counters.finished("dispatch_slack_reminders") >= 2
                and counters.finished("send_slack_reminder_batch") >= planned
            ):
                break
            time.sleep(0.05)
        drained = time.monotonic()
        timed_out = drained >= deadline
        stop_worker(worker)

        posts = api.calls("chat.postMessage")
        by_channel = collections.Counter(c.args["channel"] for c in posts)
        sent_rows = OutboxMessage.objects.filter(channel="slack_dm", sent_at__isnull=False).count()
        unsent_rows = OutboxMessage.objects.filter(channel="slack_dm", sent_at__isnull=True).count()
        connection.close()
        calls = collections.Counter(c.method for c in api.calls())
        report = {
            "people": args.people,
            "learning_day": day.isoformat(),
            "dispatched_at": at.isoformat(),
            "rate_limit": {"every": args.every, "retry_after": args.retry_after},
            "chunk_size": args.chunk_size,
            "concurrency": args.concurrency,
            "pool": "threads",
            "seconds_first_dispatch_to_last_dm": round(last_dm - first, 2),
            "seconds_until_batches_finished": round(drained - first, 2),
            "timed_out": timed_out,
            "dms": len(posts),
            "distinct_recipients": len(by_channel),
            "duplicate_recipients": sum(n - 1 for n in by_channel.values() if n > 1),
            "calls_answered": dict(calls),
            "calls_429": api.limited,
            "calls_total": sum(calls.values()) + api.limited,
            "outbox_sent": sent_rows,
            "outbox_not_sent": unsent_rows,
            "dispatches": counters.finished("dispatch_slack_reminders"),
            "batches": counters.finished("send_slack_reminder_batch"),
            "batch_runs_including_retries": counters.hash("tasks").get("send_slack_reminder_batch", 0),
            "task_states": counters.hash("states"),
            "errors": counters.errors(),
            "data": data,
            "machine": machine(),
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        report["ok"] = (
            not timed_out
            and report["dms"] == args.people
            and report["distinct_recipients"] == args.people
            and report["duplicate_recipients"] == 0
            and sent_rows == args.people
        )
    finally:
        if worker is not None:
            stop_worker(worker)
        api.stop()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(args.db)
            client.flushdb()
    return report


def show(report: dict) -> None:
    rows = [
        ("people", report["people"]),
        ("first dispatch → last DM", f"{report['seconds_first_dispatch_to_last_dm']} s"),
        ("first dispatch → batches finished", f"{report['seconds_until_batches_finished']} s"),
        (
            "DMs (distinct recipients)",
            f"{report['dms']} ({report['distinct_recipients']}), expected {report['people']}",
        ),
        ("duplicates", report["duplicate_recipients"]),
        ("Web API calls (429s)", f"{report['calls_total']} ({report['calls_429']})"),
        ("  answered, by method", report["calls_answered"]),
        ("outbox rows sent / not sent", f"{report['outbox_sent']} / {report['outbox_not_sent']}"),
        ("dispatches / batches", f"{report['dispatches']} / {report['batches']}"),
        ("ok", report["ok"]),
    ]
    show_rows(rows, report["errors"])


def save(report: dict, path: Path) -> None:
    save_run(path, f"{report['people']}-people-every-{report['rate_limit']['every']}", report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--every", type=int, default=20, help="a 429 for the first of every N Web API calls")
    parser.add_argument("--retry-after", type=int, default=1, help="the 429's Retry-After, in seconds")
    parser.add_argument("--day", default="2026-12-03", help="the Thursday to simulate")
    parser.add_argument("--chunk-size", type=int, default=125, help="REMINDER_CHUNK_SIZE")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=150, help="give up after this many seconds")
    parser.add_argument("--db", default="learningday_bench_slack")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--out", type=Path, default=RESULTS / "slack_dms.json")
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis keys afterwards")
    args = parser.parse_args()
    report = run(args)
    show(report)
    save(report, args.out)
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if report.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
