"""Fixtures shared by the storage and flow tests: a migrated store on SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# tests/storage/databases.py, loaded once under a name of its own (test folders are not packages).
_spec = importlib.util.spec_from_file_location("kanon_test_databases", Path(__file__).parent / "storage" / "databases.py")
databases = importlib.util.module_from_spec(_spec)
sys.modules["kanon_test_databases"] = databases
_spec.loader.exec_module(databases)


@pytest.fixture(scope="session")
def _pg_database():
    """A fresh PostgreSQL database for the session, or the reason there is none."""
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
