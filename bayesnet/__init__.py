"""The network: validation, combination in log space, leave-one-out, pgmpy conversion.

Pure functions on ``records.types`` values, no I/O. The pgmpy bridge is
imported on first use of its names, since importing pgmpy takes seconds.
"""

from __future__ import annotations

from typing import Any

from bayesnet.combine import combine, log10_sd, log_k_draws, point_k
from bayesnet.contributions import (
    Reestimate,
    attribute_contributions,
    children,
    contributions,
    generalise_node,
    remove_node,
    widen_base,
)
from bayesnet.distributions import estimate_log_draws, node_log_draws, node_point
from bayesnet.validate import NetworkBuilder, validate

_BRIDGE = ("WORLD_POPULATION", "joint_probability", "plot_network", "to_pgmpy")

__all__ = [
    "NetworkBuilder",
    "Reestimate",
    "attribute_contributions",
    "children",
    "combine",
    "contributions",
    "estimate_log_draws",
    "generalise_node",
    "log10_sd",
    "log_k_draws",
    "node_log_draws",
    "node_point",
    "point_k",
    "remove_node",
    "validate",
    "widen_base",
    *_BRIDGE,
]


def __getattr__(name: str) -> Any:
    if name in _BRIDGE:
        from bayesnet import pgmpy_bridge

        return getattr(pgmpy_bridge, name)
    raise AttributeError(f"module 'bayesnet' has no attribute {name!r}")
