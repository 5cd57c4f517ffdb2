"""The store's commands: ``db upgrade``, ``ingest``, ``batch``, ``results``, ``forget``, ``serve``, ``demo``.

A database URL with a password is accepted: the password moves into
PGPASSWORD for this process (and the flow runs it starts), and Prefect,
which stores flow parameters, only sees the URL without it
(``flows.jobs.flow_database_url``). The work itself is in ``flows.jobs``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from kanon.cli.app import (
    DbOpt, DetectorOpt, DeviceOpt, LlmModelOpt, LlmOpt, ReasonerOpt, app, boundary, db_app, err, out, settings_from,
)
from flows.settings import BATCH_SIZE, CHUNK_SIZE

BatchSizeOpt = Annotated[int, typer.Option(metavar="N", help="Posts claimed per flow run.")]
ChunkSizeOpt = Annotated[int, typer.Option(metavar="N", help="Posts per assessment task.")]


def _store(db: str | None, *, migrated: bool = True) -> tuple[Any, str]:
    """Settings and the flows' URL of the store; refuses a store that is not migrated."""
    from flows.jobs import ensure_schema, flow_database_url

    settings = settings_from(db=db)
    url = flow_database_url(settings.database_url)
    if migrated:
        ensure_schema(url)
    return settings, url


@db_app.command("upgrade")
@boundary
def db_upgrade(db: DbOpt = None) -> None:
    """Create the store, or migrate it to the current schema (KANON_DATABASE_URL or --db)."""
    from flows.jobs import shown_url, upgrade

    _, url = _store(db, migrated=False)
    rev = upgrade(url)
    out.print(f"store {shown_url(url)} at revision {rev}")


@app.command("ingest")
@boundary
def ingest_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="JSONL or CSV of posts: text, and optionally id, author, source.")],
    db: DbOpt = None,
) -> None:
    """Store the posts of a file; prints how many are new and how many were already there.

    The whole file is checked first: bad lines are reported by number (never their text) and then nothing is stored.
    """
    from flows.jobs import ingest

    settings, url = _store(db)
    counts = ingest(url, file, max_chars=settings.max_text_chars)
    out.print(f"{counts['new']} new, {counts['existing']} already there")


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err)


@app.command()
@boundary
def batch(
    db: DbOpt = None,
    detector: DetectorOpt = None,
    reasoner: ReasonerOpt = None,
    device: DeviceOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
    batch_size: BatchSizeOpt = BATCH_SIZE,
    chunk_size: ChunkSizeOpt = CHUNK_SIZE,
    task_runner: Annotated[Optional[str], typer.Option(metavar="NAME", help="threads or dask (default: the task_runner setting).")] = None,
    max_workers: Annotated[Optional[int], typer.Option(metavar="N", help="Tasks at once (default: the max_workers setting).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="A progress bar on stderr.")] = True,
) -> None:
    """Assess the store's pending posts now, through Prefect's assess_batch flow, until none is left.

    Uses the Prefect server at PREFECT_API_URL, or a temporary local one when it is unset.
    """
    from flows.jobs import run_batch

    options = {k: v for k, v in {"detector": detector, "reasoner": reasoner, "device": device,
                                  "llm": llm, "llm_model": llm_model}.items() if v is not None}
    _, url = _store(db)
    settings = settings_from(db=db, device=device, llm=llm, llm_model=llm_model)
    with _progress_bar() as bar:
        task = bar.add_task("starting (loading models)", total=None)
        if not progress:
            bar.stop()

        def on_progress(done: int, total: int) -> None:
            bar.update(task, description="assessing", completed=done, total=total)

        counts = run_batch(url, on_progress=on_progress, options=options, batch_size=batch_size,
                           chunk_size=chunk_size, task_runner=task_runner or settings.task_runner,
                           max_workers=max_workers or settings.max_workers)
    if as_json:
        print(json.dumps(counts))
    else:
        left = f" ({counts['in_flight']} claimed by a worker still running)" if counts.get("in_flight") else ""
        out.print(f"{counts['done']} assessed, {counts['already']} already stored, {counts['failed']} failed, "
                  f"{counts['pending']} still pending{left} ({counts['runs']} flow run(s))")
    if counts["pending"]:
        raise typer.Exit(1)  # work is left: a script must not read this as done


@app.command()
@boundary
def results(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help='One JSON object per line: "id" (the post id) and the fields of `kanon assess --json`.')] = False,
    failed: Annotated[bool, typer.Option("--failed/--no-failed", help='Include posts that failed, as {"id", "error"}.')] = True,
    pipeline_version: Annotated[Optional[str], typer.Option(metavar="VERSION", help="Only assessments by this pipeline version.")] = None,
) -> None:
    """Print the stored assessments (and failures), ordered by post id."""
    from flows.jobs import stored_results
    from kanon.report import assessment_to_json, results_table

    _, url = _store(db)

    def rows():
        for r, post in stored_results(url, include_failed=failed, pipeline_version=pipeline_version):
            if r.assessment is None:
                yield {"id": r.post_id, "error": dict(r.error or {})}
            else:
                yield {"id": r.post_id, "pipeline_version": r.pipeline_version, **assessment_to_json(post, r.assessment)}

    if as_json:
        for row in rows():
            print(json.dumps(row, ensure_ascii=False))
        return
    table = results_table(rows())
    out.print(table if table is not None else "No stored assessments.")


