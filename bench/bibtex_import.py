"""Benchmark: a manager's import of a 1,000-entry reference manager export, preview and confirm.

    .venv/bin/python bench/bibtex_import.py [--entries 1000] [--repeat 3] [--only sqlite|postgresql]

For each database (a fresh SQLite file, and PostgreSQL when it answers on BENCH_PG_URL),
it migrates a database of its own, makes a team and its manager, then times, through the
real views with Django's test client and DEBUG off: the preview (the upload of the file)
and the confirm (one transaction for every item). The file is the Mendeley-shaped export
of tests/reading/mendeley.py. Each repeat starts from an empty list. Prints a table and
one line of JSON per database; the exit status is 1 if an import did not add what it should.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import secrets
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "learningday_bench_bibtex"


def measure(entries: int, repeat: int) -> dict:
    """In this process, on the database DATABASE_URL names (already migrated)."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from learningday.models import Membership, Team, User
    from reading.models import Item
    from tests.reading.mendeley import mendeley_export

    text, expected = mendeley_export(entries)
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    manager, _ = User.objects.get_or_create(email="manager@bench.example", defaults={"display_name": "Manager"})
    Membership.objects.get_or_create(user=manager, team=team, defaults={"role": Membership.Role.MANAGER})
    client = Client()
    client.force_login(manager)
    runs = []
    for _ in range(repeat):
        Item.objects.filter(team=team).delete()
        upload = SimpleUploadedFile("library.bib", text.encode(), content_type="application/x-bibtex")
        started = time.perf_counter()
        # secure: with DEBUG off, plain http is redirected to https as in production.
        preview = client.post("/reading/import/", {"file": upload, "team": str(team.pk)}, secure=True)
        previewed = time.perf_counter()
        confirm = client.post("/reading/import/", {"confirm": "1"}, secure=True)
        confirmed = time.perf_counter()
        added = Item.objects.filter(team=team).count()
        runs.append(
            {
                "preview_s": round(previewed - started, 2),
                "confirm_s": round(confirmed - previewed, 2),
                "total_s": round(confirmed - started, 2),
                "ok": preview.status_code == 200 and confirm.status_code == 302 and added == expected.addable,
                "added": added,
                "status": [preview.status_code, confirm.status_code],
            }
        )
    best = min(runs, key=lambda run: run["total_s"])
    return {
        "database": connection.vendor,
        "entries": entries,
        "file_mb": round(len(text.encode()) / 2**20, 2),
        "expected": expected.addable,
        "runs": runs,
        "best": best,
        "ok": all(run["ok"] for run in runs),
    }


def run_child(database_url: str, entries: int, repeat: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
    env["ALLOWED_HOSTS"] = "testserver"
    env["DJANGO_SETTINGS_MODULE"] = "learningday.settings"
    env.pop("REDIS_URL", None)  # nothing here queues tasks
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):  # as production runs them
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, __file__, "--child", "--entries", str(entries), "--repeat", str(repeat)]
    output = subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.entries, args.repeat)))
        return

    results = []
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            results.append(run_child(f"sqlite:///{folder}/bench.sqlite3", args.entries, args.repeat))
    if args.only in (None, "postgresql"):
        from bench.common import PG_ADMIN_URL, drop_database, recreate_database

        try:
            recreate_database(DB_NAME)
        except Exception as error:  # no PostgreSQL here: say so and measure what there is
            print(f"PostgreSQL not measured: {error}", file=sys.stderr)
        else:
            try:
                results.append(run_child(f"{PG_ADMIN_URL}/{DB_NAME}", args.entries, args.repeat))
            finally:
                drop_database(DB_NAME)

    print(f"{'database':<11} {'entries':>7} {'file MB':>7} {'preview s':>9} {'confirm s':>9} {'total s':>7} added")
    for result in results:
        best = result["best"]
        print(
            f"{result['database']:<11} {result['entries']:>7} {result['file_mb']:>7} {best['preview_s']:>9} "
            f"{best['confirm_s']:>9} {best['total_s']:>7} {best['added']}/{result['expected']}"
        )
    for result in results:
        print(json.dumps(result))
    sys.exit(0 if all(result["ok"] for result in results) else 1)


if __name__ == "__main__":
    main()
