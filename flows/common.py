"""What every flow shares: task options that keep text out of Prefect, engines, loggers."""

from __future__ import annotations

import functools
import logging
from typing import Any

from prefect import get_run_logger
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from records.errors import InputError
from storage.engine import create_engine

_log = logging.getLogger(__name__)

# On every task: no result written to Prefect's result storage, no cache key
# computed from (or stored for) its inputs, no captured prints.
PRIVATE: dict[str, Any] = dict(persist_result=False, cache_policy=NO_CACHE, log_prints=False)


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
