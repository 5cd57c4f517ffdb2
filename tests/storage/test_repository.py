from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.errors import BackendTimeout, InputError, StorageError
from records.types import Assessment, Disclosure, Estimate, Network, Node, Post, Provenance
from storage import estimate_cache, repository as repo
from storage import runs as runs_table
from storage.migrate import current, head
from storage.models import AssessmentRow, DisclosureRow, FactorRow, PostRow

PROV = Provenance(component="rules.v1", source="rule")


def posts(n: int, author: str = "a1") -> list[Post]:
    return [Post(id=f"p{i:03d}", text=f"I am a {20 + i} year old nurse, post {i}", author=author) for i in range(n)]


def assessment(post_id: str, k: float = 1200.0) -> Assessment:
    base = Node(
        id="base", role="base", question="How many people live in Leeds?",
        estimate=Estimate(kind="count", value=800_000, low=700_000, high=900_000,
                          provenance=Provenance(component="census-tables.v1", source="table")),
    )
    nurse = Node(
        id="occ", parents=("base",), question="What share are nurses?",
        estimate=Estimate(kind="fraction", value=0.0015, low=0.001, high=0.002,
                          provenance=Provenance(component="occupations-oews.v1", source="table")),
    )
    return Assessment(
        post_id=post_id, k=k, k_low=k / 2, k_high=k * 2, detector="rules.v1", reasoner="statistical",
        disclosures=(Disclosure(post_id=post_id, start=0, end=4, label="Age", score=0.9, provenance=PROV),),
        network=Network(nodes=(base, nurse)), versions={"detector": "rules.v1"}, usage={"calls": 0},
    )


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_migrations_reach_head(database_url):
    assert current(database_url) == head() == "0001"


def test_add_posts_deduplicates_by_text_per_author(engine):
    first = repo.add_posts(engine, posts(5))
    assert first.new == [f"p{i:03d}" for i in range(5)] and first.existing == []
    # the same texts by the same author under other ids, and a repeat inside one call
    again = [Post(id=f"other{i}", text=p.text, author="a1") for i, p in enumerate(posts(5))]
    second = repo.add_posts(engine, again + [Post(id="x", text="new text", author="a1"),
                                             Post(id="y", text="new text", author="a1")])
    assert second.new == ["x"]
    assert second.existing == [f"p{i:03d}" for i in range(5)] + ["x"]
    assert count(engine, PostRow) == 6
    # the same words by another author are that author's own post
    third = repo.add_posts(engine, [Post(id="z", text="new text", author="a2")])
    assert third.new == ["z"] and count(engine, PostRow) == 7
    with Session(engine) as s:
        row = s.get(PostRow, "x")
        assert row.content_hash == repo.content_hash("new text", "a1") != repo.content_hash("new text", "a2")
        # the key is not the plain hash of the text, which would confirm a guessed text
        assert row.content_hash != hashlib.sha256(b"new text").hexdigest()
        assert "new text" not in repr(row)


def test_known_id_with_other_text_is_refused(engine):
    repo.add_posts(engine, posts(1))
    with pytest.raises(InputError) as e:
        repo.add_posts(engine, [Post(id="p000", text="something else entirely")])
    assert "something else" not in str(e.value)


def test_claim_takes_disjoint_batches_and_release_returns_them(engine):
    repo.add_posts(engine, posts(10))
    a = repo.claim_pending(engine, 4)
    b = repo.claim_pending(engine, 4)
    c = repo.claim_pending(engine, 4)
    assert len(a.post_ids) == 4 and len(b.post_ids) == 4 and len(c.post_ids) == 2
    assert not set(a.post_ids) & set(b.post_ids) and not set(b.post_ids) & set(c.post_ids)
    assert repo.claim_pending(engine, 4).post_ids == []
    assert repo.release(engine, a) == 4
    assert repo.claim_pending(engine, 10).post_ids == a.post_ids


def test_concurrent_claims_never_overlap(engine):
    repo.add_posts(engine, posts(60))
    got: list[list[str]] = []
    lock = threading.Lock()

    def worker():
        while True:
            ids = repo.claim_pending(engine, 7).post_ids
            if not ids:
                return
            with lock:
                got.append(ids)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [i for ids in got for i in ids]
    assert len(flat) == len(set(flat)) == 60


def test_expired_lease_is_claimed_again(engine):
    repo.add_posts(engine, posts(3))
    dead = repo.claim_pending(engine, 3, lease_s=-1)  # a worker that died: its lease is over
    again = repo.claim_pending(engine, 3)
    assert again.post_ids == dead.post_ids
    # the dead worker's late release does not steal the new claim back
    assert repo.release(engine, dead) == 0
    with Session(engine) as s:
        assert s.get(PostRow, "p000").attempts == 2


def test_save_assessment_is_idempotent(engine):
    repo.add_posts(engine, posts(2))
    claim = repo.claim_pending(engine, 2)
    assert repo.save_assessment(engine, "p000", assessment("p000"), "pipe.v1", timings={"assess_s": 0.1})
    assert not repo.save_assessment(engine, "p000", assessment("p000", k=5.0), "pipe.v1")
    assert count(engine, AssessmentRow) == 1
    assert count(engine, FactorRow) == 2
    assert count(engine, DisclosureRow) == 1
    # another pipeline version is another result
    assert repo.save_assessment(engine, "p000", assessment("p000", k=9.0), "pipe.v2")
    assert count(engine, AssessmentRow) == 2
    # saving marks the post done: releasing the claim leaves it done
    repo.release(engine, claim)
    assert repo.status_counts(engine) == {"done": 1, "pending": 1}
    (r,) = list(repo.results(engine, pipeline_version="pipe.v1"))
    assert r.post_id == "p000" and r.assessment.k == 1200.0 and r.assessment.network.base.id == "base"


