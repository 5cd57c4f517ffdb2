"""Bounds on what a model's answers may do to k, each one flagged where it acts.

A model answer can pass every check of its step and still make the risk look
smaller than it is: a count larger than the place it counts (k beyond the
world's population, risk "low"), or a network that keeps one of three
disclosures (k a million times too large). kanon leans towards a smaller k
when unsure, so:

- every disclosed attribute is in the network: one the model left out is
  added back as a factor conditioned on all the others (dependence assumed),
  and the network says so;
- a count the model gave is at most the population of the place it counts,
  when the statistics know that place, and at most the world's otherwise.

Each bound leaves a flag (``reasoners.flags``) in the factor's provenance,
which the assessment turns into a warning a person reads.
"""

from __future__ import annotations

from typing import Any

from bayesnet import WORLD_POPULATION
from records.errors import KanonError
from records.types import Attribute, Estimate, Network, Node, SubQuestion
from reasoners.flags import FLAG
from reasoners.questions import predicate


def keep_every_attribute(net: Network, attributes: list[Attribute]) -> tuple[Network, tuple[str, ...]]:
    """``net`` with a factor for each attribute no node holds, and the note saying so."""
    held = {a for n in net.nodes for a in n.attribute_ids}
    missing = [a for a in attributes if a.id not in held]
    if not missing:
        return net, ()
    nodes = list(net.nodes)
    taken = {n.id for n in nodes}
    for a in missing:
        node_id = f"kept_{a.id}"
        while node_id in taken:
            node_id += "_"
        taken.add(node_id)
        nodes.append(Node(
            id=node_id,
            attribute_ids=(a.id,),
            parents=tuple(n.id for n in nodes),
            question=f"What share of the people described by the earlier factors {predicate(a)}?",
        ))
    kinds = ", ".join(sorted({a.category for a in missing}))
    note = (f"{FLAG}the model's network left out {len(missing)} disclosed attribute(s) ({kinds}); "
            "each was added back as a factor")
    return Network(nodes=tuple(nodes)), (note,)


def bound_count(est: Estimate, bound: float, where: str) -> Estimate:
    """``est`` with value, low and high at most ``bound`` (the population of ``where``), flagged."""
    if est.value <= bound and est.high <= bound:
        return est
    note = f"{FLAG}the model's count ({est.value:.3g}) is above the population of {where} ({bound:.3g}); bounded to it"
    prov = est.provenance.model_copy(update={"fallbacks": est.provenance.fallbacks + (note,)})
    value = min(est.value, bound)
    return est.model_copy(update={
        "value": value, "low": min(est.low, value), "high": min(est.high, bound), "provenance": prov,
        "samples": tuple(min(s, bound) for s in est.samples),
    })



def population_bound(statistics: Any, places: list[Attribute], question: str = "") -> tuple[float, str]:
    """The smallest population the statistics know among ``places``, else the world's."""
    bound, where = WORLD_POPULATION, "the world"
    for place in places if statistics is not None else ():
        if place.category != "Location":
            continue
        sq = SubQuestion(node_id="bound", kind="count", target=(place,), text=question or "population")
        try:
            est = statistics.estimate(sq)
        except KanonError:
            continue
        if est is not None and est.kind == "count" and not est.provenance.guess and est.high < bound:
            bound, where = est.high, "the place it counts"
    return bound, where


def bound_k(net: Network, statistics: Any, attributes: list[Attribute]) -> Network:
    """``net`` whose k is at most the population of every place disclosed (and of the world).

    Everyone who matches all the attributes matches each place, so k cannot
    exceed the smallest of them, however the model split the question. When
    the model's answers imply more, the base count is scaled down to the bound.
    """
    from bayesnet.combine import point_k  # numpy and pgmpy's neighbours: loaded when first needed

    if all(n.estimate is None or n.estimate.provenance.source != "llm" for n in net.nodes):
        return net  # the statistics alone: their own tables bound them
    bound, where = population_bound(statistics, attributes)
    k = point_k(net, floor=False)
    if k <= bound:
        return net
    scale = bound / k
    base = net.base
    est = base.estimate
    note = (f"{FLAG}the model's answers give k = {k:.3g}, above the population of "
            f"{'a place disclosed' if where != 'the world' else where} ({bound:.3g}); its base count was scaled to fit")
    scaled = est.model_copy(update={
        "value": est.value * scale, "low": max(1.0, est.low * scale), "high": max(1.0, est.high * scale),
        "samples": tuple(s * scale for s in est.samples),
        "provenance": est.provenance.model_copy(update={"fallbacks": est.provenance.fallbacks + (note,)}),
    })
    nodes = tuple(n.model_copy(update={"estimate": scaled}) if n.id == base.id else n for n in net.nodes)
    return Network(nodes=nodes)
