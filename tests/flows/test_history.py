"""``assess_history`` over held posts: the result in kanon's store, no text in Prefect."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from flows.history import assess_history, result_post_id
from records.types import Post
from storage import held_posts, repository as repo

REAL = "flows.components:pipeline_from_options"
REAL_OPTIONS = {"detector": "rules.v1", "reasoner": "statistical"}


def _hold(engine, marker: str) -> tuple[str, list[str]]:
    key = f"history-{uuid.uuid4().hex}"
    texts = [f"I live in Leeds. {marker}", f"I work as a nurse. {marker}", f"I'm 34 years old. {marker}"]
    posts = [Post(id=f"{key}-{i}", text=t, author=key, source="api-history") for i, t in enumerate(texts)]
    return key, held_posts.hold_posts(engine, posts)


def test_held_posts_are_not_claimed_by_a_batch(engine):
    key, ids = _hold(engine, uuid.uuid4().hex)
    assert len(ids) == 3
    assert repo.claim_pending(engine, 10).post_ids == []
    assert repo.forget_author(engine, key) == 3


@pytest.mark.slow
def test_history_flow_stores_a_text_free_assessment(prefect_server, database_url, engine):
    marker = f"MARKER{uuid.uuid4().hex}"
    key, ids = _hold(engine, marker)
    out = assess_history(database_url, ids, key, pipeline=REAL, options=REAL_OPTIONS)
    assert out == {"result_post_id": result_post_id(key), "status": "done", "posts": 3}
    [stored] = repo.results(engine, post_ids=[result_post_id(key)])
    a = stored.assessment
    assert {d.label for d in a.disclosures} >= {"Location", "Occupation", "Age"}
    assert {d.post_id for d in a.disclosures} == set(ids)
    assert 1 <= a.k < 1e6 and marker not in a.model_dump_json()
    # Prefect holds ids only
    db = Path(prefect_server["database_url"].split(":///", 1)[1])
    files = [p for p in (db, Path(str(db) + "-wal")) if p.exists()]
    files += [p for p in Path(prefect_server["home"]).rglob("*") if p.is_file()]
    assert not [str(p) for p in files if marker.encode() in p.read_bytes()]
    # forgetting the author removes the texts and the result
    assert repo.forget_author(engine, key) == 4
    assert list(repo.results(engine, post_ids=[result_post_id(key)], include_failed=True)) == []


@pytest.mark.slow
def test_history_flow_stores_a_failure_with_its_reason(prefect_server, database_url, engine):
    key = f"history-{uuid.uuid4().hex}"
    out = assess_history(database_url, ["no-such-post"], key, pipeline=REAL, options=REAL_OPTIONS)
    assert out["status"] == "failed"
    [stored] = repo.results(engine, post_ids=[result_post_id(key)], include_failed=True)
    assert stored.status == "failed" and stored.error["type"] == "storage_error"
