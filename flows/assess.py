"""The assessment flows: ``assess_batch`` over pending posts, ``assess_text`` for one stored post.

Privacy by construction: flows and tasks take and return post ids, counts
and component names. Each task loads the text it needs from kanon's store
and writes its results there before returning; nothing holding text is a
task argument, a task result, a cached value or a log line. No task persists
its result (``persist_result=False``) or caches on its inputs
(``NO_CACHE``), and no flow logs prints.

``assess_batch``:

1. claims up to ``batch_size`` pending posts in a transaction (a lease);
2. runs detection over the whole claim in one task (batched, the GPU step:
   tagged ``kanon-gpu`` so that a Prefect concurrency limit of that name
   bounds it), storing the disclosures;
3. maps assessment over chunks of ids under the chosen task runner; each
   chunk reads the stored disclosures back (the detector runs once per
   post, in step 2), stores an assessment per post, or marks the post
   failed with a text-free reason (a ``KanonError`` the pipeline returned
   or raised);
4. releases what it claimed but did not finish, even when it fails, so that
   a re-run picks those posts up; a worker killed outright releases nothing,
   and its lease runs out instead.

A chunk whose model server fails transiently (``BackendError`` with
``transient``) is retried with exponential backoff; when it keeps failing,
its posts are marked failed with that reason and the batch goes on. Any
other exception is a defect: the other chunks finish and store their
results, the claim is released, and the flow fails.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prefect import flow, task, unmapped
from prefect.task_runners import TaskRunner
from prefect.runtime import flow_run as runtime_flow_run

from flows.common import PRIVATE, check_database_url, engine_for, run_logger, text_free
from flows.pipeline_factory import DEFAULT_FACTORY, Pipeline, load_pipeline
from flows.runners import make_task_runner
from flows.settings import BATCH_SIZE, CHUNK_SIZE
from records.errors import BackendError, InputError, KanonError
from storage import repository as repo
from storage import runs as runs_table

GPU_TAG = "kanon-gpu"


def transient_only(task_: Any, task_run: Any, state: Any) -> bool:
    """Retry condition: only a model backend's transient failure is worth another try."""
    try:
        state.result()
    except BackendError as e:
        return e.transient
    except BaseException:
        return False
    return False


# --- tasks: thin wrappers around storage and the pipeline ---------------------------


@task(name="claim", **PRIVATE)
@text_free
def claim_task(database_url: str, batch_size: int, lease_s: float) -> repo.Claim:
    return repo.claim_pending(engine_for(database_url), batch_size, lease_s=lease_s)


@task(name="detect", tags=[GPU_TAG], **PRIVATE)
@text_free
def detect_task(database_url: str, post_ids: list[str], pipeline: str, options: dict[str, Any]) -> int:
    """Detection over the whole claim in one call (batched on the GPU); returns the span count."""
    engine = engine_for(database_url)
    pipe = load_pipeline(pipeline, options)
    posts = repo.load_posts(engine, post_ids)
    found = pipe.detect(posts)
    for post, spans in zip(posts, found, strict=True):
        repo.save_disclosures(engine, post.id, spans)
    n = sum(len(s) for s in found)
    run_logger().info("detected %d disclosures in %d posts", n, len(posts))
    return n


@task(name="assess-chunk", retries=3, retry_condition_fn=transient_only, **PRIVATE)
@text_free
def assess_chunk(database_url: str, post_ids: list[str], pipeline: str, options: dict[str, Any],
                 detected: bool = False) -> dict[str, int]:
    """Assess a chunk of posts and store each outcome; returns counts.

    ``detected``: the detect task has stored these posts' disclosures, so
    the pipeline reads them back instead of running the detector again.
    """
    engine = engine_for(database_url)
    pipe = load_pipeline(pipeline, options)
    posts = repo.load_posts(engine, post_ids)
    spans = repo.load_disclosures(engine, post_ids) if detected else None
    t0 = time.perf_counter()
    try:
        outcomes = pipe.assess(posts, spans)
    except BackendError as e:
        if e.transient:
            raise  # retried with backoff (transient_only)
        outcomes = [_assess_one(pipe, p, s) for p, s in zip(posts, spans or [None] * len(posts))]
    except KanonError:
        # Something in the chunk broke the batch call: isolate the post.
        outcomes = [_assess_one(pipe, p, s) for p, s in zip(posts, spans or [None] * len(posts))]
    per_post = (time.perf_counter() - t0) / max(len(posts), 1)
    if len(outcomes) != len(posts):
        raise KanonError(f"pipeline returned {len(outcomes)} results for {len(posts)} posts")
    counts = {"done": 0, "already": 0, "failed": 0}
    for post, out in zip(posts, outcomes):
        if isinstance(out, KanonError):
            repo.mark_failed(engine, post.id, out)
            counts["failed"] += 1
            run_logger().warning("post %s failed: %s", post.id, out.code)
        elif repo.save_assessment(engine, post.id, out, pipe.version, timings={"assess_s": per_post}):
            counts["done"] += 1
        else:
            counts["already"] += 1
    return counts


def _assess_one(pipe: Pipeline, post, spans) -> Any:
    try:
        return pipe.assess([post], None if spans is None else [spans])[0]
    except KanonError as e:
        return e


