from __future__ import annotations

import json

import pytest

from flows.ingest import ingest, ingest_file
from flows.inputs import read_posts
from records.errors import EmptyTextError, MalformedInputError
from storage import repository as repo


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_ingest_counts_new_and_existing(prefect_server, database_url, engine, tmp_path):
    f = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "a", "text": "I'm 34F, a nurse", "author": "u1"},
        {"text": "my cat and I moved to Leeds", "source": "reddit"},
        {"id": "c", "text": "I'm 34F, a nurse", "author": "u1"},  # the same text again, same author
    ])
    assert ingest(database_url, str(f)) == {"new": 2, "existing": 1}
    csv_file = tmp_path / "more.csv"
    csv_file.write_text('id,text,author\nd,"new, with a comma",u2\ne,my cat and I moved to Leeds,\n', encoding="utf-8")
    assert ingest_file(database_url, csv_file) == {"new": 1, "existing": 1}
    assert repo.status_counts(engine) == {"pending": 3}
    assert repo.load_posts(engine, ["d"])[0].author == "u2"


def test_bad_lines_are_named_not_quoted(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "fine"}\n{"text": "secret stuff", oops}\n', encoding="utf-8")
    with pytest.raises(MalformedInputError) as e:
        list(read_posts(f, id_for=repo.new_post_id))
    assert "line 2" in str(e.value) and "secret" not in str(e.value)
    write_jsonl(f, [{"text": "   "}])
    with pytest.raises(EmptyTextError):
        list(read_posts(f, id_for=repo.new_post_id))
