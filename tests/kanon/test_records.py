import pytest
from pydantic import ValidationError

from records.errors import PopulationError, ProbabilityError
from records.types import (
    LABELS, Assessment, Attribute, Contribution, Disclosure, Estimate, Network, Node, Post,
    Provenance, fingerprint,
)

PROV = Provenance(component="test.v1", source="table")


def test_nineteen_labels():
    assert len(LABELS) == 19 and len(set(LABELS)) == 19
    assert "Age_Gender" in LABELS and "Mental_Health" in LABELS


def test_post_repr_hides_text():
    p = Post(id="p1", text="my secret diagnosis")
    assert "secret" not in repr(p) and "secret" not in str(p)
    assert fingerprint(p.text) in repr(p)


def test_attribute_and_node_repr_hide_values():
    a = Attribute(id="a0", category="Location", value="Leeds", facets={"place": "Leeds"})
    n = Node(id="n0", role="base", question="How many people live in Leeds?")
    assert "Leeds" not in repr(a) and "Leeds" not in repr(n)


def test_records_are_frozen():
    p = Post(id="p1", text="x")
    with pytest.raises(ValidationError):
        p.text = "y"  # type: ignore[misc]


def test_disclosure_offsets_validated():
    with pytest.raises(ValidationError):
        Disclosure(post_id="p", start=5, end=5, label="Age", score=0.5, provenance=PROV)
    with pytest.raises(ValidationError):
        Disclosure(post_id="p", start=0, end=3, label="NotALabel", score=0.5, provenance=PROV)
    with pytest.raises(ValidationError):
        Disclosure(post_id="p", start=0, end=3, label="Age", score=1.5, provenance=PROV)
    d = Disclosure(post_id="p", start=4, end=6, label="Age", score=0.9, provenance=PROV)
    assert d.text_in(Post(id="p", text="I'm 34")) == "34"


@pytest.mark.parametrize("value,low,high", [(1.2, 0.1, 1.5), (-0.1, -0.2, 0.5), (float("nan"), 0, 1), (0.5, 0.6, 0.9)])
def test_bad_fraction_is_typed_error(value, low, high):
    with pytest.raises(ProbabilityError):
        Estimate(kind="fraction", value=value, low=low, high=high, provenance=PROV)


@pytest.mark.parametrize("value", [0, -5, float("inf")])
def test_bad_count_is_typed_error(value):
    with pytest.raises(PopulationError):
        Estimate(kind="count", value=value, low=value, high=value, provenance=PROV)


def test_network_base_and_riskiest():
    base = Node(id="base", role="base", question="q",
                estimate=Estimate(kind="count", value=100, low=90, high=110, provenance=PROV))
    net = Network(nodes=(base,))
    assert net.base.id == "base"
    with pytest.raises(PopulationError):
        Network(nodes=()).base
    a = Assessment(
        post_id="p", k=10, k_low=5, k_high=20, detector="d", reasoner="r",
        contributions=(Contribution(attribute_id="a0", k_without=20, factor=2),
                       Contribution(attribute_id="a1", k_without=500, factor=50)),
    )
    assert a.riskiest is not None and a.riskiest.attribute_id == "a1"
