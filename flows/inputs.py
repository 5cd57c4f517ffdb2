"""Reading input files: the one place that turns a user's file into posts, line by line.

Every door that takes a file uses these readers: ``kanon assess --input``,
``kanon detect``, ``kanon ingest`` and the ingest flow, ``kanon evaluate k``
and ``kanon assess --history``. One bad line costs one error entry, never the
batch, and errors name the line (and a byte offset), never its content.

No Prefect here: the shell imports this module for commands that run no flow.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from records.errors import EmptyTextError, EncodingError, InputError, KanonError, MalformedInputError
from records.types import Post
from records.text import check_identifier, check_text

FIELDS = ("id", "text", "author", "source")
STDIN = "-"  # a path of "-" reads standard input


@dataclass(frozen=True)
class InputLine:
    """One line of an input file: its id and text, or the typed error that it is not a post."""

    line_no: int
    id: str
    text: str | None
    error: KanonError | None = None
    extra: dict[str, Any] | None = None


def _read_bytes(path: Path | str) -> bytes:
    if str(path) == STDIN:
        import sys

        return sys.stdin.buffer.read()
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path.name}") from None
    except IsADirectoryError:
        raise InputError(f"input path is a directory: {path.name}") from None


def jsonl_rows(path: Path | str, *, keep_blank: bool = False) -> Iterator[tuple[int, dict | KanonError | None]]:
    """Each line of a JSONL file: its number and its object, or why it is not one.

    Blank lines give ``None`` when ``keep_blank`` (so a caller can keep one
    output line per input line), and are skipped otherwise.
    """
    raw = _read_bytes(path)
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line starts no line of its own
    for n, bline in enumerate(lines, 1):
        if not bline.strip():
            if keep_blank:
                yield n, None
            continue
        try:
            line = bline.decode("utf-8")
        except UnicodeDecodeError as e:
            yield n, EncodingError(f"line {n}: not valid UTF-8 (byte offset {e.start})")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, MalformedInputError(f"line {n}: not valid JSON ({_json_problem(e)})")
            continue
        if not isinstance(row, dict):
            yield n, MalformedInputError(f"line {n}: expected a JSON object")
            continue
        yield n, row


def read_text_lines(path: Path | str, *, max_chars: int) -> Iterator[InputLine]:
    """One ``InputLine`` per line of a JSONL file of ``{"id", "text"}``, blank lines included.

    A line's text is checked as every door checks it (``records.text.check_text``):
    empty, too long, lone surrogates, NUL characters.
    """
    for n, row in jsonl_rows(path, keep_blank=True):
        fallback = f"line-{n}"
        if row is None:
            yield InputLine(n, fallback, None, EmptyTextError(f"line {n}: the line is blank"))
            continue
        if isinstance(row, KanonError):
            yield InputLine(n, fallback, None, row)
            continue
        rid = row.get("id")
        rid = str(rid) if isinstance(rid, (str, int)) and str(rid) else fallback
        try:
            check_identifier(rid, "id")
        except InputError as e:
            yield InputLine(n, fallback, None, _on_line(e, n))
            continue
        text = row.get("text")
        if not isinstance(text, str):
            yield InputLine(n, rid, None, MalformedInputError(f"line {n}: field 'text' must be a string"))
            continue
        try:
            check_text(text, max_chars)
        except InputError as e:
            yield InputLine(n, rid, None, _on_line(e, n))
            continue
        yield InputLine(n, rid, text, None, {k: v for k, v in row.items() if k not in ("id", "text")})


def _on_line(e: KanonError, n: int) -> KanonError:
    """The same error, its message naming the line like the others."""
    e.message = f"line {n}: {e.message}"
    e.args = (e.message,)
    return e


def read_lines(path: str | Path, *, max_chars: int | None = None,
               id_for=None) -> Iterator[tuple[int, Post | InputError]]:
    """Each line (row) of a ``.jsonl`` or ``.csv`` file of posts: its number and its post, or why not.

    Rows have ``text`` and optionally ``id``, ``author``, ``source``; a post
    without an id gets ``id_for(text, author)``. Blank lines are skipped. A
    problem with the file itself (missing, wrong suffix, a CSV header without
    ``text``) raises.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {p.name}")
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows: Iterator[tuple[int, Any]] = jsonl_rows(p)
    elif suffix == ".csv":
        rows = _csv_rows(p)
    else:
        raise InputError(f"cannot read {suffix or 'a file without suffix'}: use .jsonl or .csv")
    for line, row in rows:
        if isinstance(row, KanonError):
            yield line, row  # type: ignore[misc]
            continue
        try:
            yield line, _post(line, row, max_chars, id_for)
        except InputError as e:
            yield line, e


