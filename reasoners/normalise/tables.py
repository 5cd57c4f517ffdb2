"""Where the normalisers' reviewable data files live, and how they are read.

The files are CSV under ``data/normalise/`` at the repository root; every
row that carries a number names its source and year. A caller may point a
normaliser at another folder (tests, a deployment with extended lists).
"""

from __future__ import annotations

import csv
from pathlib import Path

from records.errors import KanonError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "normalise"


class DataFileError(KanonError):
    """A normaliser's data file is missing or malformed (names the file and line)."""

    code = "normalise_data"


def read_rows(name: str, data_dir: Path | None = None, required: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The rows of one CSV data file as dicts, checked for the required columns."""
    path = (data_dir or DATA_DIR) / name
    if not path.is_file():
        raise DataFileError(f"normaliser data file {name} not found under {path.parent}")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            raise DataFileError(f"{name}: missing columns {missing}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if any(row.get(c) in (None, "") for c in required[:1]):
                raise DataFileError(f"{name}: line {line} has an empty {required[0]!r}")
            rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    return rows
