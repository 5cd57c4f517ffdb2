import pytest

from records.types import Disclosure, Post, Provenance
from reasoners.base import Profiler
from reasoners.profile import RuleProfiler

PROV = Provenance(component="test", source="rule")


def _post(text, spans):
    """A post and disclosures at the offsets of the given (substring, label) pairs."""
    post = Post(id="p1", text=text)
    out, cursor = [], 0
    for sub, label in spans:
        start = text.index(sub, cursor if sub not in text[:cursor] else 0)
        out.append(Disclosure(post_id="p1", start=start, end=start + len(sub), label=label, score=0.9, provenance=PROV))
    return post, out


@pytest.fixture(scope="module")
def profiler():
    return RuleProfiler()


def test_is_a_profiler(profiler):
    assert isinstance(profiler, Profiler)
    assert profiler.name == "rules-profiler.v1"


def test_age_gender_location_occupation(profiler):
    post, ds = _post(
        "33M, RN on a cardiac step-down unit in Ohio. Thinking about CRNA school.",
        [("33M", "Age_Gender"), ("RN on a cardiac step-down unit", "Occupation"), ("in Ohio", "Location")],
    )
    attrs = profiler.profile(post, ds)
    by_cat = {a.category: a for a in attrs}
    assert [a.id for a in attrs] == [f"a{i}" for i in range(len(attrs))]
    assert by_cat["Age"].facets == {"age_low": 33, "age_high": 33}
    assert by_cat["Gender"].facets == {"sex": "male"}
    assert by_cat["Age"].disclosure_ids == by_cat["Gender"].disclosure_ids == (0,)
    assert by_cat["Occupation"].facets["soc"] == "29-1141"
    assert by_cat["Occupation"].disclosure_ids == (1,)
    loc = by_cat["Location"].facets
    assert (loc["country"], loc["admin1"], loc["level"]) == ("US", "OH", "admin1")
    for a in attrs:
        assert a.provenance.component == "rules-profiler.v1" and a.provenance.source == "rule"


def test_city_fills_country_and_admin1(profiler):
    post, ds = _post("Guy in Auckland here, my cat yowls at 4am.", [("Guy", "Gender"), ("in Auckland", "Location"),
                                                                    ("my cat", "Pet")])
    attrs = {a.category: a for a in profiler.profile(post, ds)}
    loc = attrs["Location"].facets
    assert loc["level"] == "city" and loc["country"] == "NZ" and loc["admin1"] == "E7"
    assert loc["country_population"] > loc["population"] > 1_000_000
    assert attrs["Pet"].facets == {"pet": "cat"}
    assert attrs["Gender"].facets == {"sex": "male"}


def test_same_place_twice_is_one_attribute(profiler):
    post, ds = _post(
        "I live in Leeds. Leeds is grey. 38F, married, three kids.",
        [("I live in Leeds", "Location"), ("Leeds", "Location"), ("38F", "Age_Gender"), ("married", "Relationship_Status"),
         ("three kids", "Family")],
    )
    # the second "Leeds" is the one after the first span
    ds[1] = ds[1].model_copy(update={"start": post.text.index("Leeds is"), "end": post.text.index("Leeds is") + 5})
    attrs = profiler.profile(post, ds)
    locations = [a for a in attrs if a.category == "Location"]
    assert len(locations) == 1 and locations[0].disclosure_ids == (0, 1)
    fam = next(a for a in attrs if a.category == "Family")
    assert fam.facets == {"relation": "children", "count": 3}
    assert next(a for a in attrs if a.category == "Relationship_Status").facets == {"status": "married"}


def test_unnormalisable_span_is_kept_without_facets(profiler):
    post, ds = _post("I have a weird tattoo and live somewhere odd.", [("a weird tattoo", "Appearance"),
                                                                      ("somewhere odd", "Location")])
    attrs = profiler.profile(post, ds)
    assert [a.category for a in attrs] == ["Appearance", "Location"]
    assert all(a.facets == {} for a in attrs)
    assert all("not normalised" in a.provenance.note for a in attrs)


