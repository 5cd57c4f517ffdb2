"""The ``runs`` table: one row per flow run of ``assess_batch``, with its counts (ids and numbers only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from records.errors import StorageError
from storage.engine import reader
from storage.models import RunRow, utcnow


def start_run(engine: Engine, flow: str, flow_run_id: str | None = None) -> int:
    with Session(engine) as s, s.begin():
        row = RunRow(flow=flow, flow_run_id=flow_run_id, started=utcnow())
        s.add(row)
        s.flush()
        return row.id


def finish_run(engine: Engine, run_id: int, counts: dict[str, int]) -> None:
    with Session(engine) as s, s.begin():
        row = s.get(RunRow, run_id)
        if row is None:
            raise StorageError(f"run {run_id} is not in the store")
        row.finished = utcnow()
        row.counts = dict(counts)


def runs(engine: Engine, flow: str | None = None) -> list[dict[str, Any]]:
    stmt = select(RunRow).order_by(RunRow.id)
    if flow is not None:
        stmt = stmt.where(RunRow.flow == flow)
    with Session(reader(engine)) as s:
        return [
            {"id": r.id, "flow": r.flow, "flow_run_id": r.flow_run_id, "started": r.started,
             "finished": r.finished, "counts": dict(r.counts)}
            for r in s.scalars(stmt)
        ]
