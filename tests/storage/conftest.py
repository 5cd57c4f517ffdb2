"""Storage tests run against SQLite and PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("kanon_test_databases", Path(__file__).with_name("databases.py"))
databases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(databases)


@pytest.fixture(scope="session")
def _pg_database():
    why = databases.pg_available()
    if why is not None:
        yield why
        return
    with databases.pg_database() as url:
        yield url


@pytest.fixture(params=databases.BACKENDS)
def database_url(request, tmp_path, _pg_database) -> str:
    """A migrated, empty store: SQLite in a temporary folder, or a fresh PostgreSQL schema."""
    from storage.migrate import upgrade

    if request.param == "sqlite":
        url = databases.sqlite_url(tmp_path)
    else:
        if not _pg_database.startswith("postgresql"):
            pytest.skip(_pg_database)
        url = databases.pg_schema_url(_pg_database)
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url):
    from storage.engine import create_engine

    eng = create_engine(database_url)
    yield eng
    eng.dispose()
