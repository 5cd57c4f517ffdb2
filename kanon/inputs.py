"""Reading input files line by line, so that one bad line costs one error entry, not the batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kanon.errors import EncodingError, InputError, KanonError, MalformedInputError


@dataclass(frozen=True)
class InputLine:
    line_no: int
    id: str | None
    text: str | None
    error: KanonError | None = None
    extra: dict | None = None


def read_jsonl(path: Path) -> Iterator[InputLine]:
    """Yield one InputLine per non-empty line of a JSONL file of ``{"id", "text"}`` objects.

    Lines that are not valid UTF-8 or not the right JSON shape come back with
    an ``error`` naming the line number, and the caller carries on.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"input file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"input path is a directory: {path}") from None
    for n, bline in enumerate(raw.split(b"\n"), 1):
        if not bline.strip():
            continue
        fallback_id = f"line-{n}"
        try:
            line = bline.decode("utf-8")
        except UnicodeDecodeError as e:
            yield InputLine(n, fallback_id, None, EncodingError(f"line {n}: not valid UTF-8 (byte offset {e.start})"))
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputLine(n, fallback_id, None, MalformedInputError(f"line {n}: not valid JSON ({e.msg} at column {e.colno})"))
            continue
        if not isinstance(row, dict):
            yield InputLine(n, fallback_id, None, MalformedInputError(f"line {n}: expected a JSON object"))
            continue
        rid = row.get("id")
        rid = str(rid) if rid is not None else fallback_id
        text = row.get("text")
        if not isinstance(text, str):
            yield InputLine(n, rid, None, MalformedInputError(f"line {n}: field 'text' must be a string"))
            continue
        yield InputLine(n, rid, text, None, {k: v for k, v in row.items() if k not in ("id", "text")})


def read_history(path: Path) -> list[str]:
    """A posting history: a JSONL of ``{"text"}`` objects, or plain text with posts split by blank lines."""
    texts: list[str] = []
    if path.suffix == ".jsonl":
        for line in read_jsonl(path):
            if line.error is not None:
                raise line.error
            texts.append(line.text or "")
        return texts
    try:
        body = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"history file not found: {path}") from None
    except UnicodeDecodeError as e:
        raise EncodingError(f"history file is not valid UTF-8 (byte offset {e.start})") from None
    return [p.strip() for p in body.split("\n\n") if p.strip()]
