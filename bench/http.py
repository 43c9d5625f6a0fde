"""Benchmark: the key pages under load, served by gunicorn on PostgreSQL, driven by wrk.

    .venv/bin/python bench/http.py [--people 5000] [--weeks 104] [--duration 20] [--reseed]

What it does, all on this machine:

1. Uses a PostgreSQL database of its own, ``learningday_bench_http_<people>``. The first
   run (or ``--reseed``) creates it, migrates and fills it with
   ``manage.py seed_scale --people N --weeks W``; later runs only migrate, so the
   minutes of seeding are paid once per size. Receipts go under
   ``var/bench/media-<people>``. Every run then computes the impact summaries, as the
   nightly task does (its time is reported), and ``VACUUM (ANALYZE)``, so that autovacuum
   does not wake up in the middle of the measurements after a seed or a migration.
2. Serves the app as in production (the README's command: ``gunicorn learningday.wsgi
   --workers 4 --access-logfile -``) with ``DEBUG=false`` and
   ``DJANGO_SETTINGS_MODULE=bench.settings``: the app's settings plus the bench-only
   baseline page and a header with each request's SQL statement count. Plain HTTP on
   127.0.0.1, so the HTTPS redirect and secure cookies are off.
3. Signs in as the member, the manager, finance and leadership (``seed_scale``'s logins) through the
   real sign-in form, and finds one entry, one item and one claim by following the
   member's own pages.
4. For the baseline and each key page: the shared cache (``--cache``, Redis database 7 by
   default, the server's ``CACHE_URL``) is emptied, then one request checks that the page
   answers 200, reads its SQL count and times it cold (every cached piece rendered and
   stored); then ``--warmup`` seconds of load that are thrown away, then ``--duration``
   seconds of wrk at ``--connections`` connections, with the cache's hit rate over them
   (Redis ``INFO stats``). A Lua script counts every non-2xx
   answer (wrk itself counts only 4xx and 5xx). The baseline is measured right before
   each page and once at the end: a page's "× baseline" is its p50 over the baseline's
   just before it (this machine's speed drifts over a run), and the baseline's row shows
   the median of those runs.
5. Other costs: the finance CSV export of all approved and paid claims, streamed from a
   one-worker gunicorn whose peak memory (``VmHWM``, reset before the export) is read
   from /proc; processing a 12-megapixel phone JPEG receipt (bench/receipt.py, in a
   process of its own).
6. Requests every page once more, after the others, and reads what the cache then holds
   (keys and ``used_memory``). Prints the table and writes everything to
   ``bench/results/http-<people>.json``.
   bench/report.py turns the results into docs/performance.png and the tables of
   docs/PERFORMANCE.md.

Needs PostgreSQL on 127.0.0.1:5432 (user ``postgres`` allowed to create databases) and
wrk (Debian's ``wrk``; ``make bench`` installs it when missing).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import redis
import requests

from bench.common import PG_ADMIN_URL, cpu_model, database_exists, pg, pg_version, recreate_database, status_kb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
# The server's cache: Redis, as in production, in a database of its own that the run empties.
CACHE_URL = "redis://127.0.0.1:6379/7"
PASSWORD = "bench-password"  # noqa: S105  (seed_scale's default for its three logins)
LOGINS = {
    "member": "member@scale.example",
    "manager": "manager@scale.example",
    "finance": "finance@scale.example",
    "leadership": "leadership@scale.example",
}

# name, who asks, path (``{entry}``, ``{item}`` and ``{claim}`` are found at run time)
PAGES = [
    ("dashboard", "member", "/"),
    ("feed", "member", "/logs/"),
    ("feed search", "member", "/logs/?q=postgres"),
    ("one entry", "member", "/logs/{entry}/"),
    ("participation", "manager", "/logs/participation/"),
    ("reading list", "member", "/reading/"),
    ("one item", "member", "/reading/{item}/"),
    ("my claims", "member", "/claims/"),
    ("one claim", "member", "/claims/{claim}/"),
    ("review queue", "manager", "/claims/review/"),
    ("finance list", "finance", "/claims/finance/"),
    ("my growth", "member", "/growth/"),
    ("impact, a manager", "manager", "/impact/"),
    ("impact, leadership", "leadership", "/impact/"),
]
BASELINE = ("baseline", "member", "/bench/baseline/")

# wrk calls response() for every answer; each thread counts its non-2xx, done() adds them.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad, e.connect + e.read + e.write + e.timeout))
end
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database ------------------------------------------------------------------


def data_counts(name: str) -> dict[str, int]:
    tables = {
        "people": "learningday_user",
        "teams": "learningday_team",
        "entries": "logs_entry",
        "items": "reading_item",
        "progress": "reading_progress",
        "claims": "reimbursements_claim",
        "receipts": "reimbursements_receipt",
        "claim events": "reimbursements_claimevent",
    }
    with pg(name) as conn:
        return {label: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for label, table in tables.items()}  # noqa: S608


# --- The server ----------------------------------------------------------------------


def server_env(args, database: str) -> dict[str, str]:
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL", "EMAIL_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"{PG_ADMIN_URL}/{database}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{args.port}",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / f"media-{args.people}"),
        EMAIL_URL="consolemail://",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True)


class Gunicorn:
    """``gunicorn learningday.wsgi`` as the README runs it, on a port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.log = log_path.open("w")
        command = [str(VENV_BIN / "gunicorn"), "learningday.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--access-logfile", "-"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start-up; see {log_path}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or its workers still importing the app
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or not token:
        raise SystemExit(f"the sign-in page answered {form.status_code} without a form")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"signing in as {email} failed ({answer.status_code}); was the database seeded by seed_scale?")
    return session


