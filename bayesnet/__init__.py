"""The network: validation, combination in log space, contributions, pgmpy conversion.

Pure functions on ``records`` values, no I/O. The pgmpy bridge is imported on
first use of its names, since importing pgmpy takes seconds.
"""

from __future__ import annotations

from typing import Any

from bayesnet.combine import WORLD_POPULATION, combine, log10_sd, log_k_draws, point_k
from bayesnet.contributions import contribution
from bayesnet.distributions import estimate_log_draws, node_log_draws, node_point
from bayesnet.validate import NetworkBuilder, validate

_BRIDGE = ("joint_probability", "network_figure", "to_bif", "to_pgmpy")

__all__ = [
    "NetworkBuilder",
    "WORLD_POPULATION",
    "combine",
    "contribution",
    "estimate_log_draws",
    "log10_sd",
    "log_k_draws",
    "node_log_draws",
    "node_point",
    "point_k",
    "validate",
    *_BRIDGE,
]


def __getattr__(name: str) -> Any:
    if name in _BRIDGE:
        from bayesnet import pgmpy_bridge

        return getattr(pgmpy_bridge, name)
    raise AttributeError(f"module 'bayesnet' has no attribute {name!r}")