@app.command()
@boundary
def forget(
    author: Annotated[Optional[str], typer.Option("--author", metavar="KEY", help="Delete every post of this author key.")] = None,
    post: Annotated[Optional[str], typer.Option("--post", metavar="ID", help="Delete this post.")] = None,
    db: DbOpt = None,
) -> None:
    """Delete a person's text and everything derived from it (disclosures, assessments, factors)."""
    from flows.jobs import forget as forget_posts

    _, url = _store(db)
    n, runs = forget_posts(url, author=author, post=post)
    out.print(f"forgot {n} post(s) and everything derived from them"
              + (f", and {runs} Prefect flow run(s) that named them" if runs else "")
              + ("; Prefect could not be reached: flow runs that name them remain" if runs is None else ""))


@app.command()
@boundary
def serve(
    db: DbOpt = None,
    detector: DetectorOpt = None,
    reasoner: ReasonerOpt = None,
    batch_size: BatchSizeOpt = BATCH_SIZE,
    chunk_size: ChunkSizeOpt = CHUNK_SIZE,
) -> None:
    """Serve kanon's deployments until interrupted: the scheduled batch and the REST-triggered ones.

    assess_batch runs on the configured schedule (schedule_cron, or schedule_interval_s);
    assess_text and ingest wait for triggers (POST /api/deployments/{id}/create_flow_run).

    Register with the Prefect server at PREFECT_API_URL (a temporary local one when unset, which nothing else can reach).
    """
    from flows.jobs import serve_deployments, shown_url

    settings, url = _store(db)
    options = {k: v for k, v in {"detector": detector, "reasoner": reasoner}.items() if v is not None}
    api_url = os.environ.get("PREFECT_API_URL")
    where = api_url or "a temporary local Prefect server (set PREFECT_API_URL to reach it from elsewhere)"
    schedule = f"cron {settings.schedule_cron}" if settings.schedule_cron else f"every {settings.schedule_interval_s} s"
    err.print(f"serving kanon-batch ({schedule}), kanon-text and kanon-ingest on {where}; store {shown_url(url)}")
    serve_deployments(url, options=options, cron=settings.schedule_cron, interval_s=settings.schedule_interval_s,
                      batch_size=batch_size, chunk_size=chunk_size, task_runner=settings.task_runner,
                      max_workers=settings.max_workers)


SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples" / "posts.jsonl"


@app.command()
@boundary
def demo(
    samples: Annotated[Optional[Path], typer.Option(metavar="FILE", help="JSONL of sample posts (default: the ones shipped in data/samples).")] = None,
) -> None:
    """Run the main job on a handful of sample posts with the embedded defaults (SQLite, bundled detector, statistical reasoner).

    The same path as production, in small: the SQLite store under ./.kanon is
    created or migrated, the samples are ingested (deduplicated, so a second
    demo adds nothing), assess_batch runs through Prefect over whatever is
    pending, and each sample's assessment is read back from the store.
    """
    from flows.jobs import flow_database_url, run_batch, shown_url, store_samples, stored_results
    from kanon.report import print_demo_post

    settings = settings_from()
    url = flow_database_url(settings.database_url)
    ids = store_samples(url, samples or SAMPLES, max_chars=settings.max_text_chars)
    err.print(f"kanon demo: {len(ids)} sample posts in {shown_url(url)}")
    with _progress_bar() as bar:
        task = bar.add_task("starting (loading models)", total=None)
        counts = run_batch(url, options={"reasoner": "statistical"}, batch_size=BATCH_SIZE, chunk_size=4,
                           task_runner="threads", max_workers=2,
                           on_progress=lambda d, t: bar.update(task, description="assessing", completed=d, total=t))
    if counts["runs"]:
        err.print(f"assess_batch: {counts['done']} assessed, {counts['failed']} failed, in {counts['runs']} flow run(s)")
    outcomes = {}
    for r, post in stored_results(url, post_ids=ids, include_failed=True):
        outcomes[r.post_id] = (r, post)  # the latest pipeline version wins (results are ordered)
    from flows.jobs import load_posts

    for post in load_posts(url, ids):
        stored = outcomes.get(post.id)
        print_demo_post(out, post, stored[0] if stored else None)
