from __future__ import annotations

import uuid

import pytest

from flow_support import STUB
from flows.assess import assess_batch
from flows.runners import make_task_runner
from records.errors import InputError
from records.types import Post
from storage import repository as repo


@pytest.mark.slow
def test_batch_runs_under_dask_on_a_local_cluster(prefect_server, database_url, engine):
    repo.add_posts(engine, [Post(id=f"d{i}", text=f"dask post {i}") for i in range(12)])
    counts = assess_batch(database_url, batch_size=12, chunk_size=4, pipeline=STUB,
                          options={"nonce": uuid.uuid4().hex}, task_runner="dask", max_workers=2)
    assert counts["done"] == 12
    assert repo.status_counts(engine) == {"done": 12}


def test_unknown_runner_is_refused():
    with pytest.raises(InputError):
        make_task_runner("ray")