# --- flows -------------------------------------------------------------------------


def _chunks(ids: Sequence[str], size: int) -> list[list[str]]:
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


def assess_claimed(
    runner: TaskRunner[Any],
    database_url: str,
    claim_token: str,
    pipeline: str,
    options: dict[str, Any],
    chunk_size: int,
    retry_delay_s: float,
) -> dict[str, int]:
    """Detection, then assessment mapped over chunks on ``runner`` (the flow's chosen one).

    Part of the ``assess-batch`` run, not a flow of its own: one run per batch in
    the UI, with its tasks. The claim's token, not its post ids, is what it
    takes: the post ids are read back from the store, never passed around.
    """
    post_ids = repo.claimed_ids(engine_for(database_url), claim_token)
    detect_task(database_url, post_ids, pipeline, options)
    chunks = _chunks(post_ids, chunk_size)
    chunk_task = assess_chunk.with_options(retry_delay_seconds=[retry_delay_s * 2**i for i in range(3)])
    with runner:
        mapped = runner.map(chunk_task, {"database_url": unmapped(database_url), "post_ids": chunks,
                                         "pipeline": unmapped(pipeline), "options": unmapped(options),
                                         "detected": unmapped(True)})
        return _collect(database_url, chunks, mapped)


def _collect(database_url: str, chunks: list[list[str]], mapped: Any) -> dict[str, int]:
    counts = {"done": 0, "already": 0, "failed": 0}
    defect: BaseException | None = None
    for ids, future in zip(chunks, mapped):
        try:
            got = future.result()
        except BackendError as e:
            # Transient failures outlived their retries: these posts keep failing.
            engine = engine_for(database_url)
            for pid in ids:
                repo.mark_failed(engine, pid, e)
            counts["failed"] += len(ids)
            run_logger().warning("chunk of %d posts failed after retries: %s", len(ids), e.code)
            continue
        except BaseException as e:  # a defect: let the other chunks finish first
            defect = defect or e
            run_logger().error("a chunk of %d posts raised %s", len(ids), type(e).__name__)
            continue
        for key, n in got.items():
            counts[key] += n
    if defect is not None:
        raise defect
    return counts


@flow(name="assess-batch", persist_result=False, log_prints=False, validate_parameters=True)
@text_free
def assess_batch(
    database_url: str,
    batch_size: int = BATCH_SIZE,
    chunk_size: int = CHUNK_SIZE,
    pipeline: str = DEFAULT_FACTORY,
    options: dict[str, Any] | None = None,
    task_runner: str = "threads",
    max_workers: int = 4,
    lease_s: float = repo.DEFAULT_LEASE_S,
    retry_delay_s: float = 2.0,
) -> dict[str, int]:
    """Assess up to ``batch_size`` pending posts of the store; returns counts only.

    ``pipeline``/``options`` say how to build the pipeline (``flows.pipeline_factory``);
    ``task_runner`` is ``threads`` or ``dask`` (``flows.runners``).
    """
    check_database_url(database_url)
    if chunk_size < 1:
        raise InputError(f"chunk size must be at least 1, got {chunk_size}")
    opts = dict(options or {})
    load_pipeline(pipeline, opts)  # fail early on a bad reference, before claiming
    engine = engine_for(database_url)
    run_id = runs_table.start_run(engine, "assess_batch", _flow_run_id())
    claim = claim_task(database_url, batch_size, lease_s)
    log = run_logger()
    log.info("claimed %d posts", len(claim.post_ids))
    counts = {"claimed": len(claim.post_ids), "done": 0, "already": 0, "failed": 0}
    try:
        if claim.post_ids:
            runner = make_task_runner(task_runner, max_workers)
            got = assess_claimed(runner, database_url, claim.token, pipeline, opts, chunk_size, retry_delay_s)
            counts.update(got)
    finally:
        released = repo.release(engine, claim)
        counts["released"] = released
        runs_table.finish_run(engine, run_id, counts)
        log.info("batch: %s", " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


@flow(name="assess-text", persist_result=False, log_prints=False, validate_parameters=True)
@text_free
def assess_text(
    database_url: str,
    post_id: str,
    pipeline: str = DEFAULT_FACTORY,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assess one stored post (REST triggers, the assistant): the text goes into the store
    first (``storage.repository.add_posts``) and this flow gets its id."""
    check_database_url(database_url)
    opts = dict(options or {})
    load_pipeline(pipeline, opts)
    try:
        got = assess_chunk.with_options(retry_delay_seconds=[1.0, 4.0, 16.0])(
            database_url, [post_id], pipeline, opts
        )
    except BackendError as e:  # transient failures outlived their retries
        repo.mark_failed(engine_for(database_url), post_id, e)
        got = {"done": 0, "already": 0, "failed": 1}
    status = "failed" if got["failed"] else "done"
    run_logger().info("post %s: %s", post_id, status)
    return {"post_id": post_id, "status": status, "stored": bool(got["done"])}


def _flow_run_id() -> str | None:
    try:
        rid = runtime_flow_run.id
    except Exception:
        return None
    return str(rid) if rid else None
