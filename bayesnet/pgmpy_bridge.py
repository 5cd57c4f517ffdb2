"""Conversion of a kanon network to a pgmpy ``DiscreteBayesianNetwork``.

Every node becomes a binary variable, state 1 meaning "matches" (lives in
Leeds, is a nurse, ...). The base node becomes a root with
P(base = 1) = n / world. A factor's estimate is P(node = 1 | every parent =
1), the only row kanon knows; the other parent configurations carry no
information, so they repeat the same value. k only ever reads the evidence
row where every node is 1, so the filler never changes it; queries that
condition on a parent being 0 do read the filler and mean little.

The conversion is what ``kanon assess --network FILE`` hands the user: the
network as a BIF file (``to_bif``, readable by pgmpy and other Bayesian
network tools) or a drawing (``network_figure``; the shell writes it). pgmpy
checks the model on the way (``check_model``) and computes the joint
probability of the evidence independently of kanon's arithmetic (a
cross-check of ``combine``, tested). This is the only module that imports
pgmpy (a slow import, so ``bayesnet`` loads it lazily).
"""

from __future__ import annotations

import numpy as np
from pgmpy.factors.discrete import TabularCPD
from pgmpy.models import DiscreteBayesianNetwork

from bayesnet.combine import WORLD_POPULATION
from bayesnet.distributions import node_point
from bayesnet.validate import validate
from records.errors import PopulationError
from records.types import Network

__all__ = ["joint_probability", "network_figure", "to_bif", "to_pgmpy"]
# Parent count beyond which the 2^parents CPD table is refused (2^20 columns).
_MAX_PARENTS = 20


def to_pgmpy(network: Network, *, world: float = WORLD_POPULATION) -> DiscreteBayesianNetwork:
    """A checked pgmpy model of ``network`` with binary nodes (state 1 = matches)."""
    order = validate(network, require_estimates=True)
    n = network.base.estimate.value  # type: ignore[union-attr]  # required above
    if not world > 0 or n > world:
        raise PopulationError(f"base node {network.base.id!r}: count exceeds the world population given")
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(order)
    for node_id in order:
        for p in network.node(node_id).parents:
            model.add_edge(p, node_id)
    states = [0, 1]
    cpds = []
    for node_id in order:
        node = network.node(node_id)
        p1 = n / world if node.role == "base" else node_point(node)
        parents = list(node.parents)
        if len(parents) > _MAX_PARENTS:
            raise PopulationError(f"node {node_id!r} has {len(parents)} parents; at most {_MAX_PARENTS} convert")
        columns = 2 ** len(parents)
        values = np.array([[1.0 - p1] * columns, [p1] * columns])
        cpds.append(
            TabularCPD(
                variable=node_id,
                variable_card=2,
                values=values,
                evidence=parents or None,
                evidence_card=[2] * len(parents) or None,
                state_names={node_id: states, **{p: states for p in parents}},
            )
        )
    model.add_cpds(*cpds)
    model.check_model()
    return model


def joint_probability(network: Network, *, world: float = WORLD_POPULATION) -> float:
    """P(every node = 1) computed by pgmpy; times ``world`` it is the unfloored point k."""
    model = to_pgmpy(network, world=world)
    return float(model.get_state_probability({node_id: 1 for node_id in model.nodes()}))


def to_bif(network: Network, *, world: float = WORLD_POPULATION) -> str:
    """The network in BIF, the interchange format of Bayesian network tools (pgmpy's writer)."""
    from pgmpy.readwrite import BIFWriter

    return str(BIFWriter(to_pgmpy(network, world=world)))


def network_figure(network: Network, *, world: float = WORLD_POPULATION):
    """A matplotlib ``Figure`` of the DAG: node ids and point values, no questions. Nothing is written."""
    import networkx as nx
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    model = to_pgmpy(network, world=world)
    graph = nx.DiGraph(model.edges())
    graph.add_nodes_from(model.nodes())
    labels = {}
    for node in network.nodes:
        value = node_point(node)
        labels[node.id] = f"{node.id}\nn={value:.3g}" if node.role == "base" else f"{node.id}\np={value:.3g}"
    # Layered by depth so that parents sit above their children.
    depth: dict[str, int] = {}
    for node_id in validate(network):
        parents = network.node(node_id).parents
        depth[node_id] = 1 + max((depth[p] for p in parents), default=-1)
    for node_id, d in depth.items():
        graph.nodes[node_id]["layer"] = d
    pos = nx.multipartite_layout(graph, subset_key="layer", align="horizontal", scale=-1.0)

    # A Figure without pyplot: no global figure state, safe in worker threads.
    fig = Figure(figsize=(max(4.0, 1.8 * len(network.nodes)), 3.0 + 1.2 * max(depth.values())))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    nx.draw_networkx(
        graph, pos, ax=ax, labels=labels, node_color="#dde8f5", edgecolors="#335577",
        node_size=2600, font_size=8, arrows=True, arrowsize=14,
    )
    ax.margins(0.15)  # room for the node discs at the edges
    ax.set_axis_off()
    fig.tight_layout()
    return fig
