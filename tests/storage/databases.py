"""Fresh databases for tests: a SQLite file, or a schema of its own in a PostgreSQL database.

Used by the conftests of ``tests/storage`` and ``tests/flows`` (loaded by path).
PostgreSQL answers on 127.0.0.1:5432 (trust auth, user postgres); each test
run creates a database ``kanon_test_<random>`` and drops it at the end, and
each test gets a fresh schema in it. When no server answers, the PostgreSQL
cases skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

PG_ADMIN_URL = os.environ.get(
    "KANON_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def pg_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        eng = sqlalchemy.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.exec_driver_sql("SELECT 1")
        eng.dispose()
        return None
    except Exception as e:  # any failure to connect means: no server for these tests
        return f"no PostgreSQL server answers at {PG_ADMIN_URL.split('@')[-1]} ({type(e).__name__})"


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh database for this test run, dropped afterwards; yields its URL."""
    name = f"kanon_test_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sqlalchemy.engine.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def pg_schema_url(db_url: str) -> str:
    """A new schema in the run's database; the URL puts it first on the search path."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    eng = sqlalchemy.create_engine(db_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    eng.dispose()
    return f"{db_url}?options=-csearch_path%3D{schema}"


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'kanon.db'}"
