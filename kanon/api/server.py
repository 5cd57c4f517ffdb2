"""Runs the API with uvicorn: its own access log (text-free), uvicorn's switched off."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

from flows.settings import Settings
from kanon.api.security import api_key_of
from records.errors import SettingsError

LOOPBACK = ("127.0.0.1", "::1", "localhost")
log = logging.getLogger("kanon.api")


def check_access(settings: Settings, host: str) -> None:
    """Refuse to serve without a key, unless told so explicitly and only on loopback."""
    if api_key_of(settings) is not None:
        return
    if not settings.api_no_auth:
        raise SettingsError(
            "KANON_API_KEY is not set: the API would serve everyone's results to anyone. "
            "Set it, or run `kanon api --no-auth` to serve this machine only (127.0.0.1) without a key"
        )
    if host not in LOOPBACK:
        raise SettingsError(f"--no-auth serves only a loopback address (127.0.0.1, ::1), not {host}")


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
    host = host or settings.api_host
    check_access(settings, host)
    if api_key_of(settings) is None:
        log.warning("serving WITHOUT an API key (--no-auth), on %s only", host)
    app = create_app(settings, pipeline)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the
    # handler it found: this one, so that the process ends through ``finally`` (and
    # stops what it started) rather than by the default action, at once.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port or settings.api_port,
            access_log=False,  # uvicorn's access log holds the query string; kanon.api.access does not
            server_header=False,
            log_level="info",
            timeout_graceful_shutdown=5,
        )
    finally:
        end_children()


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def end_children(grace_s: float = 5.0) -> int:
    """Stop every process this one started (a temporary Prefect server for history runs);
    how many. A process kanon starts ends with it, whatever ended kanon (SIGTERM included)."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for c in children:
        try:
            c.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=grace_s)
    for c in alive:
        try:
            c.kill()
        except psutil.NoSuchProcess:
            pass
    if children:
        log.info("stopped %d process(es) this server had started", len(children))
    return len(children)
