"""Hard-negative precision in ``kanon evaluate detect``."""

import json

from kanon.evaluate import evaluate_detectors, hard_negative_metrics, read_hard_negatives
from flows.settings import load_settings


def test_hard_negative_metrics_count_false_alarms():
    gold = [[], [(0, 11, "Occupation")], []]
    pred = [[(0, 5, "Age")], [(0, 11, "Occupation")], []]
    m = hard_negative_metrics(gold, pred)
    assert m["posts"] == 3 and m["spans_predicted"] == 2 and m["spans_gold"] == 1
    assert m["precision_partial"] == 0.5
    assert m["posts_without_gold"] == 2 and m["false_alarm_rate_without_gold"] == 0.5


def test_evaluate_reports_the_hard_negatives_beside_the_gold(tmp_path):
    rows = [
        {"id": "h1", "text": "I'm not a nurse, my coworker is.", "spans": []},
        {"id": "h2", "text": "age = 42\ncity = 'Paris'", "spans": []},
        {"id": "d1", "text": "I'm a nurse in Leeds.", "spans": [
            {"start": 0, "end": 11, "label": "Occupation", "text": "I'm a nurse"},
            {"start": 12, "end": 20, "label": "Location", "text": "in Leeds"}]},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert read_hard_negatives(gold) is None
    report = evaluate_detectors(load_settings(), gold, ["rules.v1"])
    assert "hard_negatives" not in report["detectors"]["rules.v1"]
    (tmp_path / "hard_negatives.txt").write_text("# ids\nh1\nh2\n")
    report = evaluate_detectors(load_settings(), gold, ["rules.v1"])
    h = report["detectors"]["rules.v1"]["hard_negatives"]
    assert h["posts"] == 2 and h["posts_without_gold"] == 2 and h["spans_gold"] == 0
