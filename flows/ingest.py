"""Reading posts from JSONL or CSV files into kanon's store.

Each line (JSONL) or row (CSV) has ``text`` and, optionally, ``id``,
``author`` and ``source``; a post without an id gets one derived from its
text (``storage.repository.post_id_for``). Errors name the line, never its
content.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from prefect import flow, task

from flows.common import PRIVATE, check_database_url, engine_for, run_logger
from kanon.errors import EmptyTextError, EncodingError, InputError, MalformedInputError, TextTooLongError
from kanon.records import Post
from storage import repository as repo

FIELDS = ("id", "text", "author", "source")


def read_posts(path: str | Path, *, max_chars: int | None = None) -> Iterator[Post]:
    """The posts of a ``.jsonl`` or ``.csv`` file, checked line by line; the first bad line raises."""
    for _line, got in read_lines(path, max_chars=max_chars):
        if isinstance(got, InputError):
            raise got
        yield got


def read_lines(path: str | Path, *, max_chars: int | None = None) -> Iterator[tuple[int, Post | InputError]]:
    """Each line (row) of a ``.jsonl`` or ``.csv`` file: its number and its post, or why it is not one.

    Blank lines are skipped. A problem with the file itself (missing, wrong
    suffix, a CSV header without ``text``) raises.
    """
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
        if isinstance(row, InputError):
            yield line, row
            continue
        try:
            yield line, _post(line, row, max_chars)
        except InputError as e:
            yield line, e


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    with path.open("rb") as f:
        for line, raw_bytes in enumerate(f, 1):
            try:
                raw = raw_bytes.decode("utf-8")
            except UnicodeDecodeError:
                yield line, EncodingError(f"line {line}: not valid UTF-8")
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError:
                yield line, MalformedInputError(f"line {line}: not valid JSON")
                continue
            if not isinstance(row, dict):
                yield line, MalformedInputError(f"line {line}: expected a JSON object")
                continue
            yield line, row


def _csv_rows(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise EncodingError(f"line {line}: not valid UTF-8") from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
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
        e = TextTooLongError(len(text), max_chars)
        e.message = f"line {line}: {e.message}"  # the message names the line, like the others
        e.args = (e.message,)
        raise e
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
