"""Deployments of kanon's flows, served from one process (``kanon serve``) or by a work pool.

``build_deployments`` returns ``assess_batch`` on a schedule (a cron string,
or an interval in seconds; cron wins when both are given) and
``assess_text`` and ``ingest`` without one, for triggers: a REST call
``POST /api/deployments/{id}/create_flow_run`` with
``{"parameters": {"post_id": "..."}}`` once the text is in kanon's store.
``serve_deployments`` serves them all with ``prefect.serve``.

Every argument is a flow-run default that Prefect stores: component names,
sizes, a database URL without a password (``flows.common.check_database_url``),
never text or secrets. The shell reads its settings and passes them here.
For work pools, ``prefect.yaml`` declares the same deployments.
"""

from __future__ import annotations

from typing import Any

from prefect.runner import Runner
from prefect.deployments.runner import EntrypointType, RunnerDeployment

from flows.assess import assess_batch, assess_text
from flows.common import check_database_url
from flows.ingest import ingest
from flows.pipeline_factory import DEFAULT_FACTORY, check_options
from flows.runners import RUNNERS
from flows.settings import BATCH_SIZE, CHUNK_SIZE
from records.errors import InputError

BATCH = "kanon-batch"
TEXT = "kanon-text"
INGEST = "kanon-ingest"


def build_deployments(
    database_url: str,
    *,
    pipeline: str = DEFAULT_FACTORY,
    options: dict[str, Any] | None = None,
    cron: str | None = None,
    interval_s: int | None = 3600,
    batch_size: int = BATCH_SIZE,
    chunk_size: int = CHUNK_SIZE,
    task_runner: str = "threads",
    max_workers: int = 4,
    tags: list[str] | None = None,
) -> list[RunnerDeployment]:
    """The three deployments, with their defaults; the batch one on its schedule."""
    check_database_url(database_url)
    if task_runner not in RUNNERS:
        raise InputError(f"unknown task runner {task_runner!r}; known: {', '.join(RUNNERS)}")
    opts = check_options(options)
    tags = ["kanon", *(tags or [])]
    schedule: dict[str, Any] = {}
    if cron:
        schedule["cron"] = cron
    elif interval_s:
        schedule["interval"] = interval_s
    common = {"database_url": database_url, "pipeline": pipeline, "options": opts}
    # "flows.assess:assess_batch", not a file path relative to wherever `kanon serve` ran:
    # the installed package is found from any directory
    where = {"entrypoint_type": EntrypointType.MODULE_PATH}
    return [
        assess_batch.to_deployment(
            name=BATCH,
            parameters={**common, "batch_size": batch_size, "chunk_size": chunk_size,
                        "task_runner": task_runner, "max_workers": max_workers},
            description="Assess pending posts of kanon's store.",
            tags=tags,
            **schedule,
            **where,
        ),
        assess_text.to_deployment(
            name=TEXT, parameters=common, tags=tags,
            description="Assess one stored post; trigger with parameters {'post_id': ...}.", **where,
        ),
        ingest.to_deployment(
            name=INGEST, parameters={"database_url": database_url}, tags=tags,
            description="Read a JSONL or CSV file into kanon's store; trigger with {'path': ...}.", **where,
        ),
    ]


def serve_deployments(database_url: str, *, limit: int | None = None, grace_s: float = 10.0, **kwargs: Any) -> None:
    """Serve the deployments until interrupted (``kanon serve``); keyword arguments as above.

    On SIGTERM Prefect's runner shuts down gracefully, which means telling the
    Prefect server; with the server gone it would wait for it without end.
    After ``grace_s`` the process stops what it started and exits (143).
    """
    import asyncio

    from prefect.exceptions import TerminationSignal

    import signal

    runner = _Runner(limit=limit, grace_s=grace_s)
    signal.signal(signal.SIGTERM, runner.handle_sigterm)  # while registering, too (start sets it again)
    for d in build_deployments(database_url, **kwargs):
        runner.add_deployment(d)
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        pass


class _Runner(Runner):
    """Prefect's runner, with a deadline on its graceful shutdown."""

    def __init__(self, *, grace_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._grace_s = grace_s

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        import threading

        threading.Thread(target=_exit_after, args=(self._grace_s,), name="kanon-serve-deadline", daemon=True).start()
        # as Prefect's handler, less its un-awaited ``stop()`` (a RuntimeWarning on the
        # terminal): leaving ``start`` runs the runner's own shutdown
        self._logger.info("SIGTERM received, shutting down")
        raise SystemExit(0)


def _exit_after(grace_s: float) -> None:
    import os
    import signal
    import time

    import psutil

    time.sleep(grace_s)
    for child in psutil.Process().children(recursive=True):  # a temporary Prefect server, say
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    os._exit(128 + signal.SIGTERM)
