"""Task runners by name: a thread pool on one machine, Dask when one machine is not enough.

``threads`` (the default) runs mapped tasks in a ``ThreadPoolTaskRunner``;
``dask`` in a ``prefect_dask.DaskTaskRunner``: on a temporary local cluster
when no address is given, or on an existing scheduler
(``dask_address="tcp://scheduler:8786"``). Mapped tasks only carry post ids,
a database URL and the pipeline reference, so they travel to Dask workers
cheaply; each worker builds its own pipeline once.
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from records.errors import InputError

RUNNERS = ("threads", "dask")


def make_task_runner(kind: str = "threads", max_workers: int = 4, dask_address: str | None = None) -> TaskRunner[Any]:
    if max_workers < 1:
        raise InputError(f"max_workers must be at least 1, got {max_workers}")
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=max_workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # Worker threads in one local process: the pipeline is built once per
        # worker process, and models are not copied per thread.
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": 1, "threads_per_worker": max_workers, "processes": False,
                            "dashboard_address": None}
        )
    raise InputError(f"unknown task runner {kind!r}; known: {', '.join(RUNNERS)}")
