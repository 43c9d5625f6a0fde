"""Where a key page's time goes: one process, one request at a time, no load.

    .venv/bin/python bench/pages.py [--people 5000] [--repeat 40] [--only PAGE ...] [--profile PAGE]

Uses the database bench/http.py seeded (``learningday_bench_http_<people>``; run that
first) with ``DJANGO_SETTINGS_MODULE=bench.settings`` and ``DEBUG=false``, and requests
the same pages as the same people through Django's test client. Per page it prints the
median of ``--repeat`` requests: wall time, the time spent in SQL (the database's answer
as the driver waits for it) and the rest (Python: the view, the ORM building queries,
templates, middleware), and the SQL count. With ``--profile PAGE`` it also prints that
page's cProfile, heaviest functions first.

This is for finding causes; the figures in docs/PERFORMANCE.md come from bench/http.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import time

from bench.http import BASELINE, LOGINS, PAGES, PG_ADMIN_URL, ROOT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="only these pages (by name)")
    parser.add_argument("--profile", help="print this page's cProfile")
    parser.add_argument("--lines", type=int, default=35, help="lines of the profile")
    args = parser.parse_args()

    os.environ.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "bench.settings"),
        DATABASE_URL=f"{PG_ADMIN_URL}/learningday_bench_http_{args.people}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        VAR_DIR=str(ROOT / "var" / "bench"),  # where bench/http.py collected the static files
        MEDIA_ROOT=str(ROOT / "var" / "bench" / f"media-{args.people}"),
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from learningday.models import User

    clients = {}
    for role, email in LOGINS.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(email=email))

    def find(path: str, pattern: str) -> str:
        return re.search(pattern, clients["member"].get(path).content.decode()).group(1)

    found = {
        "entry": find("/logs/", r'href="/logs/(\d+)/"'),
        "item": find("/reading/", r'href="/reading/(\d+)/"'),
        "claim": find("/claims/", r'href="/claims/(\d+)/"'),
    }
    sql = {"n": 0, "seconds": 0.0}

    def timed(execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - start
            sql["n"] += 1

    print(f"{'page':<14} {'ms':>7} {'SQL ms':>7} {'other':>7} {'SQL':>4}   ({args.repeat} requests each, medians)")
    pages = [BASELINE] + [p for p in PAGES if not args.only or p[0] in args.only]
    for name, role, path in pages:
        client, url = clients[role], path.format(**found)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        walls, sqls, counts = [], [], []
        with connection.execute_wrapper(timed):
            for _ in range(args.repeat):
                sql.update(n=0, seconds=0.0)
                start = time.perf_counter()
                client.get(url)
                walls.append(time.perf_counter() - start)
                sqls.append(sql["seconds"])
                counts.append(sql["n"])
        wall, in_sql = statistics.median(walls) * 1000, statistics.median(sqls) * 1000
        print(f"{name:<14} {wall:7.1f} {in_sql:7.1f} {wall - in_sql:7.1f} {max(counts):4d}")
        if name == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                client.get(url)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.lines)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
