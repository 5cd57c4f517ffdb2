"""The text stays in one column: not in derived rows, and not in Prefect after a database error."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from flow_support import REAL, REAL_OPTIONS
from flows.assess import assess_batch
from flows.ingest import ingest
from records.errors import KanonError
from records.types import Post
from storage import repository as repo
from storage.text_free import WITHHELD
from test_privacy import found, prefect_files


def posts_with(marker: str, n: int) -> list[Post]:
    # The marker sits inside words the detector takes as spans and no normaliser knows,
    # and inside a run of narrative words, so that a copy anywhere would carry it.
    return [Post(id=f"t{i:02d}", author="a1", text=(
        f"I'm a {30 + i} year old nurse and I live in Zor{marker}bleton near Leeds. "
        f"the {marker} mill by the river is old")) for i in range(n)]


def dump_all_but_posts(engine) -> str:
    out = []
    with engine.connect() as c:
        for table in inspect(engine).get_table_names():
            if table in ("posts", "alembic_version"):
                continue
            out += [repr(tuple(r)) for r in c.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(out)


@pytest.mark.slow
def test_no_post_text_in_any_column_but_the_posts_table(prefect_server, database_url, engine):
    # letters only: the rule detector's place pattern ends a name at a digit, so a marker
    # like "mk3f..." would not be taken as a place at all and the test would test nothing
    marker = "mk" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])
    repo.add_posts(engine, posts_with(marker, 8))
    counts = assess_batch(database_url, batch_size=10, chunk_size=4, pipeline=REAL, options=REAL_OPTIONS)
    assert counts["done"] == 8
    stored = dump_all_but_posts(engine)
    assert "Registered Nurses" in stored  # the search sees the derived rows...
    # ...and the unrecognised place, whose value was withheld, wherever a place span covers it
    # (whether the rule detector takes the invented word as a place varies with the marker)
    with engine.connect() as c:
        rows = c.execute(text('SELECT p.text, d.start, d."end" FROM disclosures d JOIN posts p ON p.id = d.post_id '
                              "WHERE d.label = 'Location'")).all()
    if any(marker in t[a:b] for t, a, b in rows):
        assert WITHHELD in stored
    assert marker not in stored.lower()
    with engine.connect() as c:
        assert sum(t.count(marker) for (t,) in c.execute(text("SELECT text FROM posts"))) == 16


def _refuse_inserts(engine, table: str) -> None:
    """A database rule that fails every insert into ``table``: its error carries the row."""
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT kanon_test_refuse CHECK (false) NOT VALID'))
        else:
            c.execute(text(f'CREATE TRIGGER kanon_test_refuse BEFORE INSERT ON "{table}" '
                           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))


@pytest.mark.slow
def test_a_database_error_in_a_flow_leaves_no_text_in_prefect(prefect_server, database_url, engine, tmp_path,
                                                            caplog):
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    marker = f"MARKER{uuid.uuid4().hex}"
    f = tmp_path / "posts.jsonl"
    f.write_text(f'{{"id": "q1", "text": "I am a nurse in Leeds {marker}"}}\n', encoding="utf-8")
    _refuse_inserts(engine, "posts")
    with caplog.at_level(logging.DEBUG), pytest.raises(KanonError) as e:
        ingest(database_url, str(f))
    assert "database error" in str(e.value) and marker not in str(e.value)
    APILogWorker.drain_all(timeout=10)
    assert marker not in caplog.text and "INSERT INTO" not in caplog.text
    with get_client(sync_client=True) as client:
        failed = [r for r in client.read_flow_runs() if r.name and r.state and r.state.is_failed()]
        assert failed, "the ingest run should have failed"
        assert all(marker not in str(r.state.message) for r in failed)
        assert all(marker not in log.message and "[parameters" not in log.message for log in client.read_logs())
    assert found(marker, prefect_files(prefect_server)) == []
    assert repo.status_counts(engine) == {}  # and nothing was stored


@pytest.mark.slow
def test_a_database_error_while_assessing_leaves_no_sql_or_ids_in_prefect(prefect_server, database_url, engine,
                                                                          caplog):
    """The store refuses every assessment: each post fails with a text-free reason, the batch ends,
    and neither the SQL nor its bound parameters (the post ids here) reach Prefect; no log holds SQL
    (kanon's own debug lines may name post ids, which are not text)."""
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    marker = "id" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:16])
    repo.add_posts(engine, [Post(id=f"{marker}{i}", text=f"I'm a {30 + i} year old nurse in Leeds")
                            for i in range(3)])
    _refuse_inserts(engine, "assessments")
    with caplog.at_level(logging.DEBUG):
        try:
            assess_batch(database_url, batch_size=10, chunk_size=2, pipeline=REAL, options=REAL_OPTIONS,
                         retry_delay_s=0.01)
        except KanonError as e:  # a defect may end the flow; its message is its class only
            assert marker not in str(e) and "INSERT" not in str(e)
    APILogWorker.drain_all(timeout=10)
    assert "INSERT INTO" not in caplog.text and "refused by the test" not in caplog.text
    with get_client(sync_client=True) as client:
        assert all(marker not in str(r.parameters) and marker not in str(r.state.message if r.state else "")
                   for r in client.read_flow_runs())
        assert all(marker not in log.message and "INSERT INTO" not in log.message for log in client.read_logs())
    assert found(marker, prefect_files(prefect_server)) == []
    assert "done" not in repo.status_counts(engine)  # nothing was stored as done
