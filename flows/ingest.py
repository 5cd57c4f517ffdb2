"""Reading posts from JSONL or CSV files into kanon's store.

Each line (JSONL) or row (CSV) has ``text`` and, optionally, ``id``,
``author`` and ``source``; a post without an id gets one derived from its
text (``storage.repository.post_id_for``). Errors name the line, never its
content.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from prefect import flow, task

from flows.common import PRIVATE, check_database_url, engine_for, run_logger
from kanon.errors import EmptyTextError, InputError, MalformedInputError, TextTooLongError
from kanon.records import Post
from storage import repository as repo

FIELDS = ("id", "text", "author", "source")


def read_posts(path: str | Path, *, max_chars: int | None = None) -> Iterator[Post]:
    """The posts of a ``.jsonl`` or ``.csv`` file, checked line by line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path.name}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    else:
        raise InputError(f"cannot read {suffix or 'a file without suffix'}: use .jsonl or .csv")
    for line, row in rows:
        yield _post(line, row, max_chars)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as f:
        for line, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError:
                raise MalformedInputError(f"line {line}: not valid JSON") from None
            if not isinstance(row, dict):
                raise MalformedInputError(f"line {line}: expected a JSON object")
            yield line, row


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "text" not in reader.fieldnames:
            raise MalformedInputError("line 1: the CSV header has no 'text' column")
        for row in reader:
            yield reader.line_num, row


def _post(line: int, row: dict, max_chars: int | None) -> Post:
    text = row.get("text")
    if not isinstance(text, str):
        raise MalformedInputError(f"line {line}: 'text' is missing or not a string")
    if not text.strip():
        raise EmptyTextError(f"line {line}: the text is empty")
    if max_chars is not None and len(text) > max_chars:
        raise TextTooLongError(len(text), max_chars)
    extra = {k: row.get(k) for k in ("id", "author", "source")}
    for k, v in extra.items():
        if v is not None and not isinstance(v, (str, int)):
            raise MalformedInputError(f"line {line}: {k!r} must be a string")
    pid = str(extra["id"]).strip() if extra["id"] not in (None, "") else repo.post_id_for(text)
    return Post(
        id=pid,
        text=text,
        author=None if extra["author"] in (None, "") else str(extra["author"]),
        source=None if extra["source"] in (None, "") else str(extra["source"]),
    )


def ingest_file(database_url: str, path: str | Path, *, max_chars: int | None = None, chunk: int = 500) -> dict[str, int]:
    """Store the posts of a file; counts of new ones and of those already there."""
    engine = engine_for(database_url)
    counts = {"new": 0, "existing": 0}
    buf: list[Post] = []
    for post in read_posts(path, max_chars=max_chars):
        buf.append(post)
        if len(buf) >= chunk:
            _add(engine, buf, counts)
            buf = []
    if buf:
        _add(engine, buf, counts)
    return counts


def _add(engine, posts: list[Post], counts: dict[str, int]) -> None:
    added = repo.add_posts(engine, posts)
    counts["new"] += len(added.new)
    counts["existing"] += len(added.existing)


@task(name="ingest-file", **PRIVATE)
def ingest_task(database_url: str, path: str, max_chars: int | None) -> dict[str, int]:
    return ingest_file(database_url, path, max_chars=max_chars)


@flow(name="ingest", persist_result=False, log_prints=False, validate_parameters=True)
def ingest(database_url: str, path: str, max_chars: int | None = None) -> dict[str, int]:
    """Read a JSONL or CSV file into the store; returns ``{"new": n, "existing": m}``."""
    check_database_url(database_url)
    counts = ingest_task(database_url, str(path), max_chars)
    run_logger().info("ingested: new=%d existing=%d", counts["new"], counts["existing"])
    return counts
