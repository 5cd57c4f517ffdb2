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

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

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
    return [
        assess_batch.to_deployment(
            name=BATCH,
            parameters={**common, "batch_size": batch_size, "chunk_size": chunk_size,
                        "task_runner": task_runner, "max_workers": max_workers},
            description="Assess pending posts of kanon's store.",
            tags=tags,
            **schedule,
        ),
        assess_text.to_deployment(
            name=TEXT, parameters=common, tags=tags,
            description="Assess one stored post; trigger with parameters {'post_id': ...}.",
        ),
        ingest.to_deployment(
            name=INGEST, parameters={"database_url": database_url}, tags=tags,
            description="Read a JSONL or CSV file into kanon's store; trigger with {'path': ...}.",
        ),
    ]


def serve_deployments(database_url: str, *, limit: int | None = None, **kwargs: Any) -> None:
    """Serve the deployments until interrupted (``kanon serve``); keyword arguments as above."""
    serve(*build_deployments(database_url, **kwargs), limit=limit, print_starting_message=False)
