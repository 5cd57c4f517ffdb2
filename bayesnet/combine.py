"""Combination of a network into k: k = n * prod P(node | parents), in log space.

``combine`` propagates every node's distribution by Monte Carlo and reports
k as the **median of the draws**, with the interval from the draws'
quantiles. The median (not the product of point values) is reported
because it is the centre of the same distribution the interval describes,
so ``k_low <= k <= k_high`` holds by construction; ``point_k`` gives the
plain product of point values for callers that want a number free of
sampling. With symmetric (in log) intervals the two agree up to Monte
Carlo noise.

The author exists, so k >= 1: k, k_low and k_high are floored at 1, and
``floor_applied`` says when the unfloored median was below 1.
"""

from __future__ import annotations

import math

import numpy as np

from bayesnet.distributions import node_log_draws, node_point
from bayesnet.validate import validate
from records.types import KInterval, Network

__all__ = ["combine", "log_k_draws", "log10_sd", "point_k"]

# Draws of log k below this are clipped: numpy quantiles interpolate -inf into
# NaN, and anything below 0 is floored to k = 1 anyway.
_LOG_CLIP = -700.0

# People alive, roughly (UN World Population Prospects 2024 puts 2025 at ~8.2e9): the
# largest base population any network may have, and the ceiling of every k.
WORLD_POPULATION = 8.1e9


def _check_args(draws: int, level: float | None = None) -> None:
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if level is not None and not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")


def log_k_draws(network: Network, *, draws: int = 4000, seed: int = 0) -> np.ndarray:
    """Unfloored draws of natural-log k (may hold -inf where a factor is 0)."""
    _check_args(draws)
    validate(network, require_estimates=True)
    total = np.zeros(draws)
    # Sum in node-id order: the listing order of factors must not change k,
    # not even in the last bit of a float.
    for node in sorted(network.nodes, key=lambda n: n.id):
        total = total + node_log_draws(node, draws, seed)
    return total


def log10_sd(network: Network, *, draws: int = 4000, seed: int = 0) -> float:
    """Standard deviation of log10 k over the draws, after the floor at k = 1."""
    logs = np.maximum(log_k_draws(network, draws=draws, seed=seed), 0.0)
    return float(np.std(logs / math.log(10.0)))


def combine(network: Network, *, draws: int = 4000, seed: int = 0, level: float = 0.9) -> KInterval:
    """k (median of the draws), its ``level`` interval, the floor flag and log10 spread."""
    _check_args(draws, level)
    logs = np.maximum(log_k_draws(network, draws=draws, seed=seed), _LOG_CLIP)
    tail = (1.0 - level) / 2.0
    q_low, q_mid, q_high = np.quantile(logs, [tail, 0.5, 1.0 - tail])
    floored = np.maximum(logs, 0.0)
    return KInterval(
        k=max(1.0, math.exp(q_mid)),
        k_low=max(1.0, math.exp(q_low)),
        k_high=max(1.0, math.exp(q_high)),
        floor_applied=bool(q_mid < 0.0),
        log10_sd=float(np.std(floored / math.log(10.0))),
    )


def point_k(network: Network, *, floor: bool = True) -> float:
    """The plain product of point values, n * prod p (scenario sums capped at 1).

    ``floor=False`` returns the unfloored product (it may be below 1, or 0).
    """
    validate(network, require_estimates=True)
    k = 1.0
    for node in sorted(network.nodes, key=lambda n: n.id):
        k *= node_point(node)
    return max(1.0, k) if floor else k
