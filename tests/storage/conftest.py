"""Storage tests run against SQLite and PostgreSQL (a fresh schema per test; tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(database_url):
    from storage.engine import create_engine

    eng = create_engine(database_url)
    yield eng
    eng.dispose()
