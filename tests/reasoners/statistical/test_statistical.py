import math

import pytest

from reasoners.statistical import IndependentReasoner, StatisticalReasoner
from tests.reasoners.statistical.hand_built import CASES


def k_of(network):
    k = 1.0
    for n in network.nodes:
        k *= n.estimate.value
    return max(k, 1.0)


@pytest.fixture(scope="module")
def reasoner():
    return StatisticalReasoner()


def run(r, case):
    attrs = CASES[case][1]
    return r.estimate([r.decompose(attrs)], [attrs])[0]


def test_occupation_comes_before_sex_and_age(reasoner):
    net = reasoner.decompose(CASES["k013"][1])
    assert [n.id for n in net.nodes] == ["base", "occupation", "gender", "age"]
    assert net.node("gender").parents == ("base", "occupation")
    assert net.node("age").parents == ("base", "occupation", "gender")
    assert net.base.attribute_ids == ("a4",)


def test_without_occupation_sex_then_age(reasoner):
    net = reasoner.decompose(CASES["k044"][1])
    ids = [n.id for n in net.nodes]
    assert ids[:3] == ["base", "gender", "age"]
    assert "relationship_status" in net.node("family").parents


def test_unique_role_gives_k_one(reasoner):
    net = run(reasoner, "k031")
    assert net.nodes[1].id == "unique"
    assert k_of(net) == pytest.approx(1.0)


@pytest.mark.parametrize("case", ["k002", "k005", "k009", "k011", "k013"])
def test_easy_cases_within_one_order(reasoner, case):
    net = run(reasoner, case)
    assert all(n.estimate is not None for n in net.nodes)
    assert abs(math.log10(k_of(net)) - math.log10(CASES[case][0])) < 1.0


def test_independent_ablation_conditions_on_base_only():
    r = IndependentReasoner()
    net = r.decompose(CASES["k013"][1])
    assert all(n.parents == ("base",) for n in net.nodes if n.role != "base")
    # ignoring that few nurses are men overstates k
    assert k_of(run(r, "k013")) > 1.5 * k_of(run(StatisticalReasoner(), "k013"))


def test_registered():
    from reasoners.registry import reasoners

    assert "statistical" in reasoners and "independent" in reasoners


def test_factor_intervals_are_widened_for_unmodelled_dependence():
    from records.types import Attribute
    from reasoners.statistical.reasoner import StatisticalReasoner

    attrs = [
        Attribute(id="a0", category="Location", value="Ohio", facets={"place": "Ohio", "level": "admin1", "country": "US", "admin1": "OH", "population": 11_785_935}),
        Attribute(id="a1", category="Gender", value="man", facets={"sex": "male"}),
        Attribute(id="a2", category="Occupation", value="nurse", facets={"occupation": "Registered Nurses", "soc": "29-1141", "status": "employed"}),
    ]
    narrow, wide = StatisticalReasoner(structural_widen=1.0), StatisticalReasoner(structural_widen=2.0)
    n1 = narrow.estimate([narrow.decompose(attrs)], [attrs])[0]
    n2 = wide.estimate([wide.decompose(attrs)], [attrs])[0]
    for a, b in zip(n1.nodes, n2.nodes):
        assert a.estimate.value == b.estimate.value  # the point estimate does not move
        if a.role == "base":
            assert (a.estimate.low, a.estimate.high) == (b.estimate.low, b.estimate.high)
        else:
            assert b.estimate.low <= a.estimate.low and b.estimate.high >= a.estimate.high
            assert b.estimate.high <= 1.0
            assert b.estimate.low < a.estimate.low or a.estimate.low == 0
