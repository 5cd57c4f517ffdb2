"""What every flow shares: task options and an error guard that keep text out of Prefect, engines, loggers."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from prefect import get_run_logger
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from records.errors import InputError, KanonError, StorageError
from storage.engine import create_engine

_log = logging.getLogger(__name__)

# On every task: no result written to Prefect's result storage, no cache key
# computed from (or stored for) its inputs, no captured prints.
PRIVATE: dict[str, Any] = dict(persist_result=False, cache_policy=NO_CACHE, log_prints=False)


F = TypeVar("F", bound=Callable[..., Any])


def text_free_error(e: BaseException) -> KanonError:
    """The exception a task or flow may raise in place of ``e``: its class, never its message.

    A database error's message holds its SQL and bound parameters (a post's
    text, an assessment's body); any other library's may quote its input.
    kanon's own errors are written text-free and pass as they are.
    """
    if isinstance(e, KanonError):
        return e
    if isinstance(e, SQLAlchemyError):
        orig = getattr(e, "orig", None)
        return StorageError(f"database error ({type(orig if orig is not None else e).__name__})")
    return KanonError(f"{type(e).__name__} (its message is withheld: it may quote the text)")


def text_free(fn: F) -> F:
    """Every exception that leaves ``fn`` is text-free before Prefect, a log or a terminal sees it.

    Put it under ``@task``/``@flow``: Prefect stores a failed run's message in
    its database and logs the traceback. The replacement is raised outside
    the ``except`` block, so the original is not even chained to it.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KanonError:
            raise
        except Exception as e:  # noqa: BLE001 - replaced, not swallowed
            err = text_free_error(e)
        raise err

    return wrapper  # type: ignore[return-value]


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a run, the module's logger outside. Ids and counts only."""
    try:
        return get_run_logger()
    except MissingContextError:
        return _log


def check_database_url(database_url: str) -> None:
    """Flow parameters are stored by Prefect: a URL with a password in it is refused.

    PostgreSQL takes the password from ``PGPASSWORD`` or ``~/.pgpass`` instead.
    """
    if make_url(database_url).password:
        raise InputError(
            "the database URL holds a password, which would be stored with the flow run; "
            "set PGPASSWORD (or ~/.pgpass) and leave it out of the URL"
        )


@functools.lru_cache(maxsize=4)
def engine_for(database_url: str) -> Engine:
    """One engine (connection pool) per URL and process."""
    return create_engine(database_url)
