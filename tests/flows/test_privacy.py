"""No text in Prefect: a marker planted in every post must not reach Prefect's database or logs."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from prefect import flow

from flow_support import REAL, REAL_OPTIONS, STUB
from flows.assess import assess_batch, assess_text
from records.types import Post
from storage import repository as repo


@flow(name="control", persist_result=False)
def control(value: str) -> int:
    return len(value)


def prefect_files(prefect_server) -> list[Path]:
    db = prefect_server["database_url"].split(":///", 1)[1]
    files = [Path(db), Path(db + "-wal"), Path(db + "-journal")]
    home = Path(prefect_server["home"])
    files += [p for p in home.rglob("*") if p.is_file()]
    return [p for p in files if p.exists()]


def found(marker: str, files: list[Path]) -> list[str]:
    needle = marker.encode()
    return [str(p) for p in files if needle in p.read_bytes()]


@pytest.mark.slow
def test_post_text_never_reaches_prefect(prefect_server, database_url, engine, caplog):
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    marker = f"MARKER{uuid.uuid4().hex}"
    posts = [Post(id=f"m{i:02d}", text=f"I'm a {30 + i} year old nurse {marker} from Leeds") for i in range(20)]
    repo.add_posts(engine, posts)
    repo.add_posts(engine, [Post(id="m99", text=f"{marker} " * 3000)])  # too long: fails with a reason
    with caplog.at_level(logging.DEBUG):
        counts = assess_batch(database_url, batch_size=30, chunk_size=6, pipeline=REAL, options=REAL_OPTIONS)
        assess_text(database_url, "m00", pipeline=REAL, options=REAL_OPTIONS)
        # and the orchestration's own failure paths (a rejected post, retried backend errors)
        repo.add_posts(engine, [Post(id="s1", text=f"stub {marker}"), Post(id="s2", text=f"stub 2 {marker}")])
        assess_batch(database_url, batch_size=5, pipeline=STUB, retry_delay_s=0.01,
                     options={"nonce": marker[-8:], "reject": "s1", "transient": 1})
    assert counts["done"] == 20 and counts["failed"] == 1
    assert repo.status_counts(engine) == {"done": 21, "failed": 2}
    # A control value passed as a parameter is found: the search looks in the right place.
    control_marker = f"CONTROL{uuid.uuid4().hex}"
    control(control_marker)
    APILogWorker.drain_all(timeout=10)

    assert marker not in caplog.text
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        params = " ".join(str(r.parameters) for r in runs)
        assert control_marker in params
        assert marker not in params
        # post ids stay out of flow-run parameters (assess_text names its one post, m00)
        assert [i for i in range(1, 20) if f"'m{i:02d}'" in params] == []
        logs = client.read_logs()
        assert logs, "the runs logged nothing to the server"
        assert all(marker not in log.message for log in logs)
        task_runs = client.read_task_runs()
        assert all(marker not in str(t.task_inputs) for t in task_runs)
    files = prefect_files(prefect_server)
    assert found(control_marker, files), "the control marker should be in Prefect's database"
    assert found(marker, files) == []
    # ...while the text is in kanon's own store
    assert repo.load_posts(engine, ["m00"])[0].text.count(marker) == 1


@pytest.mark.slow
def test_forget_also_deletes_the_flow_runs_that_name_the_posts(prefect_server, database_url, engine):
    from prefect.client.orchestration import get_client

    from flows.jobs import forget

    author = f"u{uuid.uuid4().hex[:8]}"
    ids = [f"f{uuid.uuid4().hex[:12]}" for _ in range(2)]
    keep = f"k{uuid.uuid4().hex[:12]}"
    repo.add_posts(engine, [Post(id=i, text=f"I'm a {30 + n} year old nurse in Leeds", author=author)
                            for n, i in enumerate(ids)] + [Post(id=keep, text="I'm a pilot", author="other")])
    for i in [*ids, keep]:
        assess_text(database_url, i, pipeline=REAL, options=REAL_OPTIONS)

    def named() -> str:
        from prefect.client.schemas.filters import FlowFilter, FlowFilterName
        from prefect.client.schemas.sorting import FlowRunSort

        only = FlowFilter(name=FlowFilterName(any_=["assess-text"]))
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_filter=only, sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=50)
        return " ".join(str(r.parameters) for r in runs)

    assert all(i in named() for i in [*ids, keep])  # Prefect keeps what it was given
    assert forget(database_url, author=author) == (2, 2)
    params = named()
    assert not [i for i in ids if i in params] and keep in params  # the other author's run stays
    assert repo.post_ids_of(engine, author) == []
