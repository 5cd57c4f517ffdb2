import math

import pandas as pd
import pytest

from records.types import Attribute, SubQuestion
from reasoners.estimators import (
    CensusEstimator, EstimatorChain, FactsEstimator, MicrodataEstimator, OccupationEstimator, PriorEstimator,
)
from reasoners.estimators.common import data_path
from reasoners.estimators.microdata import kish_n, wilson


def A(i, cat, value="x", **facets):
    return Attribute(id=i, category=cat, value=value, facets=facets)


GERMANY = A("l", "Location", place="Germany", country="DE", level="country")
OHIO = A("l", "Location", place="Ohio", country="US", level="admin1", admin1="OH")
US = A("l", "Location", place="US", country="US", level="country")
RN = A("o", "Occupation", occupation="registered nurse", soc="29-1141", status="employed")
MALE = A("g", "Gender", sex="male")
FEMALE = A("g", "Gender", sex="female")


def Q(kind, target, given=()):
    return SubQuestion(node_id="n", kind=kind, target=tuple(target), given=tuple(given), text="q")


@pytest.fixture(scope="module")
def census():
    return CensusEstimator()


def test_population_of_germany(census):
    est = census.estimate(Q("count", [GERMANY]))
    assert 80e6 < est.value < 88e6
    assert est.low <= est.value <= est.high
    assert est.provenance.component == "census-tables.v1" and est.provenance.source == "table"


def test_world_population_without_a_place(census):
    est = census.estimate(Q("count", []))
    assert 7.9e9 < est.value < 8.3e9


def test_sex_share_is_about_half(census):
    est = census.estimate(Q("fraction", [FEMALE], [GERMANY]))
    assert 0.48 < est.value < 0.53


def test_single_year_of_age_is_a_fifth_of_its_band_roughly(census):
    one = census.estimate(Q("fraction", [A("a", "Age", age_low=50, age_high=50)], [GERMANY, MALE]))
    band = census.estimate(Q("fraction", [A("a", "Age", age_low=50, age_high=54)], [GERMANY, MALE]))
    assert one.low < one.value < one.high
    assert band.value / 5 * 0.7 < one.value < band.value / 5 * 1.3


def test_census_declines_what_it_cannot_condition_on(census):
    assert census.estimate(Q("fraction", [MALE], [OHIO, RN])) is None


def test_oews_nurses_in_ohio():
    est = OccupationEstimator().estimate(Q("fraction", [RN], [OHIO]))
    # ~144,000 RNs in Ohio (OEWS May 2025) among ~11.8 M residents
    assert 0.009 < est.value < 0.015
    assert "state" in est.provenance.note


def test_oews_outside_the_us_is_wider_and_says_so():
    us = OccupationEstimator().estimate(Q("fraction", [RN], [US]))
    de = OccupationEstimator().estimate(Q("fraction", [RN], [GERMANY]))
    assert math.log10(de.high / de.low) > math.log10(us.high / us.low)
    assert "outside the US" in de.provenance.note
    assert (de.provenance.borrowed_from, de.provenance.used_for) == ("US", "DE")
    assert us.provenance.borrowed_from is None


def test_fact_men_among_us_nurses():
    est = FactsEstimator().estimate(Q("fraction", [MALE], [OHIO, RN]))
    assert 0.08 < est.value < 0.16
    assert est.provenance.source == "facts" and est.provenance.year
    assert est.provenance.borrowed_from is None  # a US figure for Ohio is its own


def test_a_fact_of_another_scope_says_whose_it_is():
    # men among nurses has rows for a few countries and the world: in Chile the world's stands in, widened
    chile = A("l", "Location", place="Chile", country="CL", level="country")
    cl = FactsEstimator().estimate(Q("fraction", [MALE], [chile, RN]))
    de = FactsEstimator().estimate(Q("fraction", [MALE], [GERMANY, RN]))
    assert (cl.provenance.borrowed_from, cl.provenance.used_for) == ("world", "CL")
    assert de.provenance.borrowed_from is None  # Germany's own row


def test_less_specific_fact_is_wider():
    married = A("r", "Relationship_Status", status="married")
    full = FactsEstimator().estimate(Q("fraction", [married], [US, FEMALE, A("a", "Age", age_low=38, age_high=38)]))
    broad = FactsEstimator().estimate(Q("fraction", [married], [US]))
    assert math.log10(broad.high / broad.low) > 0  # sanity
    with_extra = FactsEstimator().estimate(Q("fraction", [married], [US, RN]))
    assert (with_extra.high - with_extra.low) > (broad.high - broad.low)
    assert 0.5 < full.value < 0.7


def test_every_fact_row_names_a_source():
    for f in FactsEstimator().facts:
        assert f.source and f.year, f.id
    assert len(FactsEstimator().facts) > 300


def test_microdata_conditional_equals_pandas():
    path = data_path("microdata", "synthetic_sample.csv")
    est = MicrodataEstimator(path).estimate(
        Q("fraction", [A("r", "Relationship_Status", status="married")], [US, FEMALE, A("a", "Age", age_low=30, age_high=49)])
    )
    df = pd.read_csv(path, comment="#")
    g = df[(df.country == "US") & (df.sex == "female") & df.age.between(30, 49)]
    expect = g.loc[g.marital_status == "married", "weight"].sum() / g.weight.sum()
    assert est.value == pytest.approx(expect)
    assert est.low < est.value < est.high
    assert est.provenance.source == "microdata"


