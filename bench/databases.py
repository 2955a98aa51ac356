"""The fresh database each benchmark's worker measures in: SQLite in var/bench/, or a
database of the benchmark's own on the PostgreSQL server `DATABASE_URL` names (that
database itself is never touched)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pg_url(name: str) -> str:
    """The server of `DATABASE_URL`, with the database `name`."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(os.environ["DATABASE_URL"])
    user = parts.get("user", "postgres")
    password = f":{parts['password']}" if parts.get("password") else ""
    host, port = parts.get("host", "127.0.0.1"), parts.get("port", "5432")
    return f"postgresql://{user}{password}@{host}:{port}/{name}"


def worker_env(db: str, name: str) -> dict[str, str]:
    """The environment of a worker measuring on `db` ("sqlite" or "postgresql")."""
    env = dict(os.environ, HABEAS_ENV="test", DJANGO_SETTINGS_MODULE="habeas.settings")
    if db == "postgresql":
        env["DATABASE_URL"] = pg_url(name)
    else:
        env.pop("DATABASE_URL", None)
        env["HABEAS_SQLITE_PATH"] = str(ROOT / "var" / "bench" / f"{name}.sqlite3")
    return env


def fresh_database(db: str, name: str) -> None:
    """Empty the worker's database: remove the SQLite files, or drop and create `name`."""
    if db == "sqlite":
        path = Path(os.environ["HABEAS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        return
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(
        make_conninfo(os.environ["DATABASE_URL"], dbname="postgres"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
