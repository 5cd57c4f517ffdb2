from __future__ import annotations

import numpy as np
import pytest
from bayesnet_strategies import count, frac, networks, node
from hypothesis import given, settings

from bayesnet import point_k
from bayesnet import WORLD_POPULATION
from bayesnet.pgmpy_bridge import joint_probability, network_figure, to_bif, to_pgmpy
from records.errors import CycleError, MissingEstimateError, PopulationError
from records.types import Network, Scenario


def _example():
    return Network(nodes=(
        node("base", count(8e5, 6e5, 1e6), role="base"),
        node("nurse", frac(0.015, 0.01, 0.02), parents=("base",)),
        node("woman", frac(0.88), parents=("nurse", "base")),
        node("cat", None, scenarios=(Scenario(question="a", estimate=frac(0.2)), Scenario(question="b", estimate=frac(0.05)))),
        node("never", frac(0.0), parents=("cat",)),
    ))


def test_structure_and_cpds():
    model = to_pgmpy(_example())
    assert set(model.nodes()) == {"base", "nurse", "woman", "cat", "never"}
    assert set(model.edges()) == {("base", "nurse"), ("nurse", "woman"), ("base", "woman"), ("cat", "never")}
    assert model.check_model()
    base = model.get_cpds("base").values
    assert base[1] == pytest.approx(8e5 / WORLD_POPULATION)
    woman = model.get_cpds("woman")
    assert woman.values.shape == (2, 2, 2)
    # The evidence row (both parents = 1) carries the estimate; the filler repeats it.
    assert woman.get_value(woman=1, nurse=1, base=1) == pytest.approx(0.88)
    assert np.allclose(woman.values[1], 0.88)
    assert model.get_cpds("cat").values[1] == pytest.approx(0.25)
    assert model.get_cpds("never").get_value(never=1, cat=1) == 0.0


def test_joint_matches_kanon_product():
    net = _example().model_copy(update={"nodes": _example().nodes[:4]})
    joint = joint_probability(net)
    assert joint * WORLD_POPULATION == pytest.approx(point_k(net, floor=False), rel=1e-9)
    assert joint_probability(_example()) == 0.0


@settings(max_examples=25, deadline=None)
@given(networks(max_factors=5, allow_zero=True))
def test_joint_equals_product_property(net):
    world = max(WORLD_POPULATION, net.base.estimate.value)
    joint = joint_probability(net, world=world)
    assert joint * world == pytest.approx(point_k(net, floor=False), rel=1e-9, abs=1e-300)


def test_errors_are_typed():
    with pytest.raises(PopulationError):
        to_pgmpy(_example(), world=1e5)  # base larger than the world given
    with pytest.raises(MissingEstimateError):
        to_pgmpy(Network(nodes=(node("base", count(5), role="base"), node("x", None))))
    cyclic = Network(nodes=(node("base", count(5), role="base"), node("a", frac(0.1), parents=("b",)), node("b", frac(0.1), parents=("a",))))
    with pytest.raises(CycleError):
        to_pgmpy(cyclic)


def test_the_figure_draws_every_node_and_writes_nothing(tmp_path):
    fig = network_figure(_example())
    path = tmp_path / "net.png"
    fig.savefig(path)  # the caller (the shell) writes it
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_bif_export_reads_back_into_pgmpy_with_the_same_joint(tmp_path):
    from pgmpy.readwrite import BIFReader

    net = _example()
    text = to_bif(net)
    model = BIFReader(string=text).get_model()
    assert set(model.nodes()) == {n.id for n in net.nodes}
    evidence = {n: "1" if isinstance(next(iter(model.get_cpds(n).state_names[n])), str) else 1 for n in model.nodes()}
    assert model.get_state_probability(evidence) == pytest.approx(joint_probability(net), rel=1e-6)
