"""The BRANCH estimate cache kept in kanon's database (``storage.repository.cache_get/cache_put``).

``reasoners`` does no storage I/O: it takes any ``EstimateStore``. This
adapter is that store over the ``estimate_cache`` table, whose rows hold a
sha256 key, the model id, the prompt id@version and the parsed samples
(numbers only, never a question or an answer's text). ``store_for`` gives
it when the configured database exists and has been migrated, and None
otherwise (the reasoner then caches in memory only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from records.errors import StorageError

log = logging.getLogger(__name__)

__all__ = ["RepositoryStore", "store_for"]


class RepositoryStore:
    """An ``EstimateStore`` over kanon's database; database failures become ``StorageError``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> dict[str, Any] | None:
        from storage.repository import cache_get

        try:
            return cache_get(self.engine, key)
        except SQLAlchemyError as e:
            raise StorageError(f"estimate cache read failed ({type(e).__name__})") from None

    def put(self, key: str, value: dict[str, Any], *, model: str, prompt: str) -> None:
        from storage.repository import cache_put

        try:
            cache_put(self.engine, key, model=model, prompt_version=prompt, value=value)
        except SQLAlchemyError as e:
            raise StorageError(f"estimate cache write failed ({type(e).__name__})") from None


def store_for(database_url: str) -> RepositoryStore | None:
    """The database store when ``database_url`` names a migrated database, else None.

    A SQLite file that does not exist yet is not created here: an assessment
    that never stored anything leaves no database behind.
    """
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from storage.engine import create_engine

    url = database_url
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL: no persistent cache
        log.info("estimate cache: database URL not usable; memory only")
        return None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if not db or db == ":memory:" or not Path(db).is_file():
            return None
    try:
        engine = create_engine(url)
        if not inspect(engine).has_table("estimate_cache"):
            log.info("estimate cache: database not migrated (kanon db upgrade); memory only")
            return None
    except (SQLAlchemyError, StorageError) as e:
        log.info("estimate cache: database unavailable (%s); memory only", type(e).__name__)
        return None
    return RepositoryStore(engine)
