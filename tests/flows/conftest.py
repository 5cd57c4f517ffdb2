"""Flow tests: one Prefect test server for the session, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before Prefect is imported anywhere in this session: no network, a home of our own.
_HOME = tempfile.mkdtemp(prefix="kanon-prefect-home-")
os.environ["PREFECT_HOME"] = _HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # stub_pipeline:make is imported by reference, flow_support by name
    sys.path.insert(0, str(HERE))

_spec = importlib.util.spec_from_file_location(
    "kanon_test_databases", HERE.parent / "storage" / "databases.py"
)
databases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(databases)



@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect server on a temporary SQLite database, for the whole session."""
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield {
            "api_url": PREFECT_API_URL.value(),
            "database_url": PREFECT_API_DATABASE_CONNECTION_URL.value(),
            "home": _HOME,
        }


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
    from flows.common import engine_for

    return engine_for(database_url)
