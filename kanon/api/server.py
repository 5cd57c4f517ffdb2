"""Runs the API with uvicorn: its own access log (text-free), uvicorn's switched off."""

from __future__ import annotations

import logging
import sys
from typing import Any

from flows.settings import Settings


def _logging() -> None:
    logger = logging.getLogger("kanon")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def run(settings: Settings, host: str | None = None, port: int | None = None, pipeline: Any = None) -> None:
    """Serve the API and the web page on ``host:port`` (default: the api_* settings)."""
    import uvicorn

    from kanon.api.app import create_app

    _logging()
    app = create_app(settings, pipeline)
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=port or settings.api_port,
        access_log=False,  # uvicorn's access log holds the query string; kanon.api.access does not
        server_header=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
