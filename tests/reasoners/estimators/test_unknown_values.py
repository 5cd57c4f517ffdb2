"""The unknown-value policy: a stated property no table knows is rare, narrative is no filter."""

from __future__ import annotations

from records.types import Attribute, SubQuestion
from reasoners.estimators.priors import UNNORMALISED, PriorEstimator


def ask(category: str, span: str):
    attr = Attribute(id="a0", category=category, value=span, facets={})
    return PriorEstimator().estimate(SubQuestion(node_id="n", text="q", kind="fraction", target=(attr,)))


def test_an_unknown_occupation_stated_as_one_is_a_rare_share_with_its_reason():
    for span in ("i work as a farrier", "glassblower", "I'm a vulcanizer"):
        e = ask("Occupation", span)
        assert e.value <= 1e-3 < UNNORMALISED[0]
        assert "unknown occupations are rare" in e.provenance.note and e.provenance.guess


def test_an_unknown_condition_is_rarer_than_no_filter():
    e = ask("Health", "I have FMF")
    assert e.value < 0.01 and "not in kanon's list" in e.provenance.note


def test_narrative_the_detector_caught_stays_near_no_filter():
    e = ask("Occupation", "i have been fixing tyres for my uncle since the war ended in town")
    assert e.value == UNNORMALISED[0]
    assert ask("Pet", "a stupid dog").value == UNNORMALISED[0]  # not an identifying category
