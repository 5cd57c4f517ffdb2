"""The shell's work on kanon's store: ``kanon db upgrade``, ``ingest``, ``batch``, ``results``, ``forget``.

The commands in ``kanon/cli.py`` parse flags and print; the work is here, so
that ``kanon demo`` and the tests use the same code.

A database URL may hold a password (``postgresql+psycopg://kanon:pw@db/kanon``).
Prefect stores flow parameters with every run, so flows refuse such a URL
(``flows.common.check_database_url``); ``flow_database_url`` moves the
password into ``PGPASSWORD`` for this process (and the flow runs it starts,
which inherit the environment) and hands the flows the URL without it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy.engine import URL, make_url

from kanon.errors import InputError, StorageError

# Quiet, local Prefect unless the user says otherwise: the batch commands print
# their own progress, and an ephemeral server may need longer than Prefect's
# default 20 s to start on a small machine.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect() -> None:
    """Set Prefect's defaults for the shell (before Prefect is imported); the user's values win."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


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


class BadLines(InputError):
    """Lines of an input file that are not posts; ``errors`` holds one text-free error per line."""

    code = "malformed_input"

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(f"{len(errors)} bad line(s); nothing was stored")
        self.errors = errors


def ingest(url: str, path: Path, *, max_chars: int) -> dict[str, int]:
    """Store the posts of a JSONL or CSV file; ``{"new": n, "existing": m}``.

    The whole file is checked before anything is stored: when lines are bad,
    ``BadLines`` lists each (by number) and the store is left as it was.
    """
    from flows.common import engine_for
    from flows.ingest import read_lines
    from storage import repository as repo

    posts = []
    bad: list[InputError] = []
    for _line, got in read_lines(path, max_chars=max_chars):
        (bad if isinstance(got, InputError) else posts).append(got)
    if bad:
        raise BadLines(bad)
    engine = engine_for(url)
    counts = {"new": 0, "existing": 0}
    for i in range(0, len(posts), 500):
        added = repo.add_posts(engine, posts[i:i + 500])
        counts["new"] += len(added.new)
        counts["existing"] += len(added.existing)
    return counts


def run_batch(
    url: str,
    *,
    err: Console,
    options: dict[str, Any] | None = None,
    pipeline: str | None = None,
    batch_size: int = 50,
    chunk_size: int = 10,
    task_runner: str = "threads",
    max_workers: int = 4,
    progress: bool = True,
) -> dict[str, int]:
    """Run ``assess_batch`` through Prefect until no pending post is left; summed counts.

    Each run claims up to ``batch_size`` posts; a bar on ``err`` shows posts
    finished (done or failed), read from the store while the flow runs.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.assess import assess_batch
    from flows.common import engine_for
    from flows.pipelines import DEFAULT_FACTORY
    from storage import repository as repo

    engine = engine_for(url)

    def finished(c: dict[str, int]) -> int:
        return c.get("done", 0) + c.get("failed", 0)

    start = repo.status_counts(engine)
    todo = start.get("pending", 0) + start.get("claimed", 0)
    base = finished(start)
    totals = {"runs": 0, "claimed": 0, "done": 0, "already": 0, "failed": 0, "released": 0}
    bar = Progress(TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not progress or todo == 0)
    task_id = bar.add_task("posts", total=todo)
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            try:
                bar.update(task_id, completed=min(todo, finished(repo.status_counts(engine)) - base))
            except Exception:  # a busy store: the next poll will do
                continue

    watcher = threading.Thread(target=poll, name="kanon-batch-progress", daemon=True)
    with bar:
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
            bar.update(task_id, completed=min(todo, finished(repo.status_counts(engine)) - base))
    totals["pending"] = repo.status_counts(engine).get("pending", 0)
    return totals


def result_rows(url: str, *, include_failed: bool = True, pipeline_version: str | None = None,
                chunk: int = 200) -> Iterator[dict[str, Any]]:
    """One dict per stored outcome, as ``kanon results --json`` prints it.

    An assessment gives ``{"id": post id, "pipeline_version", ...the fields of
    kanon assess --json}`` (span texts taken from the stored post); a failed
    post gives ``{"id", "error": {"type", "message"}}``.
    """
    from flows.common import engine_for
    from storage import repository as repo

    engine = engine_for(url)
    buf: list[repo.StoredResult] = []
    for r in repo.results(engine, pipeline_version=pipeline_version, include_failed=include_failed, chunk=chunk):
        buf.append(r)
        if len(buf) >= chunk:
            yield from _rows(engine, buf)
            buf = []
    if buf:
        yield from _rows(engine, buf)


def _rows(engine, stored: list) -> Iterator[dict[str, Any]]:
    from kanon.report import assessment_to_json
    from storage import repository as repo

    ids = sorted({r.post_id for r in stored if r.assessment is not None})
    posts = {p.id: p for p in repo.load_posts(engine, ids)} if ids else {}
    for r in stored:
        if r.assessment is None:
            yield {"id": r.post_id, "error": dict(r.error or {})}
            continue
        yield {"id": r.post_id, "pipeline_version": r.pipeline_version,
               **assessment_to_json(posts[r.post_id], r.assessment)}


def forget(url: str, *, author: str | None = None, post: str | None = None) -> int:
    """Delete one post, or every post of an author, with everything derived; how many posts."""
    from flows.common import engine_for
    from storage import repository as repo

    if (author is None) == (post is None):
        raise InputError("give exactly one of --author KEY or --post ID")
    engine = engine_for(url)
    if post is not None:
        return int(repo.forget_post(engine, post))
    return repo.forget_author(engine, str(author))
