import math

import pytest

from reasoners.metrics import KCase, k_metrics, span_metrics


def test_k_metrics():
    cases = [
        KCase("a", k_ref=100, k_hat=100, k_low=50, k_high=200),
        KCase("b", k_ref=100, k_hat=1000, k_low=500, k_high=2000),  # 1.0 off, understates risk
        KCase("c", k_ref=1000, k_hat=10, k_low=5, k_high=20),  # 2.0 off
        KCase("d", k_ref=10, k_hat=20, k_low=1, k_high=30),
    ]
    m = k_metrics(cases)
    assert m["n"] == 4
    assert m["within_0.5"] == pytest.approx(2 / 4)
    assert m["within_1.0"] == pytest.approx(3 / 4)
    assert m["mean_abs_log10_error"] == pytest.approx((0 + 1 + 2 + math.log10(2)) / 4)
    assert m["interval_coverage"] == pytest.approx(2 / 4)
    assert m["risk_understatement"] == pytest.approx(1 / 4)
    assert -1 <= m["spearman"] <= 1


def test_span_metrics_exact_partial_char():
    gold = [[(0, 10, "Age"), (20, 30, "Location")], [], [(0, 4, "Pet")]]
    pred = [[(0, 10, "Age"), (22, 30, "Location")], [(0, 3, "Pet")], [(0, 4, "Family")]]
    m = span_metrics(gold, pred)
    # exact: 1 of 4 predictions right, 1 of 3 gold found
    assert m["exact"]["precision"] == pytest.approx(1 / 4)
    assert m["exact"]["recall"] == pytest.approx(1 / 3)
    # partial: the Location span overlaps 8 of 10 chars (> 50%) with the same label
    assert m["partial"]["recall"] == pytest.approx(2 / 3)
    # a label mismatch is never a partial match
    assert m["partial"]["per_label"]["Pet"]["recall"] == 0
    assert m["false_positive_rate_on_empty"] == 1.0
    assert 0 < m["char"]["f1"] < 1


def test_partial_requires_more_than_half_of_longer():
    m = span_metrics([[(0, 10, "Age")]], [[(0, 5, "Age")]])
    assert m["partial"]["f1"] == 0  # exactly half is not more than half


def test_length_mismatch():
    with pytest.raises(ValueError):
        span_metrics([[]], [])


def test_evaluate_names_each_factors_source():
    from kanon.evaluate import factor_details, factor_sources
    from records.types import Network, Node
    from reasoners.estimators.common import make_estimate

    base = Node(id="base", role="base", question="q",
                estimate=make_estimate("count", 1000.0, 900.0, 1100.0, component="census-tables.v1", source="table"))
    pet = Node(id="pet", parents=("base",), question="q",
               estimate=make_estimate("fraction", 0.3, 0.1, 0.5, component="priors.v1", source="prior", guess=True))
    net = Network(nodes=(base, pet))
    assert factor_sources(net) == ["base=census-tables", "pet=priors?"]
    rows = factor_details(net)
    assert rows[1]["source"] == "prior" and rows[1]["parents"] == ["base"] and "question" not in rows[1]
