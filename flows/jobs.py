"""What the shell asks of the store and the flows: ``kanon db upgrade``, ``ingest``, ``batch``, ``results``, ``forget``.

The command modules in ``kanon/cli/`` parse flags and print; the work is
here, below the shell, so that ``kanon demo``, the API and the tests use the
same code, and the shell never imports Prefect. Progress is reported through
a callback; the shell draws it.

A database URL may hold a password (``postgresql+psycopg://kanon:pw@db/kanon``).
Prefect stores flow parameters with every run, so flows refuse such a URL
(``flows.common.check_database_url``); ``flow_database_url`` moves the
password into ``PGPASSWORD`` for this process (and the flow runs it starts,
which inherit the environment) and hands the flows the URL without it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from flows.settings import BATCH_SIZE, CHUNK_SIZE
from records.errors import InputError, StorageError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (finished, total)

def flow_database_url(url: str) -> str:
    """``url`` without its password, which goes to ``PGPASSWORD`` for this process instead."""
    try:
        parsed = make_url(url)
    except Exception:
        raise StorageError("the database URL cannot be parsed") from None
    if parsed.password is None:
        return url
    if parsed.get_backend_name() != "postgresql":
        raise InputError("a password in the database URL is supported for PostgreSQL only")
    os.environ["PGPASSWORD"] = str(parsed.password)
    # (``URL.set(password=None)`` would keep the password: None means "unchanged" there.)
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """The URL as it may be printed: never a password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


def upgrade(url: str) -> str | None:
    from storage.migrate import upgrade as _upgrade

    return _upgrade(url)


def ensure_schema(url: str) -> None:
    """Refuse to work on a store that was never migrated (or is behind): say what to run."""
    from storage.migrate import current, head

    at = current(url)
    if at != head():
        raise StorageError(
            "the store is not at the current schema"
            + (" (never migrated)" if at is None else f" (at {at})")
            + ": run `kanon db upgrade` first"
        )


def ingest(url: str, path: Path, *, max_chars: int) -> dict[str, int]:
    """Store the posts of a JSONL or CSV file, all or nothing (``flows.ingest.ingest_file``)."""
    from flows.ingest import ingest_file

    return ingest_file(url, path, max_chars=max_chars)


def run_batch(
    url: str,
    *,
    on_progress: Progress | None = None,
    options: dict[str, Any] | None = None,
    pipeline: str | None = None,
    batch_size: int = BATCH_SIZE,
    chunk_size: int = CHUNK_SIZE,
    task_runner: str = "threads",
    max_workers: int = 4,
    poll_s: float = 0.5,
) -> dict[str, int]:
    """Run ``assess_batch`` through Prefect until no pending post is left; summed counts.

    Each run claims up to ``batch_size`` posts; ``on_progress(finished, total)``
    is called with the posts finished (done or failed), read from the store
    while the flow runs.
    """
    from flows.assess import assess_batch
    from flows.common import engine_for
    from flows.pipeline_factory import DEFAULT_FACTORY
    from storage import repository as repo

    engine = engine_for(url)

    def finished(c: dict[str, int]) -> int:
        return c.get("done", 0) + c.get("failed", 0)

    start = repo.status_counts(engine)
    todo = start.get("pending", 0) + start.get("claimed", 0)
    base = finished(start)
    totals = {"runs": 0, "claimed": 0, "done": 0, "already": 0, "failed": 0, "released": 0}
    stop = threading.Event()

    def report() -> None:
        if on_progress is not None:
            on_progress(min(todo, finished(repo.status_counts(engine)) - base), todo)

    def poll() -> None:
        while not stop.wait(poll_s):
            try:
                report()
            except Exception:  # a busy store: the next poll will do
                continue

    watcher = threading.Thread(target=poll, name="kanon-batch-progress", daemon=True)
    watcher.start()
    try:
        while todo:
            counts = assess_batch(
                url, batch_size=batch_size, chunk_size=chunk_size,
                pipeline=pipeline or DEFAULT_FACTORY, options=dict(options or {}),
                task_runner=task_runner, max_workers=max_workers,
            )
            totals["runs"] += 1
            for key in ("claimed", "done", "already", "failed", "released"):
                totals[key] += counts.get(key, 0)
            if counts.get("claimed", 0) == 0 or not repo.status_counts(engine).get("pending"):
                break
            if counts.get("released", 0) >= counts["claimed"]:
                break  # nothing of this claim finished: another run would do the same
    finally:
        stop.set()
        watcher.join()
        report()
    end = repo.status_counts(engine)
    # posts still claimed belong to a live worker elsewhere (a dead one's were claimed
    # again above): they are not done, and a caller must not read this run as complete
    totals["in_flight"] = end.get("claimed", 0)
    totals["pending"] = end.get("pending", 0) + totals["in_flight"]
    return totals