def first_link(session: requests.Session, url: str, pattern: str) -> str:
    page = session.get(url, timeout=60)
    found = re.search(pattern, page.text)
    if page.status_code != 200 or not found:
        raise SystemExit(f"found no {pattern!r} on {url} ({page.status_code})")
    return found.group(1)


# --- Load ---------------------------------------------------------------------------------


def probe(session: requests.Session, url: str) -> dict:
    answer = session.get(url, allow_redirects=False, timeout=120)
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}, not 200")
    return {"queries": int(answer.headers["X-Bench-Queries"]), "bytes": len(answer.content)}


def wrk(url: str, cookie: str, seconds: float, args, script: Path) -> dict:
    command = ["wrk", "--threads", str(args.threads), "--connections", str(args.connections)]
    command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", "30s", "--script", str(script)]
    command += ["--header", f"Cookie: {cookie}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((line for line in out.splitlines() if line.startswith("BENCH-JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result for {url}:\n{out}")
    result = json.loads(line.removeprefix("BENCH-JSON "))
    seconds_run = result["duration_us"] / 1e6
    return {
        "requests": result["requests"],
        "rps": round(result["requests"] / seconds_run, 1),
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "max_ms": round(result["max_us"] / 1000, 2),
        "errors": result["non2xx"] + result["socket_errors"],
    }


def cache_stats(cache: redis.Redis) -> dict:
    stats, memory = cache.info("stats"), cache.info("memory")
    return {
        "hits": stats["keyspace_hits"],
        "misses": stats["keyspace_misses"],
        "used_memory_mb": round(memory["used_memory"] / 2**20, 1),
        "keys": cache.dbsize(),
    }


def measure(name: str, session: requests.Session, url: str, args, script: Path, cache: redis.Redis) -> dict:
    """One page: its first request after the cache is emptied (cold: every piece rendered and
    stored), then the warm-up and the measured load, with the cache's hits and misses."""
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    parts = urlsplit(url)
    cache.flushdb()
    started = time.perf_counter()
    first = probe(session, url)
    cold_ms = round((time.perf_counter() - started) * 1000, 1)
    row = {"page": name, "url": parts.path + (f"?{parts.query}" if parts.query else ""), **first, "cold_ms": cold_ms}
    if args.warmup:
        wrk(url, cookie, args.warmup, args, script)
    before = cache_stats(cache)
    row.update(wrk(url, cookie, args.duration, args, script))
    after = cache_stats(cache)
    reads = (after["hits"] - before["hits"]) + (after["misses"] - before["misses"])
    row["cache"] = {
        "hit_rate": round((after["hits"] - before["hits"]) / reads, 4) if reads else None,
        "reads": reads,
        "keys": after["keys"],
        "used_memory_mb": after["used_memory_mb"],
    }
    hit = "" if row["cache"]["hit_rate"] is None else f"  hits {row['cache']['hit_rate']:.1%}"
    log(
        f"{name:<14} {row['rps']:>7.1f} rps  p50 {row['p50_ms']:>7.2f} ms  p99 {row['p99_ms']:>7.2f} ms  "
        f"{row['queries']:>3} SQL  {row['errors']} errors  cold {cold_ms:.0f} ms{hit}"
    )
    return row


# --- Other costs -------------------------------------------------------------------------


def export_cost(env: dict[str, str], args) -> dict:
    """The finance CSV export of every approved and paid claim, from a one-worker server."""
    server = Gunicorn(env, args.port + 1, 1, RESULTS / f"gunicorn-export-{args.people}.log")
    try:
        finance = sign_in(server.base, LOGINS["finance"])
        finance.get(f"{server.base}/claims/finance/", timeout=120).raise_for_status()  # imports, connection
        (worker,) = server.workers()
        rss_before = status_kb("VmRSS", worker)
        try:  # reset the peak to the current size (Linux 4.0+), so the peak is the export's own
            Path(f"/proc/{worker}/clear_refs").write_text("5")
            peak_reset = True
        except OSError:
            peak_reset = False
        started = time.perf_counter()
        rows = size = 0
        with finance.get(f"{server.base}/claims/finance/export.csv", stream=True, timeout=600) as answer:
            answer.raise_for_status()
            first_byte = time.perf_counter() - started
            for chunk in answer.iter_content(chunk_size=65536):
                size += len(chunk)
                rows += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        peak = status_kb("VmHWM", worker)
        return {
            "rows": rows - 1,  # the header line
            "bytes": size,
            "seconds": round(seconds, 2),
            "first_byte_s": round(first_byte, 3),
            "rss_before_mb": round(rss_before / 1024, 1),
            "peak_mb": round(peak / 1024, 1),
            "growth_mb": round((peak - rss_before) / 1024, 1),
            "peak_reset": peak_reset,
        }
    finally:
        server.stop()


def receipt_cost(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [str(VENV_BIN / "python"), "bench/receipt.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- The run -------------------------------------------------------------------------------


def machine() -> dict:
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg_version(),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip(),
    }


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def print_table(result: dict) -> None:
    base = result["baseline"]["p50_ms"]
    print()
    print(f"{result['people']:,} people, {result['duration_s']} s per page at {result['connections']} connections")
    print(f"{'page':<15}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'×base':>7}{'SQL':>5}{'errors':>8}")
    for row in [{**result["baseline"], "page": "baseline"}, *result["pages"]]:
        print(
            f"{row['page']:<15}{row['rps']:>8.1f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['p50_ms'] / row.get('baseline_p50_ms', base):>7.2f}{row['queries']:>5}{row['errors']:>8}"
        )
    costs = result.get("costs", {})
    if "export" in costs:
        e = costs["export"]
        print(
            f"\nfinance CSV export: {e['rows']:,} claims, {e['bytes'] / 2**20:.1f} MB in {e['seconds']} s; "
            f"serving process {e['rss_before_mb']} MB before, peak {e['peak_mb']} MB (+{e['growth_mb']} MB)"
        )
    if "receipt" in costs:
        r = costs["receipt"]
        print(
            f"12-MP JPEG receipt ({r['megapixels']} MP, {r['input_mb']} MB): {r['seconds']} s, "
            f"process peak {r['peak_mb']} MB (+{r['growth_mb']} MB over the imports)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per page")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load per page, not counted")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (the README's production command)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database even if it exists")
    parser.add_argument("--only", nargs="*", help="only these pages (by name)")
    parser.add_argument("--no-costs", action="store_true", help="skip the export and receipt measurements")
    parser.add_argument("--out", type=Path, help="results file (default bench/results/http-<people>.json)")
    parser.add_argument(
        "--cache", default=CACHE_URL, help="the shared cache (CACHE_URL) the server uses; emptied before each page"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = f"learningday_bench_http_{args.people}"
    env = server_env(args, database)
    env["CACHE_URL"] = args.cache
    cache = redis.Redis.from_url(args.cache)
    cache.ping()

    if args.reseed or not database_exists(database):
        log(f"seeding {database}: {args.people:,} people, {args.weeks} weeks")
        recreate_database(database)
        shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
        started = time.monotonic()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_scale", "--people", str(args.people), "--weeks", str(args.weeks), "--force")
        log(f"seeded in {time.monotonic() - started:.0f} s")
    else:
        log(f"reusing {database} (--reseed to rebuild it)")
        manage(env, "migrate", "--noinput", "-v", "0")
    log("computing the impact summaries (the nightly task's work)")
    started = time.monotonic()
    manage(env, "shell", "-c", "from growth.tasks import compute_impact; print(compute_impact())")
    summary_seconds = round(time.monotonic() - started, 1)
    log(f"impact summaries computed in {summary_seconds} s (the process included)")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    log("VACUUM ANALYZE (so that autovacuum does not run during the measurements)")
    with pg(database) as conn:
        conn.execute("VACUUM (ANALYZE)")
    counts = data_counts(database)
    log("data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))

    server = Gunicorn(env, args.port, args.workers, RESULTS / f"gunicorn-{args.people}.log")
    try:
        base = server.base
        sessions = {role: sign_in(base, email) for role, email in LOGINS.items()}
        member = sessions["member"]
        found = {
            "entry": first_link(member, f"{base}/logs/", r'href="/logs/(\d+)/"'),
            "item": first_link(member, f"{base}/reading/", r'href="/reading/(\d+)/"'),
            "claim": first_link(member, f"{base}/claims/", r'href="/claims/(\d+)/"'),
        }
        pages = [p for p in PAGES if not args.only or p[0] in args.only]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script_file:
            script_file.write(WRK_SCRIPT)
        script = Path(script_file.name)
        try:
            name, role, path = BASELINE
            baselines = []
            rows = []
            for page_name, page_role, page_path in pages:
                # The baseline right before each page: this machine's speed drifts over a run
                # (shared cores), and a page is compared with the machine as it was then.
                baselines.append(measure(name, sessions[role], base + path, args, script, cache))
                row = measure(page_name, sessions[page_role], base + page_path.format(**found), args, script, cache)
                row["baseline_p50_ms"] = baselines[-1]["p50_ms"]
                rows.append(row)
            baselines.append(measure(name, sessions[role], base + path, args, script, cache))
            first = baselines[0]
            # Every page's pieces at once, as a server that has served them all holds them.
            for _name, role, path in pages:
                probe(sessions[role], base + path.format(**found))
            cache_held = cache_stats(cache)
        finally:
            script.unlink()
    finally:
        server.stop()

    baseline = {
        "page": "baseline",
        "url": first["url"],
        "queries": first["queries"],
        "rps": round(statistics.mean(b["rps"] for b in baselines), 1),
        "p50_ms": round(statistics.median(b["p50_ms"] for b in baselines), 2),
        "p99_ms": round(statistics.median(b["p99_ms"] for b in baselines), 2),
        "errors": sum(b["errors"] for b in baselines),
        "runs": baselines,
    }
    for row in rows:
        row["p50_ratio"] = round(row["p50_ms"] / row["baseline_p50_ms"], 2)
    result = {
        "people": args.people,
        "weeks": args.weeks,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_head(),
        "command": "bench/http.py " + " ".join(sys.argv[1:]),
        "duration_s": args.duration,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "machine": machine(),
        "data": counts,
        "impact_summaries_s": summary_seconds,
        "cache_url": args.cache,
        "cache_held": {"keys": cache_held["keys"], "used_memory_mb": cache_held["used_memory_mb"]},
        "baseline": baseline,
        "pages": rows,
        "costs": {},
    }
    if not args.no_costs:
        log("finance CSV export")
        result["costs"]["export"] = export_cost(env, args)
        log("12-megapixel receipt")
        result["costs"]["receipt"] = receipt_cost(env)
    out = args.out or RESULTS / f"http-{args.people}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    errors = baseline["errors"] + sum(row["errors"] for row in rows)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
