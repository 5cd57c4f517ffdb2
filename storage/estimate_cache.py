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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from records.errors import StorageError
from storage.engine import reader
from storage.models import EstimateCacheRow, utcnow
from storage.repository import jsonable

log = logging.getLogger(__name__)

__all__ = ["RepositoryStore", "cache_get", "cache_put", "store_for"]


def cache_get(engine: Engine, key: str) -> dict[str, Any] | None:
    with Session(reader(engine)) as s:
        row = s.get(EstimateCacheRow, key)
        return None if row is None else dict(row.value)


def cache_put(engine: Engine, key: str, *, model: str, prompt_version: str, value: dict[str, Any]) -> bool:
    """Store a cached estimate; False (and nothing changes) when the key is already there."""
    if len(key) != 64:
        raise StorageError(f"cache keys are sha256 hex digests (64 characters), got {len(key)}")
    try:
        with Session(engine) as s, s.begin():
            if s.get(EstimateCacheRow, key) is not None:
                return False
            s.add(EstimateCacheRow(key=key, model=model, prompt_version=prompt_version,
                                   value=jsonable(value), created_at=utcnow()))
    except IntegrityError:
        return False
    return True



class RepositoryStore:
    """An ``EstimateStore`` over kanon's database; database failures become ``StorageError``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return cache_get(self.engine, key)
        except SQLAlchemyError as e:
            raise StorageError(f"estimate cache read failed ({type(e).__name__})") from None

    def put(self, key: str, value: dict[str, Any], *, model: str, prompt: str) -> None:
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
