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


def test_a_first_person_statement_of_work_filters_and_vague_work_does_not():
    for span in ("i work underground as a winch operator", "I drive the tram for the", "i teach english"):
        assert ask("Occupation", span).value <= 1e-3, span
    for span in ("i work full time", "i work as", "I am", "i work from home", "working", "I'm employed", "a job",
                 "home", "back"):
        assert ask("Occupation", span).value == UNNORMALISED[0], span


def test_a_named_course_of_study_filters_and_a_stray_word_does_not():
    for span in ("kuliah semester 2", "estudio derecho en la Nacional", "second year of my PhD"):
        e = ask("Education", span)
        assert e.value < 0.1 and "course of study" in e.provenance.note, span
    for span in ("students", "of", "eight years in early childhood"):
        assert ask("Education", span).value == UNNORMALISED[0], span


def nat_question(nationality: str, country: str) -> SubQuestion:
    nat = Attribute(id="a0", category="Race_Nationality", value=nationality, facets={"nationality": nationality})
    loc = Attribute(id="a1", category="Location", value=country, facets={"country": country, "level": "country"})
    return SubQuestion(node_id="n", text="q", kind="fraction", target=(nat,), given=(loc,))


def test_a_nationality_of_the_residence_country_is_the_citizens_share():
    from reasoners.estimators import default_chain
    from reasoners.estimators.nationals import NationalsEstimator

    e = NationalsEstimator().estimate(nat_question("EG", "EG"))
    assert 0.9 <= e.value <= 1.0 and e.low >= 0.5 and "citizens among residents" in e.provenance.note
    assert NationalsEstimator().estimate(nat_question("EG", "GB")) is None  # an emigrant: another question
    chain = default_chain()
    assert chain.estimate(nat_question("EG", "EG")).value > 0.9  # not the 0.05 category prior
    assert chain.estimate(nat_question("AE", "AE")).value < 0.2  # the table's figure wins where it has one
