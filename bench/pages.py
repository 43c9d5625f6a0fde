"""Where a key page's time goes: one process, one request at a time, no load.

    .venv/bin/python bench/pages.py [--people 5000] [--repeat 40] [--only PAGE ...] [--profile PAGE]

Uses the database bench/http.py seeded (``learningday_bench_http_<people>``; run that
first) with ``DJANGO_SETTINGS_MODULE=bench.settings`` and ``DEBUG=false``, and requests
the same pages as the same people through Django's test client. Per page it prints the
median of ``--repeat`` requests: wall time; the time spent in SQL (waiting for the
database's answer); in rendering templates (without the SQL a template runs); the rest
(Python: middleware, the view, the ORM building queries and model objects); and the SQL
count. With ``--profile PAGE`` it also prints that page's cProfile, heaviest functions
first. ``BENCH_SETTINGS=module`` runs it with other settings (which import
``bench.settings`` and change one thing), to try a setting before changing the code.

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
import statistics
import time

from bench.http import BASELINE, LOGINS, PAGES, server_env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="only these pages (by name)")
    parser.add_argument("--profile", help="print this page's cProfile")
    parser.add_argument("--lines", type=int, default=35, help="lines of the profile")
    args = parser.parse_args()

    # bench/http.py's server environment (its database, static files and receipts), for
    # the test client's host instead of a port.
    env = server_env(argparse.Namespace(people=args.people, port=0), f"learningday_bench_http_{args.people}")
    env.update(ALLOWED_HOSTS="testserver", DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "bench.settings"))
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.template.backends.django import Template as DjangoTemplate
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
    spent = {"sql": 0.0, "sql_in_templates": 0.0, "templates": 0.0, "n": 0, "depth": 0}

    def timed(execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            took = time.perf_counter() - start
            spent["sql"] += took
            spent["n"] += 1
            if spent["depth"]:
                spent["sql_in_templates"] += took

    render = DjangoTemplate.render

    def timed_render(self, *args, **kwargs):
        """The time in template rendering, outermost render only (forms render templates inside)."""
        spent["depth"] += 1
        start = time.perf_counter()
        try:
            return render(self, *args, **kwargs)
        finally:
            spent["depth"] -= 1
            if not spent["depth"]:
                spent["templates"] += time.perf_counter() - start

    DjangoTemplate.render = timed_render
    print(
        f"{'page':<14} {'ms':>6} {'SQL':>6} {'render':>6} {'other':>6} {'SQL':>4}"
        f"   (medians of {args.repeat} requests; render: templates without their SQL)"
    )
    pages = [BASELINE] + [p for p in PAGES if not args.only or p[0] in args.only]
    for name, role, path in pages:
        client, url = clients[role], path.format(**found)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        rows = []
        with connection.execute_wrapper(timed):
            for _ in range(args.repeat):
                spent.update(sql=0.0, sql_in_templates=0.0, templates=0.0, n=0)
                start = time.perf_counter()
                client.get(url)
                wall = time.perf_counter() - start
                rendering = spent["templates"] - spent["sql_in_templates"]
                rows.append((wall, spent["sql"], rendering, wall - spent["sql"] - rendering, spent["n"]))
        columns = list(zip(*rows, strict=True))
        wall, in_sql, rendering, other = (statistics.median(column) * 1000 for column in columns[:4])
        count = max(columns[4])
        print(f"{name:<14} {wall:6.1f} {in_sql:6.1f} {rendering:6.1f} {other:6.1f} {count:4d}")
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