def test_microdata_declines_a_missing_column():
    path = data_path("microdata", "synthetic_sample.csv")
    assert MicrodataEstimator(path).estimate(Q("fraction", [A("h", "Health", condition="asthma")], [US])) is None


def test_wilson_and_kish():
    lo, hi = wilson(0.5, 100)
    assert lo < 0.5 < hi and hi - lo < 0.2
    assert kish_n(pd.Series([1.0] * 10).to_numpy()) == pytest.approx(10)


def test_prior_is_a_wide_guess():
    est = PriorEstimator().estimate(Q("fraction", [A("p", "Appearance", trait="tall")], [US]))
    assert est.provenance.guess
    assert math.log10(est.high / est.low) >= 2


def test_chain_records_fallbacks():
    chain = EstimatorChain([CensusEstimator(), OccupationEstimator(), FactsEstimator(), PriorEstimator()])
    est = chain.estimate(Q("fraction", [MALE], [OHIO, RN]))
    assert est.provenance.component == "facts.v1"
    assert est.provenance.fallbacks == ("census-tables.v1: declined", "occupations-oews.v1: declined")


def test_chain_prefers_confident_answer_over_a_guess():
    chain = EstimatorChain([PriorEstimator(), FactsEstimator()], min_confidence=0.3)
    est = chain.estimate(Q("fraction", [MALE], [OHIO, RN]))
    assert est.provenance.component == "facts.v1"
    assert est.provenance.fallbacks[0].startswith("priors.v1: low confidence")


def test_registered_names():
    from reasoners.registry import estimators

    for name in ("census-tables.v1", "occupations-oews.v1", "facts.v1", "microdata.v1", "priors.v1"):
        assert name in estimators


# --- places, ages and facts outside the big tables ------------------------------------


def test_town_not_among_large_cities_is_counted_from_small_towns():
    westport = A("l", "Location", place="Westport", country="IE", admin1="C", level="unknown",
                 region="Mayo", region_population=137970)
    est = CensusEstimator().estimate(Q("count", [westport]))
    assert 3_000 < est.value < 10_000 and not est.provenance.guess


def test_unknown_county_is_a_small_place_bounded_by_its_state():
    county = A("l", "Location", place="Nowhere County", country="US", admin1="TX", level="unknown",
               admin1_population=29_145_505)
    est = CensusEstimator().estimate(Q("count", [county]))
    assert est.value <= 10_000 and est.low <= 300 and est.high <= 300_000


def test_local_age_share_is_wider_than_national():
    from reasoners.estimators.census import local_age_spread

    town = A("l", "Location", place="Town", country="US", level="city", population=50_000)
    nation = CensusEstimator().estimate(Q("fraction", [A("a", "Age", age_low=74, age_high=74)], [US, FEMALE]))
    local = CensusEstimator().estimate(Q("fraction", [A("a", "Age", age_low=74, age_high=74)], [town, FEMALE]))
    assert local.value == pytest.approx(nation.value)
    assert local.high / local.value > 3 * nation.high / nation.value
    assert local_age_spread(town, 74, 74) > local_age_spread(town, 30, 39) > 1.0
    assert local_age_spread(GERMANY, 74, 74) == 1.0


def test_facts_combine_two_rows_for_two_facets():
    sg = A("l", "Location", place="Singapore", country="SG", level="country")
    target = A("r", "Race_Nationality", nationality="SG", ethnicity="chinese")
    est = FactsEstimator().estimate(Q("fraction", [target], [sg]))
    alone = FactsEstimator().estimate(Q("fraction", [A("r", "Race_Nationality", nationality="SG")], [sg]))
    assert est.value < 0.9 * alone.value  # the ethnicity share is multiplied in
    assert "combined" in est.provenance.note


def test_country_occupation_share_beats_the_us_share_abroad():
    qld = A("l", "Location", place="Queensland", country="AU", level="admin1", admin1="04")
    sparky = A("o", "Occupation", occupation="Electricians", soc="47-2111", status="employed")
    chain = EstimatorChain([OccupationEstimator(), FactsEstimator(), PriorEstimator()])
    est = chain.estimate(Q("fraction", [sparky], [qld]))
    assert est.provenance.component == "facts.v1" and est.provenance.dataset.startswith("ABS")
    assert 0.005 < est.value < 0.01


def test_unnormalised_span_prior_is_mild_with_a_long_lower_tail():
    # narrative the detector caught (not a short stated property: see test_unknown_values)
    est = PriorEstimator().estimate(Q("fraction", [A("h", "Health", "been off since the long trip last summer")], [US]))
    assert est.provenance.guess and est.value >= 0.3 and est.low <= 0.05


def test_an_age_without_a_sex_uses_both_sexes_rows():
    married = A("r", "Relationship_Status", status="married")
    forties = A("a", "Age", age_low=40, age_high=44)
    both = FactsEstimator().estimate(Q("fraction", [married], [forties]))
    women = FactsEstimator().estimate(Q("fraction", [married], [forties, FEMALE]))
    men = FactsEstimator().estimate(Q("fraction", [married], [forties, MALE]))
    anyone = FactsEstimator().estimate(Q("fraction", [married], []))
    assert min(women.value, men.value) <= both.value <= max(women.value, men.value)
    assert both.value > anyone.value + 0.2  # not the share over all ages
    assert "both sexes" in FactsEstimator().facts[-1].note or any(
        "both sexes" in f.note for f in FactsEstimator().facts)
    assert both.high / both.low > women.high / women.low  # the weighting left out widens it