def read_posts(path: str | Path, *, max_chars: int | None = None, id_for=None) -> Iterator[Post]:
    """The posts of a ``.jsonl`` or ``.csv`` file; the first bad line raises."""
    for _line, got in read_lines(path, max_chars=max_chars, id_for=id_for):
        if isinstance(got, InputError):
            raise got
        yield got


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
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


def _post(line: int, row: dict, max_chars: int | None, id_for) -> Post:
    text = row.get("text")
    if not isinstance(text, str):
        raise MalformedInputError(f"line {line}: 'text' is missing or not a string")
    try:
        check_text(text, max_chars)
    except InputError as e:
        raise _on_line(e, line) from None
    extra = {k: row.get(k) for k in ("id", "author", "source")}
    for k, v in extra.items():
        if v is not None and not isinstance(v, (str, int)):
            raise MalformedInputError(f"line {line}: {k!r} must be a string")
    clean: dict[str, str | None] = {}
    for k, v in extra.items():
        if v in (None, ""):
            clean[k] = None
            continue
        try:
            clean[k] = check_identifier(str(v).strip(), k)
        except InputError as e:
            raise _on_line(e, line) from None
    pid = clean["id"]
    if pid is None:
        if id_for is None:
            raise MalformedInputError(f"line {line}: 'id' is missing")
        pid = id_for(text, clean["author"])
    return Post(id=pid, text=text, author=clean["author"], source=clean["source"])


def read_history(path: Path | str, *, max_chars: int) -> list[str]:
    """A posting history: a JSONL of ``{"text"}`` lines, or plain text with posts split by blank lines."""
    texts: list[str] = []
    if str(path).endswith((".jsonl", ".ndjson")):
        for line in read_text_lines(path, max_chars=max_chars):
            if line.error is not None:
                if isinstance(line.error, EmptyTextError) and line.text is None and "blank" in line.error.message:
                    continue  # a blank line between JSONL posts is no post
                raise line.error
            texts.append(line.text or "")
        return texts
    raw = _read_bytes(path)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EncodingError(f"history file is not valid UTF-8 (byte offset {e.start})") from None
    texts = [p.strip() for p in body.split("\n\n") if p.strip()]
    for t in texts:
        check_text(t, max_chars)
    return texts


def read_gold_rows(path: Path | str, required: tuple[str, ...]) -> list[dict]:
    """The rows of a gold JSONL file (k cases); the first bad line raises, naming it and what it needs."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"gold file not found: {p.name}")
    rows = []
    for n, row in jsonl_rows(p):
        if isinstance(row, KanonError) or any(k not in row for k in required):
            raise MalformedInputError(f"{p.name} line {n}: needs {', '.join(repr(k) for k in required)}")
        rows.append(row)
    return rows


def _json_problem(e: json.JSONDecodeError) -> str:
    """The decoder's complaint, readable: "Unterminated string starting at" ends in a column."""
    msg = e.msg.removesuffix(" at").rstrip()
    return f"{msg[:1].lower()}{msg[1:]} at column {e.colno}"
