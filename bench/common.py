"""What the benchmark scripts share: the local PostgreSQL's admin connection and databases,
and what the machine is (for the results files)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

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