def test_save_assessment_checks_the_post(engine):
    repo.add_posts(engine, posts(1))
    with pytest.raises(StorageError):
        repo.save_assessment(engine, "p000", assessment("other"), "v")
    with pytest.raises(StorageError):
        repo.save_assessment(engine, "nope", assessment("nope"), "v")


def test_mark_failed_keeps_only_text_free_reasons(engine):
    repo.add_posts(engine, posts(3))
    repo.claim_pending(engine, 3)
    repo.mark_failed(engine, "p000", BackendTimeout("model server did not answer in 60 s"))
    repo.mark_failed(engine, "p001", ValueError("I am a 20 year old nurse"))  # a library quoting input
    repo.save_assessment(engine, "p002", assessment("p002"), "v")
    repo.mark_failed(engine, "p002", BackendTimeout("late"))  # a done post stays done
    out = {r.post_id: r for r in repo.results(engine, include_failed=True)}
    assert out["p000"].error == {"type": "backend_timeout", "message": "model server did not answer in 60 s"}
    assert out["p001"].error == {"type": "ValueError", "message": None}
    assert out["p002"].status == "done"
    assert repo.claim_pending(engine, 5).post_ids == []  # failed posts are not retried by themselves
    assert repo.requeue_failed(engine) == 2
    assert len(repo.claim_pending(engine, 5).post_ids) == 2


def test_forget_author_and_post_delete_everything_derived(engine):
    repo.add_posts(engine, posts(3, author="alice") + [Post(id="b1", text="bob's post", author="bob")])
    for pid in ("p000", "p001", "b1"):
        repo.save_assessment(engine, pid, assessment(pid), "v")
    assert count(engine, FactorRow) == 6
    assert repo.forget_author(engine, "alice") == 3
    assert count(engine, PostRow) == 1
    assert count(engine, AssessmentRow) == 1 and count(engine, FactorRow) == 2 and count(engine, DisclosureRow) == 1
    assert repo.forget_post(engine, "b1") is True
    assert repo.forget_post(engine, "b1") is False
    for model in (PostRow, AssessmentRow, FactorRow, DisclosureRow):
        assert count(engine, model) == 0
    # the text can come back after being forgotten
    assert repo.add_posts(engine, posts(1, author="alice")).new == ["p000"]


def test_estimate_cache(engine):
    key = hashlib.sha256(b"share of nurses|model|prompt.v1").hexdigest()
    assert estimate_cache.cache_get(engine, key) is None
    assert estimate_cache.cache_put(engine, key, model="m", prompt_version="estimate.v1", value={"value": 0.01})
    assert not estimate_cache.cache_put(engine, key, model="m", prompt_version="estimate.v1", value={"value": 0.5})
    assert estimate_cache.cache_get(engine, key) == {"value": 0.01}
    with pytest.raises(StorageError):
        estimate_cache.cache_put(engine, "short", model="m", prompt_version="p", value={})


def test_runs_are_recorded(engine):
    run_id = runs_table.start_run(engine, "assess_batch", "abc")
    runs_table.finish_run(engine, run_id, {"done": 3})
    (r,) = runs_table.runs(engine, "assess_batch")
    assert r["counts"] == {"done": 3} and r["finished"] is not None


def test_a_killed_workers_claim_is_claimable_at_once(engine, database_url):
    """kill -9 of a worker mid-claim: its posts are claimed by the next run, not after the lease."""
    import os
    import signal
    import subprocess
    import sys

    repo.add_posts(engine, posts(4))
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from storage.engine import create_engine\n"
         "from storage import repository as repo\n"
         "c = repo.claim_pending(create_engine(sys.argv[1]), 3)\n"
         "print(len(c.post_ids), flush=True)\n"
         "time.sleep(600)\n",
         database_url],
        stdout=subprocess.PIPE, text=True, cwd=os.getcwd(),
    )
    try:
        assert child.stdout.readline().strip() == "3"
        # while its owner runs, the claim is its own (a 15-minute lease, not yet over)
        assert repo.claim_pending(engine, 10).post_ids == ["p003"]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    again = repo.claim_pending(engine, 10)
    assert again.post_ids == ["p000", "p001", "p002"]
    assert repo.status_counts(engine) == {"claimed": 4}


def test_claim_owner_knows_this_process_and_refuses_to_guess_about_others():
    import os

    from storage import claim_owner

    token = claim_owner.new_token()
    assert len(token) <= claim_owner.TOKEN_MAX and not claim_owner.owner_is_dead(token)
    rand, owner = token.split("@")
    host, pid, start = owner.rsplit(":", 2)
    assert int(pid) == os.getpid()
    # the same pid with another start time: the id was reused, the owner is gone
    assert claim_owner.owner_is_dead(f"{rand}@{host}:{pid}:{int(start) - 1000}")
    # another host, or a token of the older kind: not known dead, the lease decides
    assert not claim_owner.owner_is_dead(f"{rand}@other-host:{pid}:0")
    assert not claim_owner.owner_is_dead("0123456789abcdef0123456789abcdef")
    assert not claim_owner.owner_is_dead(None)
