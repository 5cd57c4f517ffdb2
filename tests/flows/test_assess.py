from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flow_support import REAL, REAL_OPTIONS, STUB
from flows.assess import assess_batch, assess_text
from records.errors import KanonError
from records.types import Post
from storage import repository as repo
from storage import runs as runs_table
from storage.models import AssessmentRow


def fifty(engine, n: int = 50) -> list[str]:
    posts = [Post(id=f"p{i:03d}", text=f"I'm {20 + i}F, a nurse in Leeds (post {i})", author=f"a{i % 5}")
             for i in range(n)]
    return repo.add_posts(engine, posts).new


def stored(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(AssessmentRow))


def opts(**kw):
    return {"nonce": uuid.uuid4().hex, **kw}


@pytest.mark.slow
def test_batch_stores_one_assessment_per_post_and_rerun_adds_none(prefect_server, database_url, engine):
    fifty(engine)
    o = REAL_OPTIONS
    counts = assess_batch(database_url, batch_size=50, chunk_size=8, pipeline=REAL, options=o)
    assert counts["claimed"] == 50 and counts["done"] == 50 and counts["failed"] == 0
    assert stored(engine) == 50
    again = assess_batch(database_url, batch_size=50, pipeline=REAL, options=o)
    assert again["claimed"] == 0
    assert stored(engine) == 50
    assert repo.status_counts(engine) == {"done": 50}
    results = list(repo.results(engine))
    assert all(r.assessment.reasoner.startswith("statistical") and r.assessment.k >= 1 for r in results)
    assert {r.pipeline_version for r in results} == {"p1/rules.v1/rules-profiler.v1/statistical"}
    (run1, run2) = runs_table.runs(engine, "assess_batch")
    assert run1["counts"]["done"] == 50 and run2["counts"]["claimed"] == 0


@pytest.mark.slow
def test_crash_halfway_then_rerun_gives_fifty_none_duplicated(prefect_server, database_url, engine):
    fifty(engine)
    # the defect leaves the flow as a text-free error: its class, never its message
    with pytest.raises(KanonError, match=r"^RuntimeError \(its message is withheld"):
        assess_batch(database_url, batch_size=50, chunk_size=5, pipeline=STUB, options=opts(crash_on="p025"))
    first = stored(engine)
    assert 0 < first < 50  # the other chunks kept their results
    assert "claimed" not in repo.status_counts(engine)  # the claim was released
    counts = assess_batch(database_url, batch_size=50, chunk_size=5, pipeline=STUB, options=opts())
    assert counts["done"] == 50 - first
    assert stored(engine) == 50
    with Session(engine) as s:
        per_post = s.execute(select(AssessmentRow.post_id, func.count()).group_by(AssessmentRow.post_id)).all()
    assert len(per_post) == 50 and {n for _, n in per_post} == {1}


def test_rejected_post_is_marked_failed_and_batch_goes_on(prefect_server, database_url, engine):
    fifty(engine, 12)
    counts = assess_batch(database_url, batch_size=50, chunk_size=4, pipeline=STUB, options=opts(reject="p005"))
    assert counts["done"] == 11 and counts["failed"] == 1
    failed = [r for r in repo.results(engine, include_failed=True) if r.status == "failed"]
    assert [(r.post_id, r.error["type"]) for r in failed] == [("p005", "parse_error")]


def test_transient_backend_errors_are_retried(prefect_server, database_url, engine):
    fifty(engine, 6)
    counts = assess_batch(database_url, batch_size=6, chunk_size=6, pipeline=STUB,
                          options=opts(transient=2), retry_delay_s=0.05)
    assert counts["done"] == 6


def test_transient_errors_that_persist_mark_posts_failed(prefect_server, database_url, engine):
    fifty(engine, 6)
    counts = assess_batch(database_url, batch_size=6, chunk_size=3, pipeline=STUB,
                          options=opts(transient=1000), retry_delay_s=0.01)
    assert counts["failed"] == 6
    assert {r.error["type"] for r in repo.results(engine, include_failed=True)} == {"backend_unavailable"}


def test_assess_text_for_one_stored_post(prefect_server, database_url, engine):
    fifty(engine, 2)
    assert assess_text(database_url, "p001", pipeline=STUB, options=opts()) == {
        "post_id": "p001", "status": "done", "stored": True}
    assert [r.post_id for r in repo.results(engine)] == ["p001"]


def test_a_password_in_the_url_is_refused(prefect_server):
    from records.errors import InputError

    with pytest.raises(InputError):
        assess_batch("postgresql+psycopg://kanon:secret@db/kanon", pipeline=STUB)


def test_batch_runs_the_detector_once_per_post(prefect_server, database_url, engine):
    from flows.pipeline_factory import load_pipeline

    fifty(engine, 9)
    o = opts()
    counts = assess_batch(database_url, batch_size=9, chunk_size=4, pipeline=STUB, options=o)
    assert counts["done"] == 9
    stub = load_pipeline(STUB, o)  # the same object the flow used (memoised per process)
    assert sorted(stub.detected) == [f"p{i:03d}" for i in range(9)]
    # the chunks assessed the spans the detect task stored
    assert all(len(r.assessment.disclosures) == 1 for r in repo.results(engine))
