"""Shared builders and hypothesis strategies for the bayesnet tests."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from bayesnet import NetworkBuilder
from records.types import Estimate, Network, Node, Provenance

PROV = Provenance(component="test.v1", source="reference")
# Questions carry this marker so tests can check it never reaches a message.
CANARY = "CANARY-QUESTION-7f3a"


def frac(value: float, low: float | None = None, high: float | None = None, samples: tuple[float, ...] = ()) -> Estimate:
    return Estimate(
        kind="fraction", value=value, low=value if low is None else low,
        high=value if high is None else high, samples=samples, provenance=PROV,
    )


def count(value: float, low: float | None = None, high: float | None = None) -> Estimate:
    return Estimate(
        kind="count", value=value, low=value if low is None else low,
        high=value if high is None else high, provenance=PROV,
    )


def node(node_id: str, estimate: Estimate | None = None, parents: tuple[str, ...] = (), role: str = "factor", **kw) -> Node:
    return Node(id=node_id, role=role, parents=parents, question=f"{CANARY} {node_id}", estimate=estimate, **kw)


@st.composite
def fractions(draw, *, allow_zero: bool = False) -> Estimate:
    """A fraction with an interval around it (possibly a point)."""
    lo_bound = 0.0 if allow_zero else 1e-6
    value = draw(st.floats(min_value=lo_bound, max_value=1.0))
    if value == 0.0:
        return frac(0.0)
    spread_low = draw(st.floats(min_value=1.0, max_value=10.0))
    spread_high = draw(st.floats(min_value=1.0, max_value=10.0))
    return frac(value, value / spread_low, min(1.0, value * spread_high))


@st.composite
def counts(draw) -> Estimate:
    log_n = draw(st.floats(min_value=0.0, max_value=math.log(8e9)))
    value = math.exp(log_n)
    spread = draw(st.floats(min_value=1.0, max_value=5.0))
    return count(value, value / spread, value * spread)


@st.composite
def networks(draw, *, max_factors: int = 6, allow_zero: bool = False) -> Network:
    """A valid network: a base, then factors whose parents are earlier nodes."""
    b = NetworkBuilder().add_base("base", f"{CANARY} base", draw(counts()))
    ids = ["base"]
    for i in range(draw(st.integers(min_value=0, max_value=max_factors))):
        node_id = f"f{i}"
        parents = draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
        b.add_factor(node_id, f"{CANARY} {node_id}", draw(fractions(allow_zero=allow_zero)), parents=parents)
        ids.append(node_id)
    return b.build()
