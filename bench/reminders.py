"""Benchmark: one Learning Day of morning reminders through a real Celery worker.

    .venv/bin/python bench/reminders.py [--people 10000] [--zones 24] [--pace burst|beat] [--keep]

What it does, all on this machine:

1. Creates a PostgreSQL database of its own (``learningday_bench``, dropped at the end
   unless ``--keep``) and uses Redis database 9 (flushed first), migrates, and
   bulk-inserts the people (unusable passwords, so no hashing), spread evenly over
   ``--zones`` IANA time zones without daylight saving, one per whole-hour UTC offset
   (Pacific/Pago_Pago, UTC-11 … Pacific/Kiritimati, UTC+14), a few teams, and a previous
   Learning Day's entry with a "what's next" for a third of them. Everyone is opted in to
   the morning reminder only (not the nudge, not the digest), so every email counted is a
   morning reminder; the dispatcher still plans all three kinds.
2. Starts an SMTP sink on 127.0.0.1 (asyncio, in a thread of this process; EHLO/HELO,
   MAIL, RCPT, DATA, RSET, NOOP, QUIT) that counts messages and recipients.
3. Starts ``celery -A learningday worker --concurrency 2`` with
   ``DJANGO_SETTINGS_MODULE=bench.settings`` (the app's settings plus query counters,
   see bench/settings.py), waits for it to answer a ping, then queues
   ``dispatch_reminders(at)`` for every quarter hour from the first zone's Thursday 09:00
   to the last zone's, as beat would. ``--pace burst`` (default) queues them all at once
   (time compressed: a dispatcher runs before the batches of the previous quarter hours
   have sent); ``--pace beat`` queues the next quarter hour only when the previous one's
   dispatcher and batches are done, as with real 15-minute gaps.
4. Waits for the emails (or ``--timeout``), lets the queue drain, and reports the
   seconds from the first dispatch to the last email, the SQL statements the worker ran
   (per task kind, counted in the worker; PostgreSQL's committed transactions on the
   database as a cross-check), the emails and distinct recipients the sink got, and the
   batches. Prints a table and merges the run into bench/results/reminders.json.
5. Stops the worker and the sink and drops the database (unless ``--keep``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import collections
import datetime as dt
import os
import secrets
import signal
import subprocess
import threading
import time
import zoneinfo

from bench.common import (
    PG_ADMIN_URL,
    drop_database,
    machine,
    pg,
    recreate_database,
    save_run,
    show_rows,
    start_celery_worker,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent

# Whole-hour UTC offsets, none of them with daylight saving time (so the offsets hold on
# any date); --zones N picks N of them spread from the first to the last.
ZONES = [
    "Pacific/Pago_Pago",  # -11
    "Pacific/Honolulu",  # -10
    "Pacific/Gambier",  # -9
    "Pacific/Pitcairn",  # -8
    "America/Phoenix",  # -7
    "America/Regina",  # -6
    "America/Bogota",  # -5
    "America/La_Paz",  # -4
    "America/Argentina/Buenos_Aires",  # -3
    "America/Noronha",  # -2
    "Atlantic/Cape_Verde",  # -1
    "Africa/Abidjan",  # 0
    "Africa/Lagos",  # +1
    "Africa/Johannesburg",  # +2
    "Africa/Nairobi",  # +3
    "Asia/Dubai",  # +4
    "Asia/Tashkent",  # +5
    "Asia/Dhaka",  # +6
    "Asia/Bangkok",  # +7
    "Asia/Singapore",  # +8
    "Asia/Tokyo",  # +9
    "Australia/Brisbane",  # +10
    "Pacific/Noumea",  # +11
    "Pacific/Tarawa",  # +12
    "Pacific/Fakaofo",  # +13
    "Pacific/Kiritimati",  # +14
]


def pick_zones(n: int) -> list[str]:
    if not 1 <= n <= len(ZONES):
        raise SystemExit(f"--zones must be 1 to {len(ZONES)}")
    if n == 1:
        return [ZONES[11]]
    return [ZONES[round(i * (len(ZONES) - 1) / (n - 1))] for i in range(n)]


def quarter_hours(day: dt.date, zones: list[str], hour: int) -> list[dt.datetime]:
    """Every quarter hour (UTC) from the first zone's ``hour`` o'clock on ``day`` to the last's."""
    starts = [dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(z)).astimezone(dt.UTC) for z in zones]
    first, last = min(starts), max(starts)
    first = first.replace(minute=first.minute - first.minute % 15, second=0, microsecond=0)
    instants = []
    at = first
    while at <= last:
        instants.append(at)
        at += dt.timedelta(minutes=15)
    return instants


