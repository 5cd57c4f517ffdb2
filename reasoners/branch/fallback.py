"""The typed defaults BRANCH falls back on when the model's answer cannot be used.

- a network: the rule-built one of the statistical reasoner when it is
  installed, else a chain built here (the place as base population, every
  later attribute conditioned on all earlier ones: dependence assumed, not
  ignored);
- an estimate: the category prior when the estimators are installed, else a
  wide guess that leans towards a small k (kanon leans towards risk when
  unsure).
"""

from __future__ import annotations

import logging
from typing import Any

from bayesnet import WORLD_POPULATION
from records.types import Attribute, Estimate, Network, Node, Provenance
from reasoners.questions import place_phrase, predicate

log = logging.getLogger(__name__)

COMPONENT = "branch.v1"

__all__ = ["chain_network", "default_rule_reasoner", "guess_estimate", "COMPONENT"]


def chain_network(attributes: list[Attribute]) -> Network:
    """A rule-built chain: base = the first place disclosed (or the world), then the rest in order."""
    places = [a for a in attributes if a.category == "Location"]
    base_attrs = places[:1]
    rest = [a for a in attributes if a not in base_attrs]
    base_q = f"How many people live in {place_phrase(base_attrs[0] if base_attrs else None)}?"
    nodes = [Node(id="n0", role="base", attribute_ids=tuple(a.id for a in base_attrs), question=base_q)]
    for i, a in enumerate(rest, start=1):
        nodes.append(Node(
            id=f"n{i}",
            attribute_ids=(a.id,),
            parents=tuple(n.id for n in nodes),
            question=f"What share of the people described by the earlier factors {predicate(a)}?",
        ))
    return Network(nodes=tuple(nodes))


def default_rule_reasoner() -> Any | None:
    """The statistical reasoner (its rule-built networks), when that module is installed."""
    try:
        from reasoners.statistical.reasoner import StatisticalReasoner
    except ImportError:
        return None
    try:
        return StatisticalReasoner()
    except Exception as e:  # its own defaults could not be built here; the chain will do
        log.info("statistical reasoner unavailable as fallback: %s", type(e).__name__)
        return None


def guess_estimate(kind: str, fallbacks: tuple[str, ...], note: str) -> Estimate:
    """A wide guess, flagged as one: a fraction of 0.1 in [0.001, 1]; a count of the world."""
    prov = Provenance(component=COMPONENT, source="prior", guess=True, fallbacks=fallbacks, note=note)
    if kind == "count":
        return Estimate(kind="count", value=WORLD_POPULATION, low=1.0, high=WORLD_POPULATION,
                        provenance=prov)
    return Estimate(kind="fraction", value=0.1, low=0.001, high=1.0, provenance=prov)
