"""``kanon evaluate k`` takes history cases beside single posts (issue: histories)."""

from __future__ import annotations

import json

import pytest

from flows.settings import Settings
from kanon.evaluate import evaluate_k_cases, read_k_cases
from records.errors import MalformedInputError


def test_history_cases_are_assessed_as_one_author_beside_single_posts(tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "single", "text": "I'm a 34 year old nurse in Leeds", "k_ref": 300},
        {"id": "hist", "posts": [{"text": "I'm a nurse, night shifts again"}, "I live in Leeds", {"text": "I'm 34 now"}],
         "k_ref": 300},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    s = Settings(detector="rules.v1", database_url=f"sqlite:///{tmp_path}/k.db")
    report = evaluate_k_cases(s, gold, ["statistical"], "rules.v1")
    rep = report["reasoners"]["statistical"]
    assert rep["metrics"]["n"] == 2 and rep["metrics"]["errors"] == 0
    by_id = {r["id"]: r for r in rep["cases"]}
    # the history's facts come from three posts: job, place and age all count
    assert {"Occupation", "Location", "Age"} <= set(by_id["hist"]["attributes"])
    assert by_id["hist"]["k"] >= 1 and by_id["single"]["k"] >= 1


@pytest.mark.parametrize("row", [{"id": "h", "posts": [], "k_ref": 3}, {"id": "h", "posts": [{"x": 1}], "k_ref": 3},
                                 {"id": "h", "k_ref": 3}])
def test_a_bad_case_is_named_by_line(tmp_path, row):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(MalformedInputError, match="gold.jsonl line 1"):
        read_k_cases(gold)
