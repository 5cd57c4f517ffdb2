"""Monte Carlo draws for estimates and nodes, in natural-log space.

An ``Estimate`` becomes draws of log(value):

- with ``samples``: the samples are resampled with a little multiplicative
  jitter (a smoothed bootstrap), so that a handful of identical model
  answers does not pretend to be exact;
- without: a split log-normal whose median is ``value`` and whose 5% and
  95% quantiles are ``low`` and ``high`` (two half-normals in log space, so
  an asymmetric interval is honoured on each side). ``low == high == value``
  gives a constant.

Fractions stay within (0, 1]: their log draws are capped at 0. A fraction
of exactly 0 ("nobody matches") is log 0 = -inf; it is carried as -inf and
the combination floors k at 1. A fraction interval whose low end is 0 cannot
be a log-normal; its lower tail is taken to reach ``ZERO_LOW_DECADES``
orders of magnitude below the value instead, which widens k's interval
downwards (the cautious side: smaller k means more risk).

Each node draws from its own random stream, keyed by the seed and the node
id: removing or reordering other nodes never changes a node's draws, which
makes leave-one-out comparisons exact rather than noisy.
"""

from __future__ import annotations

import hashlib
import math
from statistics import NormalDist

import numpy as np

from records.errors import MissingEstimateError
from records.types import Estimate, Node

__all__ = [
    "JITTER_SD",
    "ZERO_LOW_DECADES",
    "Z90",
    "estimate_log_draws",
    "node_log_draws",
    "node_point",
    "rng_for",
]

# z of the 95th percentile: low/high of an Estimate are read as a 90% interval.
Z90 = NormalDist().inv_cdf(0.95)
# Standard deviation (natural log) of the jitter added to resampled samples: ~5%.
JITTER_SD = 0.05
# How far below a positive value a fraction interval with low == 0 reaches.
ZERO_LOW_DECADES = 3.0


def rng_for(seed: int, *keys: str) -> np.random.Generator:
    """A random stream determined by ``seed`` and ``keys`` (stable across processes)."""
    words = [int(seed) & 0xFFFFFFFF]
    for key in keys:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        words.extend(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(words))


def _safe_log(x: float | np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(x, dtype=float))


def estimate_log_draws(estimate: Estimate, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``draws`` draws of log(value) for one estimate."""
    fraction = estimate.kind == "fraction"
    if estimate.samples:
        logs = _safe_log(np.array(estimate.samples, dtype=float))
        out = rng.choice(logs, size=draws) + rng.normal(0.0, JITTER_SD, size=draws)
    elif estimate.value == 0.0:
        # Nobody matches: no spread to speak of, and log-normal tails make no sense at 0.
        out = np.full(draws, -np.inf)
    else:
        mu = math.log(estimate.value)
        # In logs: value * 1e-3 could underflow to 0 for a tiny value.
        log_low = math.log(estimate.low) if estimate.low > 0.0 else mu - ZERO_LOW_DECADES * math.log(10.0)
        sd_low = (mu - log_low) / Z90
        sd_high = (math.log(estimate.high) - mu) / Z90
        if sd_low == 0.0 and sd_high == 0.0:
            out = np.full(draws, mu)
        else:
            z = rng.standard_normal(draws)
            out = mu + np.where(z < 0.0, z * sd_low, z * sd_high)
    if fraction:
        # -inf stays -inf; jitter or the upper tail must not push a share above 1.
        out = np.minimum(out, 0.0)
    return out


def node_log_draws(node: Node, draws: int, seed: int) -> np.ndarray:
    """Draws of log P(node | parents) (or log n for the base node).

    A node split into scenarios takes the sum of its scenarios' draws
    (disjoint cases add up), capped at 1.
    """
    if node.scenarios:
        total = np.zeros(draws)
        for i, sc in enumerate(node.scenarios):
            if sc.estimate is None:
                raise MissingEstimateError(f"node {node.id!r}: scenario {i} has no estimate")
            logs = estimate_log_draws(sc.estimate, draws, rng_for(seed, node.id, f"scenario:{i}"))
            total += np.exp(logs)
        return _safe_log(np.minimum(total, 1.0))
    if node.estimate is None:
        raise MissingEstimateError(f"node {node.id!r} has no estimate")
    return estimate_log_draws(node.estimate, draws, rng_for(seed, node.id))


def node_point(node: Node) -> float:
    """The node's point value: its estimate's value, or its scenarios' sum capped at 1."""
    if node.scenarios:
        total = 0.0
        for i, sc in enumerate(node.scenarios):
            if sc.estimate is None:
                raise MissingEstimateError(f"node {node.id!r}: scenario {i} has no estimate")
            total += sc.estimate.value
        return min(total, 1.0)
    if node.estimate is None:
        raise MissingEstimateError(f"node {node.id!r} has no estimate")
    return float(node.estimate.value)