def test_reprs_and_provenance_hold_no_text(profiler):
    post, ds = _post("27F, licensed sparky in QLD.", [("27F", "Age_Gender"), ("licensed sparky", "Occupation"),
                                                      ("in QLD", "Location")])
    attrs = profiler.profile(post, ds)
    for a in attrs:
        assert "sparky" not in repr(a) and "QLD" not in repr(a)
        assert "sparky" not in a.provenance.model_dump_json()
    assert {a.category for a in attrs} == {"Age", "Gender", "Occupation", "Location"}


def test_does_not_mutate_inputs(profiler):
    post, ds = _post("50M, living in Madrid.", [("50M", "Age_Gender"), ("living in Madrid", "Location")])
    before = [d.model_dump() for d in ds]
    profiler.profile(post, ds)
    assert [d.model_dump() for d in ds] == before


def test_pieces_of_one_phrase_are_joined(profiler):
    # A detector split "a very stupid dog" and "step-down unit" into pieces.
    post, ds = _post("38F, married, and a very stupid dog.", [("38F", "Age_Gender"), ("a", "Pet"), ("stupid dog", "Pet")])
    ds[1] = ds[1].model_copy(update={"start": post.text.index("a very"), "end": post.text.index("a very") + 1})
    pets = [a for a in profiler.profile(post, ds) if a.category == "Pet"]
    assert len(pets) == 1 and pets[0].facets == {"pet": "dog"}
    assert pets[0].disclosure_ids == (1, 2)


def test_place_and_qualifier_spans_resolve_together(profiler):
    post, ds = _post("38F in Westport, Co. Mayo - three kids.", [("in Westport", "Location"), ("Co. Mayo", "Location")])
    locs = [a for a in profiler.profile(post, ds) if a.category == "Location"]
    assert len(locs) == 1
    assert locs[0].facets["country"] == "IE" and locs[0].disclosure_ids == (0, 1)


def test_mislabelled_place_becomes_location(profiler):
    post, ds = _post("27F, licensed sparky in QLD for two years.",
                     [("licensed sparky", "Occupation"), ("QLD", "Occupation")])
    by_cat = {a.category: a for a in profiler.profile(post, ds)}
    assert by_cat["Occupation"].facets["soc"] == "47-2111"
    assert by_cat["Location"].facets["country"] == "AU" and by_cat["Location"].facets["level"] == "admin1"


def test_unnormalised_fragment_is_absorbed(profiler):
    post, ds = _post("RN on a cardiac step-down unit.", [("RN", "Occupation"), ("step-down unit", "Occupation")])
    occ = [a for a in profiler.profile(post, ds) if a.category == "Occupation"]
    assert len(occ) == 1 and occ[0].facets["soc"] == "29-1141" and occ[0].disclosure_ids == (0, 1)


def test_unique_office_is_flagged_from_the_span(profiler):
    post, ds = _post("I'm the sheriff out here.", [("I'm the sheriff", "Occupation")])
    (occ,) = profiler.profile(post, ds)
    assert occ.facets.get("unique") is True
    post, ds = _post("I'm a deputy sheriff out here.", [("I'm a deputy sheriff", "Occupation")])
    (occ,) = profiler.profile(post, ds)
    assert "unique" not in occ.facets


def test_a_span_cut_short_is_read_to_the_end_of_its_clause(profiler):
    post, ds = _post("Nurse, married, with type 1 diabetes, and tired.", [("with type", "Health")])
    attrs = profiler.profile(post, ds)
    assert [(a.category, a.facets.get("condition")) for a in attrs] == [("Health", "type 1 diabetes")]
    assert attrs[0].disclosure_ids == (0,)


def test_a_tail_that_means_nothing_leaves_the_span_as_it_was(profiler):
    post, ds = _post("I have a weird thing going on with my knees, sadly.", [("a weird thing", "Health")])
    attrs = profiler.profile(post, ds)
    assert [(a.category, a.facets) for a in attrs] == [("Health", {})]
    assert "weird thing" in attrs[0].value and "knees" not in attrs[0].value


def test_a_tail_stops_at_the_next_disclosure(profiler):
    post, ds = _post("I have type 2 diabetes", [("I have type", "Health"), ("2 diabetes", "Age")])
    attrs = profiler.profile(post, ds)
    assert all(a.facets.get("condition") != "type 2 diabetes" for a in attrs)
