from __future__ import annotations

import pytest
from bayesnet_strategies import CANARY, count, frac, networks, node
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesnet import (
    attribute_contributions,
    children,
    combine,
    contributions,
    generalise_node,
    point_k,
    remove_node,
    validate,
    widen_base,
)
from records.errors import PopulationError, ProbabilityError
from records.types import Network, Scenario

DRAWS = 1000


def _example():
    # base(Leeds) -> nurse -> woman; nurse -> mother; cat independent of all.
    return Network(nodes=(
        node("base", count(8e5, 6e5, 1e6), role="base", attribute_ids=("a-place",)),
        node("nurse", frac(0.015, 0.01, 0.02), parents=("base",), attribute_ids=("a-job",)),
        node("woman", frac(0.88, 0.85, 0.9), parents=("nurse",), attribute_ids=("a-sex",)),
        node("mother", frac(0.4, 0.3, 0.5), parents=("nurse", "woman")),
        node("cat", frac(0.25, 0.2, 0.3), scenarios=(
            Scenario(question="one cat", estimate=frac(0.2)),
            Scenario(question="two cats", estimate=frac(0.05)),
        ), attribute_ids=("a-pet",)),
    ))


def _restore_from(original: Network):
    """A re-estimator that gives the changed nodes back their original estimates."""
    calls: list[list[str]] = []

    def reestimate(net: Network, changed: list[str]) -> Network:
        calls.append(list(changed))
        nodes = tuple(
            n.model_copy(update={"estimate": original.node(n.id).estimate, "scenarios": original.node(n.id).scenarios})
            if n.id in changed else n
            for n in net.nodes
        )
        return Network(nodes=nodes)

    return reestimate, calls


def test_remove_node_reconditions_children_on_what_remains():
    net = _example()
    reduced, changed = remove_node(net, "nurse")
    assert [n.id for n in reduced.nodes] == ["base", "woman", "mother", "cat"]
    assert changed == ["woman", "mother"]
    # Children inherit the removed node's parents in its place, without repeats.
    assert reduced.node("woman").parents == ("base",)
    assert reduced.node("mother").parents == ("base", "woman")
    assert reduced.node("woman").estimate is None and reduced.node("mother").estimate is None
    # Untouched nodes keep their estimates; the input is not mutated.
    assert reduced.node("cat") == net.node("cat")
    assert net.node("woman").estimate is not None
    validate(reduced)


def test_remove_leaf_changes_nothing_else():
    net = _example()
    reduced, changed = remove_node(net, "mother")
    assert changed == []
    assert reduced.nodes == tuple(n for n in net.nodes if n.id != "mother")


def test_remove_base_is_refused_and_unknown_id_is_a_key_error():
    with pytest.raises(PopulationError) as info:
        remove_node(_example(), "base")
    assert "widen_base" in str(info.value) and CANARY not in str(info.value)
    with pytest.raises(KeyError):
        remove_node(_example(), "nope")


def test_generalise_node_replaces_one_estimate():
    net = _example()
    wider = generalise_node(net, "nurse", frac(0.05, 0.04, 0.06), question="works in health care")
    assert wider.node("nurse").estimate.value == 0.05
    assert wider.node("nurse").question == "works in health care"
    assert wider.node("woman") == net.node("woman")
    assert combine(wider, draws=DRAWS).k > combine(net, draws=DRAWS).k
    flat = generalise_node(net, "cat", frac(0.3))
    assert flat.node("cat").scenarios == ()
    with pytest.raises(ProbabilityError):
        generalise_node(net, "nurse", count(5))
    with pytest.raises(PopulationError):
        generalise_node(net, "base", frac(0.5))


def test_widen_base_clears_its_children():
    net = _example()
    wider, changed = widen_base(net, count(6.7e7, 6.5e7, 6.9e7))
    assert changed == children(net, "base") == ["nurse"]
    assert wider.base.estimate.value == 6.7e7
    assert wider.node("nurse").estimate is None
    assert wider.node("woman") == net.node("woman")


def test_contributions_remove_each_factor_and_reestimate_changed_only():
    net = _example()
    reestimate, calls = _restore_from(net)
    result = contributions(net, reestimate, draws=DRAWS)
    assert set(result) == {"nurse", "woman", "mother", "cat"}
    assert sorted(map(tuple, calls)) == [("mother",), ("woman", "mother")]
    k = combine(net, draws=DRAWS)
    for node_id, r in result.items():
        assert r.k >= k.k
    # Removing the rarest factor frees the most people.
    assert max(result, key=lambda i: result[i].k) == "nurse"
    assert result["cat"].k == pytest.approx(k.k / 0.25, rel=1e-9)


def test_contributions_cover_the_base_only_when_widened():
    net = _example()
    reestimate, calls = _restore_from(net)
    result = contributions(net, reestimate, wider_base=count(6.7e7), draws=DRAWS)
    assert "base" in result
    assert result["base"].k == pytest.approx(combine(net, draws=DRAWS).k * 6.7e7 / 8e5, rel=0.2)
    assert ["nurse"] in calls


def test_attribute_contributions():
    net = _example()
    reestimate, _ = _restore_from(net)
    k = combine(net, draws=DRAWS)
    without = contributions(net, reestimate, draws=DRAWS)
    records = attribute_contributions(net, k, without, generalised={"nurse": k})
    by_attr = {c.attribute_id: c for c in records}
    assert set(by_attr) == {"a-job", "a-sex", "a-pet"}  # mother has no attribute; base not removed
    assert by_attr["a-pet"].factor == pytest.approx(4.0, rel=1e-9)
    assert by_attr["a-job"].k_generalised == k.k and by_attr["a-sex"].k_generalised is None


@settings(max_examples=50, deadline=None)
@given(networks(max_factors=5), st.data())
def test_removing_a_node_never_lowers_k(net, data):
    factors = [n.id for n in net.nodes if n.role != "base"]
    if not factors:
        return
    victim = data.draw(st.sampled_from(factors))
    seed = data.draw(st.integers(0, 1000))
    reestimate, _ = _restore_from(net)
    reduced, changed = remove_node(net, victim)
    if changed:
        reduced = reestimate(reduced, changed)
    before, after = combine(net, draws=DRAWS, seed=seed), combine(reduced, draws=DRAWS, seed=seed)
    assert after.k >= before.k
    assert after.k_low >= before.k_low and after.k_high >= before.k_high
    assert point_k(reduced) >= point_k(net)
