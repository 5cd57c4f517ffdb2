from __future__ import annotations

import math

import numpy as np
import pytest
from bayesnet_strategies import CANARY, count, frac, networks, node
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesnet import combine, log10_sd, log_k_draws, point_k
from records.errors import CycleError, MissingEstimateError, MissingParentError
from records.types import Network, Scenario

DRAWS = 1000  # enough for the invariants; keeps property tests quick


def _net(*nodes):
    return Network(nodes=tuple(nodes))


def _example():
    return _net(
        node("base", count(5e5, 3e5, 8e5), role="base"),
        node("job", frac(0.02, 0.01, 0.04), parents=("base",)),
        node("woman", frac(0.8, 0.7, 0.9), parents=("job",)),
        node("kids", frac(0.3, 0.2, 0.45), parents=("woman",)),
    )


def test_point_estimates_give_the_product_exactly():
    net = _net(node("base", count(1e6), role="base"), node("a", frac(0.1)), node("b", frac(0.5), parents=("a",)))
    r = combine(net)
    assert r.k == pytest.approx(5e4, rel=1e-12)
    assert r.k_low == pytest.approx(5e4, rel=1e-12) and r.k_high == pytest.approx(5e4, rel=1e-12)
    assert r.log10_sd == pytest.approx(0.0, abs=1e-12)
    assert point_k(net) == pytest.approx(5e4, rel=1e-12)
    assert not r.floor_applied


def test_median_close_to_point_product_and_interval_brackets_it():
    net = _example()
    r = combine(net, draws=8000)
    p = point_k(net)
    assert p == pytest.approx(5e5 * 0.02 * 0.8 * 0.3)
    assert r.k == pytest.approx(p, rel=0.1)
    assert r.k_low < p < r.k_high
    assert r.log10_sd > 0
    assert r.log10_sd == pytest.approx(log10_sd(net, draws=8000), rel=1e-12)


def test_wider_level_gives_wider_interval():
    net = _example()
    narrow, wide = combine(net, level=0.5), combine(net, level=0.98)
    assert wide.k_low < narrow.k_low <= narrow.k <= narrow.k_high < wide.k_high
    assert wide.k == narrow.k


def test_same_seed_same_result_other_seed_close():
    net = _example()
    assert combine(net, seed=3) == combine(net, seed=3)
    a, b = combine(net, seed=3), combine(net, seed=4)
    assert a.k != b.k
    assert a.k == pytest.approx(b.k, rel=0.1)


def test_floor_applied_when_median_below_one():
    net = _net(node("base", count(100), role="base"), node("rare", frac(1e-4, 5e-5, 2e-4)))
    r = combine(net)
    assert r.floor_applied
    assert r.k == 1.0 and r.k_low == 1.0 and r.k_high >= 1.0
    assert point_k(net) == 1.0
    assert point_k(net, floor=False) == pytest.approx(0.01)


def test_zero_fraction_means_nobody_else_matches():
    net = _net(node("base", count(1e7), role="base"), node("none", frac(0.0, 0.0, 0.01)))
    r = combine(net)
    assert (r.k, r.k_low, r.k_high, r.floor_applied) == (1.0, 1.0, 1.0, True)
    assert point_k(net) == 1.0 and point_k(net, floor=False) == 0.0


def test_scenarios_are_summed():
    net = _net(
        node("base", count(1000), role="base"),
        node("no_landlord", None, scenarios=(
            Scenario(question="owns", estimate=frac(0.6)),
            Scenario(question="parents", estimate=frac(0.15)),
        )),
    )
    assert combine(net).k == pytest.approx(750.0)
    assert point_k(net) == pytest.approx(750.0)


def test_combine_validates_first():
    cyclic = _net(node("base", count(10), role="base"), node("a", frac(0.5), parents=("b",)), node("b", frac(0.5), parents=("a",)))
    with pytest.raises(CycleError) as info:
        combine(cyclic)
    assert CANARY not in str(info.value)
    with pytest.raises(MissingParentError):
        combine(_net(node("base", count(10), role="base"), node("a", frac(0.5), parents=("z",))))
    with pytest.raises(MissingEstimateError):
        combine(_net(node("base", count(10), role="base"), node("a", None)))
    with pytest.raises(MissingEstimateError):
        point_k(_net(node("base", None, role="base")))


def test_bad_arguments():
    with pytest.raises(ValueError):
        combine(_example(), draws=0)
    with pytest.raises(ValueError):
        combine(_example(), level=1.0)


@settings(max_examples=60, deadline=None)
@given(networks(allow_zero=True), st.integers(0, 2**16))
def test_k_at_least_one_and_interval_contains_median(net, seed):
    r = combine(net, draws=DRAWS, seed=seed)
    assert 1.0 <= r.k_low <= r.k <= r.k_high
    # The flag says exactly whether the unfloored median fell below 1.
    logs = np.sort(log_k_draws(net, draws=DRAWS, seed=seed))
    median_below_one = logs[DRAWS // 2] < 0.0 and logs[DRAWS // 2 - 1] < 0.0
    median_above_one = logs[DRAWS // 2] > 0.0 and logs[DRAWS // 2 - 1] > 0.0
    if median_below_one:
        assert r.floor_applied and r.k == 1.0
    if median_above_one:
        assert not r.floor_applied and r.k > 1.0
    assert point_k(net) >= 1.0


@settings(max_examples=40, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_factor_order_does_not_change_k(net, rnd):
    shuffled = list(net.nodes)
    rnd.shuffle(shuffled)
    other = Network(nodes=tuple(shuffled))
    assert combine(other, draws=DRAWS) == combine(net, draws=DRAWS)
    assert point_k(other) == point_k(net)


@settings(max_examples=40, deadline=None)
@given(networks(max_factors=4))
def test_point_k_is_the_product(net):
    expected = math.prod(n.estimate.value for n in net.nodes)
    assert point_k(net, floor=False) == pytest.approx(expected, rel=1e-9)
