"""Leave-one-out and generalisation on a network: what each node does to k.

Removing a node X changes the conditioning of its children: P(C | X, rest)
must become P(C | rest). ``remove_node`` drops X, gives each child X's own
parents in place of X (so that a child of "nurse", which was a child of
"Leeds", stays conditioned on Leeds: marginalising X out keeps X's parents
as the child's context), clears the children's estimates and returns their
ids. Re-estimating them is the caller's job (an estimator or a model), so
this module stays pure.

The base node cannot be removed: without it there is no population. Widening
the base (Leeds -> the world, or -> the UK) is what leaving out the
attribute merged into it means; ``widen_base`` does that, and
``contributions`` covers the base only when given the wider base's estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bayesnet.combine import combine
from bayesnet.validate import validate
from records.errors import PopulationError, ProbabilityError
from records.types import Contribution, Estimate, KInterval, Network, Node

__all__ = [
    "Reestimate",
    "attribute_contributions",
    "children",
    "contributions",
    "generalise_node",
    "remove_node",
    "widen_base",
]

# Fills the estimates of the named nodes (whose conditioning changed) and
# returns the completed network.
Reestimate = Callable[[Network, list[str]], Network]


def children(network: Network, node_id: str) -> list[str]:
    """Ids of the nodes that list ``node_id`` as a parent, in listing order."""
    return [n.id for n in network.nodes if node_id in n.parents]


def _cleared(node: Node, parents: tuple[str, ...]) -> Node:
    # Scenarios were split for the old conditioning; the caller re-splits if needed.
    return node.model_copy(update={"parents": parents, "estimate": None, "scenarios": ()})


def remove_node(network: Network, node_id: str) -> tuple[Network, list[str]]:
    """The network without ``node_id``, and the ids of the nodes whose conditioning changed.

    Those nodes (the removed node's children) lose their estimates and
    scenarios and inherit the removed node's parents. Raises
    ``PopulationError`` for the base node (see ``widen_base``) and
    ``KeyError`` for an unknown id.
    """
    validate(network)
    removed = network.node(node_id)
    if removed.role == "base":
        raise PopulationError(
            f"node {node_id!r} is the base population; widen it (widen_base) instead of removing it"
        )
    changed: list[str] = []
    nodes: list[Node] = []
    for n in network.nodes:
        if n.id == node_id:
            continue
        if node_id in n.parents:
            parents: list[str] = []
            for p in n.parents:
                for q in (removed.parents if p == node_id else (p,)):
                    if q not in parents:
                        parents.append(q)
            nodes.append(_cleared(n, tuple(parents)))
            changed.append(n.id)
        else:
            nodes.append(n)
    out = Network(nodes=tuple(nodes))
    validate(out)
    return out, changed


def _check_kind(node: Node, estimate: Estimate) -> None:
    if node.role == "base" and estimate.kind != "count":
        raise PopulationError(f"base node {node.id!r} must carry a count, got a {estimate.kind}")
    if node.role != "base" and estimate.kind != "fraction":
        raise ProbabilityError(f"node {node.id!r} must carry a fraction, got a {estimate.kind}")


def generalise_node(network: Network, node_id: str, estimate: Estimate, *, question: str | None = None) -> Network:
    """The network with one node's estimate replaced (a city widened to its country).

    Scenarios of that node are dropped (the new estimate is for the wider
    value). Children keep their estimates: conditioning on the narrower
    value stands in for conditioning on the wider one. Callers wanting them
    re-conditioned use ``children()`` and re-estimate.
    """
    validate(network)
    target = network.node(node_id)
    _check_kind(target, estimate)
    update: dict[str, object] = {"estimate": estimate, "scenarios": ()}
    if question is not None:
        update["question"] = question
    nodes = tuple(n.model_copy(update=update) if n.id == node_id else n for n in network.nodes)
    out = Network(nodes=nodes)
    validate(out)
    return out


def widen_base(network: Network, estimate: Estimate, *, question: str | None = None) -> tuple[Network, list[str]]:
    """Replace the base population by a wider one; return the network and the changed nodes.

    The base's children were conditioned on the narrower population, so they
    are cleared like the children of a removed node.
    """
    widened = generalise_node(network, network.base.id, estimate, question=question)
    base_id = widened.base.id
    changed = children(widened, base_id)
    nodes = tuple(_cleared(n, n.parents) if n.id in changed else n for n in widened.nodes)
    return Network(nodes=nodes), changed


def contributions(
    network: Network,
    reestimate: Reestimate,
    *,
    wider_base: Estimate | None = None,
    draws: int = 4000,
    seed: int = 0,
    level: float = 0.9,
) -> dict[str, KInterval]:
    """k without each node, by node id.

    Each non-base node is removed in turn; ``reestimate`` fills the nodes
    whose conditioning changed (it is not called when none did). The base
    is included only when ``wider_base`` is given: then k "without" it is k
    with the base widened to that population. All runs share ``seed``, so a
    difference between two results is the node's doing, not sampling noise.
    """
    validate(network, require_estimates=True)
    out: dict[str, KInterval] = {}
    for node in network.nodes:
        if node.role == "base":
            if wider_base is None:
                continue
            reduced, changed = widen_base(network, wider_base)
        else:
            reduced, changed = remove_node(network, node.id)
        if changed:
            reduced = reestimate(reduced, list(changed))
        out[node.id] = combine(reduced, draws=draws, seed=seed, level=level)
    return out


def attribute_contributions(
    network: Network,
    k: KInterval,
    without: Mapping[str, KInterval],
    *,
    generalised: Mapping[str, KInterval] | None = None,
) -> list[Contribution]:
    """``Contribution`` records per attribute, from per-node results.

    An attribute takes the result of the node that holds it; ``factor`` is
    k_without / k (how much the attribute narrows the crowd).
    """
    result: list[Contribution] = []
    for node in network.nodes:
        if node.id not in without:
            continue
        k_without = without[node.id].k
        k_gen = generalised[node.id].k if generalised and node.id in generalised else None
        for attribute_id in node.attribute_ids:
            result.append(
                Contribution(
                    attribute_id=attribute_id,
                    k_without=k_without,
                    factor=k_without / k.k,
                    k_generalised=k_gen,
                )
            )
    return result
