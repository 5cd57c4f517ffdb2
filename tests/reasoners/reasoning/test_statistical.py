import math

import pytest

from reasoners.reasoning import IndependentReasoner, StatisticalReasoner
from tests.reasoners.reasoning.hand_built import CASES


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
