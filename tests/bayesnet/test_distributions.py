from __future__ import annotations

import math

import numpy as np
import pytest
from bayesnet_strategies import count, frac, fractions, node
from hypothesis import given, settings

from bayesnet.distributions import (
    JITTER_SD,
    ZERO_LOW_DECADES,
    estimate_log_draws,
    node_log_draws,
    node_point,
    rng_for,
)
from records.errors import MissingEstimateError
from records.types import Scenario

N = 20000


def _draws(est, n=N, seed=1):
    return estimate_log_draws(est, n, np.random.default_rng(seed))


def test_point_estimate_is_constant():
    d = _draws(frac(0.25))
    assert np.all(d == math.log(0.25))
    d = _draws(count(1234.0))
    assert np.all(d == math.log(1234.0))


@pytest.mark.parametrize("est", [count(1e6, 2e5, 3e6), frac(0.01, 0.001, 0.02), frac(0.3, 0.25, 0.6)])
def test_median_is_value_and_90pct_interval_is_low_high(est):
    # Split log-normal: each side is calibrated separately, so asymmetric intervals hold.
    x = np.exp(_draws(est))
    q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
    assert q50 == pytest.approx(est.value, rel=0.05)
    assert q05 == pytest.approx(est.low, rel=0.08)
    assert q95 == pytest.approx(est.high, rel=0.08)


@settings(max_examples=60)
@given(fractions(allow_zero=True))
def test_fraction_draws_stay_in_unit_interval(est):
    d = _draws(est, n=500)
    assert np.all(d <= 0.0)
    assert not np.any(np.isnan(d))


def test_fraction_near_one_with_samples_never_exceeds_one():
    d = _draws(frac(1.0, 0.9, 1.0, samples=(1.0, 1.0, 0.95)))
    assert d.max() == 0.0
    assert np.all(d <= 0.0)


def test_zero_fraction_is_minus_infinity():
    assert np.all(np.isneginf(_draws(frac(0.0, 0.0, 0.1), n=100)))


def test_zero_low_end_reaches_a_few_decades_down():
    est = frac(0.01, 0.0, 0.02)
    x = np.exp(_draws(est))
    assert np.all(np.isfinite(np.log(x)))
    assert np.median(x) == pytest.approx(0.01, rel=0.05)
    assert np.quantile(x, 0.05) == pytest.approx(0.01 * 10 ** -ZERO_LOW_DECADES, rel=0.2)


def test_samples_are_resampled_with_a_little_jitter():
    samples = (0.01, 0.02, 0.04)
    d = _draws(frac(0.02, 0.01, 0.04, samples=samples))
    # Every draw lies near one of the samples (within 5 jitter sds) and all are used.
    dist = np.min(np.abs(d[:, None] - np.log(samples)[None, :]), axis=1)
    assert dist.max() < 5 * JITTER_SD
    nearest = np.argmin(np.abs(d[:, None] - np.log(samples)[None, :]), axis=1)
    assert set(nearest.tolist()) == {0, 1, 2}
    assert np.median(np.exp(d)) == pytest.approx(0.02, rel=0.1)
    # Jitter: draws are not just the three sample values.
    assert len(np.unique(d)) > 100


def test_zero_samples_give_minus_infinity_draws():
    d = _draws(frac(0.0, 0.0, 0.5, samples=(0.0, 0.5)))
    share = np.mean(np.isneginf(d))
    assert 0.4 < share < 0.6


def test_scenarios_sum_and_cap():
    n = node("x", None, scenarios=(Scenario(question="a", estimate=frac(0.2)), Scenario(question="b", estimate=frac(0.1))))
    assert node_point(n) == pytest.approx(0.3)
    assert np.allclose(node_log_draws(n, 50, seed=0), math.log(0.3))
    capped = node("y", None, scenarios=(Scenario(question="a", estimate=frac(0.7)), Scenario(question="b", estimate=frac(0.6))))
    assert node_point(capped) == 1.0
    assert np.all(node_log_draws(capped, 50, seed=0) == 0.0)


def test_uncertain_scenarios_sum_in_linear_space():
    a, b = frac(0.2, 0.1, 0.4), frac(0.05, 0.01, 0.1)
    n = node("x", None, scenarios=(Scenario(question="a", estimate=a), Scenario(question="b", estimate=b)))
    s = np.exp(node_log_draws(n, N, seed=3))
    # The sum is at least each part, draw by draw, and centred near the sum of medians.
    assert np.median(s) == pytest.approx(0.25, rel=0.1)
    assert s.min() > 0
    assert np.all(s <= 1.0)


def test_scenario_node_ignores_own_estimate_and_needs_scenario_estimates():
    n = node("x", frac(0.9), scenarios=(Scenario(question="a", estimate=frac(0.1)),))
    assert node_point(n) == pytest.approx(0.1)
    missing = node("x", None, scenarios=(Scenario(question="a"),))
    with pytest.raises(MissingEstimateError):
        node_point(missing)
    with pytest.raises(MissingEstimateError):
        node_log_draws(missing, 10, seed=0)
    with pytest.raises(MissingEstimateError):
        node_log_draws(node("z", None), 10, seed=0)


def test_streams_depend_on_seed_and_key_only():
    a = rng_for(7, "node-a").standard_normal(5)
    assert np.array_equal(a, rng_for(7, "node-a").standard_normal(5))
    assert not np.array_equal(a, rng_for(7, "node-b").standard_normal(5))
    assert not np.array_equal(a, rng_for(8, "node-a").standard_normal(5))
