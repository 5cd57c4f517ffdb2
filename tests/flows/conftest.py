"""Flow tests: one Prefect test server for the session, stores on SQLite and PostgreSQL."""

from __future__ import annotations

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


@pytest.fixture
def engine(database_url):
    from flows.common import engine_for

    return engine_for(database_url)
