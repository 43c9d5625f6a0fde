"""What the benchmark scripts share: the local PostgreSQL's admin connection and databases,
and what the machine is (for the results files)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The local PostgreSQL as its administrator (trust authentication, as on this machine and in CI).
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def pg(dbname: str = "postgres"):
    """An autocommit connection to ``dbname`` as the administrator."""
    import psycopg

    return psycopg.connect(f"{PG_ADMIN_URL}/{dbname}", autocommit=True)


def database_exists(name: str) -> bool:
    with pg() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    from psycopg import sql

    with pg() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def recreate_database(name: str) -> None:
    from psycopg import sql

    drop_database(name)
    with pg() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_version() -> str:
    with pg() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def status_kb(field: str, pid: int | str = "self") -> int:
    """A memory figure of a process from /proc (VmRSS, VmHWM, ...), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def machine() -> dict[str, object]:
    """What the results were measured on."""
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "postgresql": pg_version(),
        "platform": platform.platform(),
    }


def start_celery_worker(
    env: dict[str, str], *, concurrency: int, log_path: Path, name: str, pool: str | None = None
) -> subprocess.Popen:
    """A Celery worker of the project in its own process, its output in ``log_path``."""
    command = [str(Path(sys.executable).parent / "celery"), "-A", "learningday", "worker"]
    command += ["--pool", pool] if pool else []
    command += ["--concurrency", str(concurrency), "--loglevel", "WARNING", "--hostname", f"{name}-{os.getpid()}@%h"]
    # No other workers to meet: skip the second or so of start-up these cost.
    command += ["--without-mingle", "--without-gossip"]
    log = log_path.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def show_rows(rows: list[tuple[str, object]], errors: list[str]) -> None:
    """A report's figures, one a line, names aligned."""
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if errors:
        print("errors:", *errors, sep="\n  ")


def save_run(path: Path, key: str, report: dict) -> None:
    """Merge one run into a results file ({"runs": {key: report}}), replacing a run of the same key."""
    existing = {}
    if path.is_file():
        try:
            existing = json.loads(path.read_text())
        except ValueError:
            existing = {}
    runs = existing.get("runs", {})
    runs[key] = report
    path.write_text(json.dumps({"runs": runs}, indent=2, sort_keys=True) + "\n")
