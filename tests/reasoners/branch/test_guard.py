"""Bounds on model answers: no disclosure left out of the network, no count beyond its place."""

import json

import pytest

from bayesnet import WORLD_POPULATION
from bayesnet.combine import point_k
from records.types import Estimate, Provenance
from reasoners.branch import BranchConfig, BranchReasoner
from reasoners.flags import network_flags
from tests.reasoners.branch.test_branch_reasoner import ATTRS, GOOD, _backend, _run
from tests.support.scripted_server import Reply, ScriptedServer, question_of, step_of

ONLY_THE_PLACE = {
    "select": {"use": ["a3"], "ignore": ["a1", "a2"]},
    "order": [{"node": "n1", "attributes": ["a3"]}],
    "parents": {},
    "questions": {"n1": "How many people live in Aarhus?"},
}


class Census:
    """Knows Aarhus's population; a bound for the model even when not asked to answer."""

    name = "census-tables.v1"

    def estimate(self, q):
        if q.kind == "count" and [a.value for a in q.target] == ["Aarhus"]:
            return Estimate(kind="count", value=350_000, low=340_000, high=360_000,
                            provenance=Provenance(component=self.name, source="table"))
        return None


def model(decomposition, count):
    def answer(body):
        if step_of(body) == "decompose":
            return Reply(text=json.dumps(decomposition))
        v = count if question_of(body).startswith("How many") else 0.01
        return Reply(text=json.dumps({"value": v}))
    return answer


def test_a_disclosure_the_model_left_out_is_added_back_and_flagged():
    with ScriptedServer(model(ONLY_THE_PLACE, 370_000)) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(), rule_reasoner=None)
        (net,) = _run(r, [ATTRS])
    held = {a for n in net.nodes for a in n.attribute_ids}
    assert held == {"a1", "a2", "a3"}
    # the two added factors narrow the crowd as any factor does: k is not the place's size
    assert point_k(net) == pytest.approx(370_000 * 0.01 * 0.01, rel=1e-6)
    (flag,) = network_flags(net)
    assert "left out 2 disclosed attribute(s) (Gender, Occupation)" in flag
    assert "Aarhus" not in flag and "firefighter" not in flag


def test_a_model_count_beyond_the_world_is_bounded_and_flagged():
    with ScriptedServer(model(GOOD, 1e15)) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(), rule_reasoner=None)
        (net,) = _run(r, [ATTRS])
    base = net.base.estimate
    assert base.provenance.source == "llm"
    assert base.value == WORLD_POPULATION and base.high == WORLD_POPULATION and max(base.samples) <= WORLD_POPULATION
    (flag,) = network_flags(net)
    assert "above the population of the world" in flag and "1e+15" in flag


def test_k_stays_within_the_smallest_place_disclosed_however_the_model_split_it():
    # the model's base is Aarhus but holds no attribute, and it says 1e15 people live there:
    # the statistics (not asked to answer) know Aarhus, so k is kept within its population
    with ScriptedServer(model(GOOD, 1e15)) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(use_statistics=False), statistics=Census(),
                           rule_reasoner=None)
        (net,) = _run(r, [ATTRS])
    assert net.base.estimate.provenance.source == "llm"  # the model answered; the statistics bound it
    assert point_k(net) == pytest.approx(360_000, rel=1e-6)
    flags = network_flags(net)
    assert any("a place disclosed" in f and "scaled" in f for f in flags), flags


def test_answers_within_their_bounds_are_left_alone():
    with ScriptedServer(model(GOOD, 300_000)) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(use_statistics=False), statistics=Census(),
                           rule_reasoner=None)
        (net,) = _run(r, [ATTRS])
    assert net.base.estimate.value == 300_000 and network_flags(net) == []
