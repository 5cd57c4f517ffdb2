"""Validation of a network, and a builder that refuses a bad node when it is added.

A network is valid when its node ids are unique, every parent is a node of
the network, the parent links form a DAG, there is exactly one base node
(a root carrying a count) and every other node carries fractions. Node
estimates may be missing (a decomposed network is validated before it is
estimated); ``require_estimates=True`` demands them, as ``combine`` does.

Messages name node ids and kinds, never a node's question.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from records.errors import (
    CycleError,
    DuplicateNodeError,
    MissingEstimateError,
    MissingParentError,
    PopulationError,
    ProbabilityError,
)
from records.types import Estimate, Network, Node, Scenario

__all__ = ["NetworkBuilder", "validate"]


def _check_fraction(node_id: str, what: str, est: Estimate) -> None:
    if est.kind != "fraction":
        raise ProbabilityError(f"node {node_id!r}: {what} must be a fraction, got a {est.kind}")
    # Estimate validates itself on construction, but a record built with
    # model_construct (or copied with model_copy(update=...)) skips that: check again.
    for x in (est.value, est.low, est.high, *est.samples):
        if not isinstance(x, (int, float)) or math.isnan(x) or not 0.0 <= x <= 1.0:
            raise ProbabilityError(f"node {node_id!r}: {what} has a value outside [0, 1] or NaN")
    if not est.low <= est.value <= est.high:
        raise ProbabilityError(f"node {node_id!r}: {what} needs low <= value <= high")


def _check_count(node_id: str, est: Estimate) -> None:
    if est.kind != "count":
        raise PopulationError(f"base node {node_id!r} must carry a count, got a {est.kind}")
    for x in (est.value, est.low, est.high, *est.samples):
        if not isinstance(x, (int, float)) or not math.isfinite(x) or x <= 0:
            raise PopulationError(f"base node {node_id!r}: count must be a positive finite number")
    if not est.low <= est.value <= est.high:
        raise PopulationError(f"base node {node_id!r}: count needs low <= value <= high")


def _check_node_values(node: Node, require_estimates: bool) -> None:
    if node.role == "base":
        if node.scenarios:
            raise PopulationError(f"base node {node.id!r} cannot be split into scenarios")
        if node.estimate is not None:
            _check_count(node.id, node.estimate)
        elif require_estimates:
            raise MissingEstimateError(f"base node {node.id!r} has no estimate")
        return
    if node.scenarios:
        # Scenarios replace the node's own estimate (records.Node), so only theirs matter.
        for i, sc in enumerate(node.scenarios):
            if sc.estimate is not None:
                _check_fraction(node.id, f"scenario {i}", sc.estimate)
            elif require_estimates:
                raise MissingEstimateError(f"node {node.id!r}: scenario {i} has no estimate")
    elif node.estimate is not None:
        _check_fraction(node.id, "estimate", node.estimate)
    elif require_estimates:
        raise MissingEstimateError(f"node {node.id!r} has no estimate")


def _find_cycle(nodes: dict[str, Node], remaining: set[str]) -> list[str]:
    """One cycle among ``remaining`` (nodes Kahn's algorithm could not order)."""
    start = min(remaining)
    path: list[str] = []
    seen: dict[str, int] = {}
    cur = start
    while cur not in seen:
        seen[cur] = len(path)
        path.append(cur)
        # Every node left over has at least one parent left over.
        cur = next(p for p in nodes[cur].parents if p in remaining)
    return path[seen[cur]:] + [cur]


def validate(network: Network, *, require_estimates: bool = False) -> list[str]:
    """Check ``network`` and return its node ids in a topological order (parents first).

    The order is deterministic: among nodes that are ready, the one listed
    first in ``network.nodes`` comes first, so the base (a root) leads when
    it is listed first.
    """
    nodes: dict[str, Node] = {}
    for n in network.nodes:
        if n.id in nodes:
            raise DuplicateNodeError(f"node id {n.id!r} appears more than once")
        nodes[n.id] = n

    bases = [n.id for n in network.nodes if n.role == "base"]
    if not bases:
        raise PopulationError("network has no base population node")
    if len(bases) > 1:
        raise PopulationError(f"network has {len(bases)} base nodes: {bases}")
    base = nodes[bases[0]]
    if base.parents:
        raise PopulationError(f"base node {base.id!r} has parents {list(base.parents)}; it must be a root")

    for n in network.nodes:
        if len(set(n.parents)) != len(n.parents):
            raise DuplicateNodeError(f"node {n.id!r} lists a parent more than once")
        for p in n.parents:
            if p == n.id:
                raise CycleError(f"node {n.id!r} is its own parent")
            if p not in nodes:
                raise MissingParentError(f"node {n.id!r} has parent {p!r}, which is not in the network")

    # Kahn's algorithm, ready nodes taken in listing order.
    position = {n.id: i for i, n in enumerate(network.nodes)}
    children: dict[str, list[str]] = {i: [] for i in nodes}
    indegree = {i: len(n.parents) for i, n in nodes.items()}
    for n in network.nodes:
        for p in n.parents:
            children[p].append(n.id)
    ready = sorted((i for i, d in indegree.items() if d == 0), key=position.__getitem__)
    order: list[str] = []
    while ready:
        cur = ready.pop(0)
        order.append(cur)
        for c in children[cur]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
        ready.sort(key=position.__getitem__)
    if len(order) != len(nodes):
        cycle = _find_cycle(nodes, set(nodes) - set(order))
        raise CycleError(f"parent links form a cycle (child -> parent): {' -> '.join(cycle)}")

    for n in network.nodes:
        _check_node_values(n, require_estimates)
    return order


class NetworkBuilder:
    """Builds a network node by node, refusing a bad node at the moment it is added.

    Parents must be added before their children, so a cycle cannot arise
    from ``add_factor``; ``add_parent`` links two existing nodes afterwards
    and refuses a link that would close a cycle (pgmpy's ``add_edge`` does
    the same). ``build()`` validates the whole network once more.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._base: str | None = None

    def _check_new(self, node_id: str, parents: Iterable[str]) -> tuple[str, ...]:
        if node_id in self._nodes:
            raise DuplicateNodeError(f"node id {node_id!r} is already in the network")
        parents = tuple(parents)
        if len(set(parents)) != len(parents):
            raise DuplicateNodeError(f"node {node_id!r} lists a parent more than once")
        for p in parents:
            if p == node_id:
                raise CycleError(f"node {node_id!r} cannot be its own parent")
            if p not in self._nodes:
                raise MissingParentError(f"node {node_id!r} has parent {p!r}, which has not been added")
        return parents

    def add_base(
        self,
        node_id: str,
        question: str,
        estimate: Estimate | None = None,
        *,
        attribute_ids: Iterable[str] = (),
    ) -> "NetworkBuilder":
        if self._base is not None:
            raise PopulationError(f"network already has base node {self._base!r}; cannot add {node_id!r}")
        self._check_new(node_id, ())
        node = Node(id=node_id, role="base", question=question, estimate=estimate,
                    attribute_ids=tuple(attribute_ids))
        _check_node_values(node, require_estimates=False)
        self._nodes[node_id] = node
        self._base = node_id
        return self

    def add_factor(
        self,
        node_id: str,
        question: str,
        estimate: Estimate | None = None,
        *,
        parents: Iterable[str] = (),
        scenarios: Iterable[Scenario] = (),
        attribute_ids: Iterable[str] = (),
    ) -> "NetworkBuilder":
        parents = self._check_new(node_id, parents)
        node = Node(id=node_id, role="factor", question=question, estimate=estimate,
                    parents=parents, scenarios=tuple(scenarios), attribute_ids=tuple(attribute_ids))
        _check_node_values(node, require_estimates=False)
        self._nodes[node_id] = node
        return self

    def _is_ancestor(self, candidate: str, of: str) -> bool:
        stack, seen = [of], set()
        while stack:
            cur = stack.pop()
            if cur == candidate:
                return True
            if cur not in seen:
                seen.add(cur)
                stack.extend(self._nodes[cur].parents)
        return False

    def add_parent(self, child: str, parent: str) -> "NetworkBuilder":
        """Make ``parent`` a parent of ``child``; both must already be in the network."""
        for i in (child, parent):
            if i not in self._nodes:
                raise MissingParentError(f"node {i!r} has not been added")
        node = self._nodes[child]
        if node.role == "base":
            raise PopulationError(f"base node {child!r} cannot have parents")
        if parent in node.parents:
            raise DuplicateNodeError(f"node {child!r} already has parent {parent!r}")
        if parent == child or self._is_ancestor(child, parent):
            raise CycleError(f"linking {parent!r} -> {child!r} would close a cycle")
        self._nodes[child] = node.model_copy(update={"parents": node.parents + (parent,)})
        return self

    def build(self) -> Network:
        network = Network(nodes=tuple(self._nodes.values()))
        validate(network)
        return network