# --- The SMTP sink -------------------------------------------------------------------------


class Sink:
    """Accepts every message, keeps only counts, recipients and arrival times."""

    def __init__(self) -> None:
        self.messages = 0
        self.recipients: list[str] = []
        self.bytes = 0
        self.connections = 0
        self.first: float | None = None
        self.last: float | None = None
        self.sample = b""
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, name="smtp-sink", daemon=True)

    def start(self) -> int:
        async def serve():
            return await self.loop.create_server(lambda: SMTPSession(self), "127.0.0.1", 0)

        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(timeout=10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    def received(self, rcpts: list[str], data: bytes) -> None:
        now = time.monotonic()
        self.first = self.first or now
        self.last = now
        self.messages += 1
        self.recipients.extend(rcpts)
        self.bytes += len(data)
        if not self.sample:
            self.sample = data

    def stop(self) -> None:
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class SMTPSession(asyncio.Protocol):
    """Enough of RFC 5321 for Django's SMTP backend (smtplib): no AUTH, no TLS."""

    def __init__(self, sink: Sink) -> None:
        self.sink, self.buffer, self.in_data = sink, b"", False
        self.rcpts: list[str] = []
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.sink.connections += 1
        transport.write(b"220 bench-sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and self.transport is not None:
            if self.in_data:
                # The message ends with CRLF . CRLF (the DATA line's own CRLF counts).
                end = (b"\r\n" + self.buffer).find(b"\r\n.\r\n")
                if end < 0:
                    return
                body, self.buffer = self.buffer[: max(end - 2, 0)], self.buffer[end + 3 :]
                self.sink.received(self.rcpts, body)
                self.rcpts, self.in_data = [], False
                self.transport.write(b"250 2.0.0 OK queued\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            self.command(line)

    def command(self, line: bytes) -> None:
        verb = line[:4].upper()
        write = self.transport.write
        if verb == b"EHLO":
            write(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"HELO":
            write(b"250 bench-sink\r\n")
        elif verb == b"MAIL":
            self.rcpts = []
            write(b"250 2.1.0 OK\r\n")
        elif verb == b"RCPT":
            address = line.partition(b"<")[2].partition(b">")[0].decode("utf-8", "replace").lower()
            self.rcpts.append(address)
            write(b"250 2.1.5 OK\r\n")
        elif verb == b"DATA":
            if not self.rcpts:
                write(b"503 5.5.1 RCPT first\r\n")
                return
            self.in_data = True
            write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"RSET":
            self.rcpts = []
            write(b"250 2.0.0 OK\r\n")
        elif verb == b"NOOP":
            write(b"250 2.0.0 OK\r\n")
        elif verb == b"QUIT":
            write(b"221 2.0.0 Bye\r\n")
            self.transport.close()
            self.transport = None
        else:
            write(b"502 5.5.2 Command not implemented\r\n")

    def connection_lost(self, exc) -> None:
        self.transport = None


# --- PostgreSQL and Redis ------------------------------------------------------------------


def pg_counters(name: str) -> dict[str, int]:
    """Committed transactions and rows touched on the database, from pg_stat_database."""
    with pg() as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated"
            " FROM pg_stat_database WHERE datname = %s",
            [name],
        ).fetchone()
    keys = ("xact_commit", "xact_rollback", "tup_returned", "tup_fetched", "tup_inserted", "tup_updated")
    return dict(zip(keys, row or (0,) * len(keys), strict=True))


def wait_for_no_backends(name: str, timeout: float = 15) -> None:
    """Until every connection to the database has gone (and flushed its statistics)."""
    deadline = time.monotonic() + timeout
    with pg() as conn:
        while time.monotonic() < deadline:
            (n,) = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
            if n == 0:
                return
            time.sleep(0.05)


# --- Data -------------------------------------------------------------------------------


def seed(people: int, zones: list[str], day: dt.date) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from learningday.models import Membership, Team, User
    from logs.models import Entry

    teams = Team.objects.bulk_create(
        [Team(name=f"Bench team {i:02d}", slug=f"bench-team-{i:02d}") for i in range(max(3, min(40, people // 250)))]
    )
    unusable = make_password(None)  # "!" + random: no hashing, and nobody can log in
    users = User.objects.bulk_create(
        [
            User(
                email=f"person{i:05d}@bench.example",
                display_name=f"Person {i:05d}",
                timezone=zones[i % len(zones)],
                password=unusable,
                remind_morning=True,
                remind_nudge=False,
                receive_digest=False,
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    memberships = [
        Membership(user=u, team=teams[i % len(teams)], role="manager" if i < len(teams) else "member")
        for i, u in enumerate(users)
    ]
    memberships += [Membership(user=u, team=teams[(i + 1) % len(teams)]) for i, u in enumerate(users) if i % 10 == 0]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    last_week = day - dt.timedelta(days=7)
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
    # Planner statistics, as a database in service has them (autovacuum would take a minute).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"users": len(users), "teams": len(teams), "memberships": len(memberships), "entries": len(entries)}


# --- The worker -----------------------------------------------------------------------------


def start_worker(env: dict[str, str], concurrency: int, log_path: Path) -> subprocess.Popen:
    return start_celery_worker(env, concurrency=concurrency, log_path=log_path, name="bench-reminders")


def wait_for_worker(app, worker: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}; see bench/results/worker.log")
        if app.control.ping(timeout=0.5):
            return time.monotonic() - started
    raise SystemExit(f"the worker did not answer a ping within {timeout:.0f} s; see bench/results/worker.log")


def stop_worker(worker: subprocess.Popen, timeout: float = 30) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the running tasks
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


class Counters:
    """The worker's tallies in Redis (see bench/settings.py)."""

    def __init__(self, client) -> None:
        self.client = client

    def hash(self, name: str, cast=int) -> dict[str, float]:
        return {k.decode(): cast(v) for k, v in self.client.hgetall(f"bench:{name}").items()}

    def get(self, name: str, field: str) -> int:
        return int(self.client.hget(f"bench:{name}", field) or 0)

    def finished(self, task: str) -> int:
        """Runs of ``task`` that ended for good (a run that asked for a retry did not)."""
        return self.get("states", f"{task}:SUCCESS") + self.get("states", f"{task}:FAILURE")

    def settled(self, dispatches: int) -> bool:
        """Every dispatcher has run and every batch it queued has finished."""
        planned = self.get("returned", "dispatch_reminders")
        return self.finished("dispatch_reminders") >= dispatches and self.finished("send_reminder_batch") >= planned

    def errors(self) -> list[str]:
        return [e.decode() for e in self.client.lrange("bench:errors", 0, 20)]


# --- The run ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    import redis

    zones = pick_zones(args.zones)
    day = dt.date.fromisoformat(args.day)
    if day.weekday() != 3:
        raise SystemExit("--day must be a Thursday (the default Learning Day)")
    RESULTS.mkdir(parents=True, exist_ok=True)

    sink = Sink()
    port = sink.start()
    database_url = f"{PG_ADMIN_URL}/{args.db}"
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        # As in production: no query log kept in memory, no debug pages.
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://learningday.bench.example",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if args.chunk_size:
        env["REMINDER_CHUNK_SIZE"] = str(args.chunk_size)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    timings: dict[str, float] = {}
    client = redis.Redis.from_url(args.redis)
    counters = Counters(client)
    worker = None
    report: dict = {}
    try:
        began = time.monotonic()
        recreate_database(args.db)
        client.flushdb()

        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count

        from learningday.celery import app
        from learningday.models import OutboxMessage
        from logs.tasks import dispatch_reminders

        call_command("migrate", verbosity=0, interactive=False)
        timings["migrate_s"] = time.monotonic() - began
        mark = time.monotonic()
        data = seed(args.people, zones, day)
        timings["seed_s"] = time.monotonic() - mark
        connection.close()

        worker = start_worker({**os.environ, **env}, args.concurrency, RESULTS / "worker.log")
        timings["worker_ready_s"] = wait_for_worker(app, worker, timeout=90)
        instants = quarter_hours(day, zones, settings.REMINDER_MORNING_HOUR)
        expected = args.people
        before = pg_counters(args.db)

        first_dispatch = time.monotonic()
        deadline = first_dispatch + args.timeout
        queued = 0

        def check_worker() -> None:
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited with {worker.returncode}; see bench/results/worker.log")

        if args.pace == "burst":
            for at in instants:
                dispatch_reminders.delay(at.isoformat())
            queued = len(instants)
        else:  # "beat": the next quarter hour only when this one's work is done
            for at in instants:
                dispatch_reminders.delay(at.isoformat())
                queued += 1
                while not counters.settled(queued) and time.monotonic() < deadline:
                    check_worker()
                    time.sleep(0.01)
        queued_s = time.monotonic() - first_dispatch

        while len(sink.recipients) < expected and time.monotonic() < deadline:
            check_worker()
            time.sleep(0.02)
        all_sent = time.monotonic()
        # The batches still queued (in burst mode: the dispatchers' overlapping plans).
        while not counters.settled(queued) and time.monotonic() < deadline:
            check_worker()
            time.sleep(0.02)
        drained = time.monotonic()
        timed_out = drained >= deadline

        stop_worker(worker)
        wait_for_no_backends(args.db)
        after = pg_counters(args.db)

        sent_by_kind = dict(
            OutboxMessage.objects.filter(channel="email", sent_at__isnull=False)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        unsent = OutboxMessage.objects.filter(channel="email", sent_at__isnull=True).count()
        connection.close()

        recipients = collections.Counter(sink.recipients)
        tasks, queries = counters.hash("tasks"), counters.hash("queries")
        sql_seconds, task_seconds = counters.hash("sql_seconds", float), counters.hash("task_seconds", float)
        batches = counters.finished("send_reminder_batch")
        empty = tasks.get("send_reminder_batch:empty", 0)
        dispatches = counters.finished("dispatch_reminders")
        total_queries = sum(queries.values())
        last_email = (sink.last - first_dispatch) if sink.last else None
        report = {
            "people": args.people,
            "zones": len(zones),
            "zone_names": zones,
            "pace": args.pace,
            "learning_day": day.isoformat(),
            "window_utc": [instants[0].isoformat(), instants[-1].isoformat()],
            "chunk_size": settings.REMINDER_CHUNK_SIZE,
            "concurrency": args.concurrency,
            "seconds_first_dispatch_to_last_email": round(last_email, 2) if last_email is not None else None,
            "seconds_first_dispatch_to_first_email": round(sink.first - first_dispatch, 2) if sink.first else None,
            "seconds_to_queue_dispatches": round(queued_s, 2),
            "seconds_until_queue_drained": round(drained - first_dispatch, 2),
            "seconds_waiting_for_emails": round(all_sent - first_dispatch, 2),
            "timed_out": timed_out,
            "emails": sink.messages,
            "recipients": len(sink.recipients),
            "distinct_recipients": len(recipients),
            "duplicate_recipients": sum(n - 1 for n in recipients.values() if n > 1),
            "expected_emails": expected,
            "smtp_connections": sink.connections,
            "smtp_bytes": sink.bytes,
            "reminders_sent_by_kind": sent_by_kind,
            "reminders_claimed_not_sent": unsent,
            "dispatches": dispatches,
            "batches": batches,
            "batches_that_sent": batches - empty,
            "batches_empty": empty,
            "batches_planned": counters.get("returned", "dispatch_reminders"),
            "batch_runs_including_retries": tasks.get("send_reminder_batch", 0),
            "queries_total": total_queries,
            "queries_by_task": queries,
            "queries_by_statement": counters.hash("verbs"),
            "queries_per_batch": round(queries.get("send_reminder_batch", 0) / batches, 2) if batches else None,
            "queries_per_dispatch": round(queries.get("dispatch_reminders", 0) / dispatches, 2) if dispatches else None,
            "sql_seconds_by_task": {k: round(v, 3) for k, v in sql_seconds.items()},
            "task_seconds_by_task": {k: round(v, 3) for k, v in task_seconds.items()},
            "pg_stat_database_delta": {k: after[k] - before[k] for k in before},
            "task_states": counters.hash("states"),
            "errors": counters.errors(),
            "data": data,
            "setup_seconds": {k: round(v, 2) for k, v in timings.items()},
            "machine": machine(),
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        report["ok"] = (
            not timed_out
            and report["emails"] == expected
            and report["distinct_recipients"] == expected
            and report["duplicate_recipients"] == 0
            and set(sent_by_kind) <= {"morning"}
        )
        report["target_met"] = bool(report["ok"] and last_email is not None and last_email < args.target)
    finally:
        if worker is not None:
            stop_worker(worker)
        sink.stop()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(args.db)
            client.flushdb()
    return report


def show(report: dict) -> None:
    rows = [
        ("people / zones / pace", f"{report['people']} / {report['zones']} / {report['pace']}"),
        ("first dispatch → last email", f"{report['seconds_first_dispatch_to_last_email']} s"),
        ("first dispatch → queue drained", f"{report['seconds_until_queue_drained']} s"),
        (
            "emails (distinct recipients)",
            f"{report['emails']} ({report['distinct_recipients']}), expected {report['expected_emails']}",
        ),
        ("duplicates", report["duplicate_recipients"]),
        ("reminders stamped sent, by kind", report["reminders_sent_by_kind"]),
        ("dispatches (quarter hours)", report["dispatches"]),
        (
            "batches (sent something / empty)",
            f"{report['batches']} ({report['batches_that_sent']} / {report['batches_empty']})",
        ),
        ("SQL statements, total", report["queries_total"]),
        ("  per dispatch", report["queries_per_dispatch"]),
        ("  per batch", report["queries_per_batch"]),
        ("PostgreSQL commits (cross-check)", report["pg_stat_database_delta"]["xact_commit"]),
        ("SMTP connections", report["smtp_connections"]),
        ("task seconds (worker, summed)", report["task_seconds_by_task"]),
        ("  of which SQL", report["sql_seconds_by_task"]),
        ("ok / under target", f"{report['ok']} / {report['target_met']}"),
    ]
    show_rows(rows, report["errors"])


def save(report: dict, path: Path) -> None:
    save_run(path, f"{report['people']}-people-{report['zones']}-zones-{report['pace']}", report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--zones", type=int, default=24)
    parser.add_argument("--pace", choices=["burst", "beat"], default="burst")
    parser.add_argument("--day", default="2026-12-03", help="the Thursday to simulate")
    parser.add_argument("--chunk-size", type=int, default=0, help="REMINDER_CHUNK_SIZE (default: the app's)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300, help="give up after this many seconds")
    parser.add_argument("--target", type=float, default=20, help="seconds the last email must beat")
    parser.add_argument("--db", default="learningday_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--out", type=Path, default=RESULTS / "reminders.json")
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis keys afterwards")
    parser.add_argument("--strict", action="store_true", help="exit 2 when the last email comes after --target")
    args = parser.parse_args()
    report = run(args)
    show(report)
    save(report, args.out)
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if not report.get("ok"):
        return 1
    return 2 if args.strict and not report.get("target_met") else 0


if __name__ == "__main__":
    sys.exit(main())