def stored_results(url: str, *, include_failed: bool = True, pipeline_version: str | None = None,
                   post_ids: list[str] | None = None, chunk: int = 200) -> Iterator[tuple[Any, Any]]:
    """Each stored outcome with its post, in post-id order: ``(StoredResult, Post | None)``.

    The post (for the span texts) comes with an assessment; a failure has None.
    Read in chunks, so that a large store is never held in memory.
    """
    from flows.common import engine_for
    from storage import repository as repo

    engine = engine_for(url)
    buf: list[Any] = []

    def flush() -> Iterator[tuple[Any, Any]]:
        ids = sorted({r.post_id for r in buf if r.assessment is not None})
        posts = {p.id: p for p in repo.load_posts(engine, ids)} if ids else {}
        for r in buf:
            yield r, posts.get(r.post_id)

    for r in repo.results(engine, pipeline_version=pipeline_version, include_failed=include_failed,
                          post_ids=post_ids, chunk=chunk):
        buf.append(r)
        if len(buf) >= chunk:
            yield from flush()
            buf = []
    if buf:
        yield from flush()


def store_samples(url: str, path: Path, *, max_chars: int) -> list[str]:
    """``kanon demo``: migrate the store, add the sample posts; the stored ids, in file order."""
    from flows.common import engine_for
    from flows.inputs import read_posts
    from storage import repository as repo

    upgrade(url)
    posts = list(read_posts(path, max_chars=max_chars, id_for=repo.new_post_id))
    added = repo.add_posts(engine_for(url), posts)
    # A sample whose text was stored earlier (under any id) is shown under the stored id.
    return list(dict.fromkeys(list(added.new) + list(added.existing)))


def forget(url: str, *, author: str | None = None, post: str | None = None) -> tuple[int, int | None]:
    """Delete one post, or every post of an author, with everything derived.

    Returns (posts deleted, Prefect flow runs deleted that named one of them;
    None when Prefect could not be reached, so that the caller can say so).
    """
    from flows.common import engine_for
    from storage import repository as repo

    if (author is None) == (post is None):
        raise InputError("give exactly one of --author KEY or --post ID")
    engine = engine_for(url)
    if post is not None:
        ids, n = [post], int(repo.forget_post(engine, post))
    else:
        ids = repo.post_ids_of(engine, str(author))
        n = repo.forget_author(engine, str(author))
    return n, forget_flow_runs(set(ids)) if ids else 0


def forget_flow_runs(post_ids: set[str]) -> int | None:
    """Delete the Prefect flow runs whose parameters name one of ``post_ids``; how many.

    Prefect keeps a run's parameters; ``assess_text`` (the REST trigger) is the
    one flow given a post id, so a forgotten post's id would otherwise stay
    there. None when Prefect does not answer (the store is forgotten anyway).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    from flows.assess import assess_text

    # and under its name before 2026-12 ("assess_text"): older runs hold post ids too
    named = FlowFilter(name=FlowFilterName(any_=[assess_text.name, "assess_text"]))
    deleted, offset, page = 0, 0, 200
    try:
        with get_client(sync_client=True) as client:
            while True:
                runs = client.read_flow_runs(flow_filter=named, limit=page, offset=offset)
                doomed = [r for r in runs if str((r.parameters or {}).get("post_id")) in post_ids]
                for r in doomed:
                    client.delete_flow_run(r.id)
                deleted += len(doomed)
                if len(runs) < page:
                    return deleted
                offset += page - len(doomed)
    except Exception as e:  # noqa: BLE001 - Prefect unreachable: say so, the store is done
        log.warning("Prefect not reachable to forget flow runs (%s)", type(e).__name__)
        return None


def load_posts(url: str, post_ids: list[str]) -> list[Any]:
    """The stored posts of ``post_ids``, in that order."""
    from flows.common import engine_for
    from storage import repository as repo

    return repo.load_posts(engine_for(url), post_ids)


def serve_deployments(url: str, **kwargs: Any) -> None:
    """``kanon serve``: serve the deployments (``flows.deployments``) until interrupted."""
    from flows.deployments import serve_deployments as serve

    serve(url, **kwargs)


def train_detector(config: dict[str, Any], *, flow_run: bool = True) -> dict[str, Any]:
    """``kanon train detector``: as the Prefect flow ``train_detector``, or in this process."""
    if flow_run:
        from flows.training import train_detector as flow

        return flow(**config)
    from reasoners.detector.train import TrainConfig, train

    card = train(TrainConfig(**config))
    return {"out_dir": str(config["out_dir"]), "figures": card["figures"]}
