"""Reading posts from JSONL or CSV files into kanon's store.

Each line (JSONL) or row (CSV) has ``text`` and, optionally, ``id``,
``author`` and ``source``; a post without an id gets a random one
(``storage.repository.new_post_id``: never derived from the text). Errors
name the line, never its content.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows.common import PRIVATE, check_database_url, engine_for, run_logger, text_free
from flows.inputs import read_lines
from records.errors import BadLines, InputError
from records.types import Post
from storage import repository as repo


def ingest_file(database_url: str, path: str | Path, *, max_chars: int | None = None) -> dict[str, int]:
    """Store the posts of a file, all or nothing; counts of new ones and of those already there.

    The whole file is read and checked first: when lines are bad, ``BadLines``
    lists each (by number, never its text) and nothing is stored. The posts
    then go to the store in one transaction.
    """
    posts = []
    bad: list[InputError] = []
    for _line, got in read_lines(path, max_chars=max_chars, id_for=repo.new_post_id):
        (bad if isinstance(got, InputError) else posts).append(got)
    if bad:
        raise BadLines(bad)
    added = repo.add_posts(engine_for(database_url), posts)
    return {"new": len(added.new), "existing": len(added.existing)}


@task(name="ingest-file", **PRIVATE)
@text_free
def ingest_task(database_url: str, path: str, max_chars: int | None) -> dict[str, int]:
    return ingest_file(database_url, path, max_chars=max_chars)


@flow(name="ingest", persist_result=False, log_prints=False, validate_parameters=True)
@text_free
def ingest(database_url: str, path: str, max_chars: int | None = None) -> dict[str, int]:
    """Read a JSONL or CSV file into the store; returns ``{"new": n, "existing": m}``."""
    check_database_url(database_url)
    counts = ingest_task(database_url, str(path), max_chars)
    run_logger().info("ingested: new=%d existing=%d", counts["new"], counts["existing"])
    return counts
