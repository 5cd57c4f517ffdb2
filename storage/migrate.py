"""Schema migrations (Alembic), run only when called: ``kanon db upgrade`` calls ``upgrade``.

The Alembic environment lives in ``storage/migrations``; its configuration is
built here rather than read from an ``alembic.ini``, so that it works from
any working directory and from an installed package. ``alembic`` on the
command line works too, through ``storage/alembic.ini``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.engine import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> str | None:
    """Bring the database at ``database_url`` to ``revision``; returns the revision reached."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return current(database_url, engine=engine)
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def current(database_url: str, *, engine=None) -> str | None:
    """The revision the database is at (None before the first upgrade)."""
    own = engine is None
    engine = engine or create_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if own:
            engine.dispose()


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
