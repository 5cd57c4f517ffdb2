"""The one JSONL writer of the batch commands: one output line per input line, nothing half-written.

``assess --input`` and ``detect`` both read a JSONL file (or ``-``, standard
input), work on it in chunks and write one JSON line per input line, in
order. A file is written to ``NAME.part`` and renamed at the end, so an
interrupted run leaves no half file; ``-`` writes to standard output as it
goes. The output may not be the input. Progress shows N/M on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.inputs import STDIN, InputLine
from records.errors import InputError

Work = Callable[[list[InputLine]], list[dict[str, Any]]]


def check_paths(input: str, output: str) -> None:
    """Refuse to write over the input (the user's data would be lost)."""
    if input != STDIN and output != STDIN and Path(input).resolve() == Path(output).resolve():
        raise InputError("--output is the same file as --input; choose another output file")


def write_jsonl(lines: list[InputLine], output: str, work: Work, *, what: str, chunk: int,
                err: Any) -> tuple[int, int]:
    """Write ``work(chunk of lines)`` for every chunk; (lines, lines that are errors)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    to_stdout = output == STDIN
    if to_stdout:
        fh = sys.stdout
        tmp = None
    else:
        target = Path(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        fh = tmp.open("w", encoding="utf-8")
    n_err = 0
    try:
        with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=to_stdout) as bar:
            task = bar.add_task(what, total=len(lines))
            for i in range(0, len(lines), chunk):
                part = lines[i:i + chunk]
                rows = work(part)
                if len(rows) != len(part):  # the contract every caller keeps: a row per line
                    raise RuntimeError("the writer got a row count that differs from its lines")
                for row in rows:
                    n_err += "error" in row
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                fh.flush()
                bar.advance(task, len(part))
    finally:
        if tmp is not None:
            fh.close()
    if tmp is not None:
        tmp.replace(Path(output))
    return len(lines), n_err
