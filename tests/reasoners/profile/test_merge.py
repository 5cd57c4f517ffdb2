from records.types import Attribute
from reasoners.profile import merge_attributes


def _a(i, category, value, facets, ids):
    return Attribute(id=f"a{i}", category=category, value=value, facets=facets, disclosure_ids=ids)


LEEDS = {"place": "Leeds", "level": "city", "geonameid": 2644688, "country": "GB"}
YORK = {"place": "York", "level": "city", "geonameid": 2633352, "country": "GB"}


def test_same_fact_across_posts_is_merged_with_shifted_ids():
    post1 = [_a(0, "Location", "Leeds", LEEDS, (0,)), _a(1, "Age", "34", {"age_low": 34, "age_high": 34}, (1,))]
    post2 = [_a(0, "Location", "Leeds", LEEDS, (0,))]
    merged, warnings = merge_attributes([post1, post2], disclosure_counts=[3, 1])
    assert warnings == []
    assert [a.id for a in merged] == ["a0", "a1"]
    assert merged[0].disclosure_ids == (0, 3)


def test_agreeing_ages_keep_the_narrower():
    post1 = [_a(0, "Age", "30-39", {"age_low": 30, "age_high": 39}, (0,))]
    post2 = [_a(0, "Age", "34", {"age_low": 34, "age_high": 34}, (0,))]
    merged, warnings = merge_attributes([post1, post2])
    assert warnings == [] and len(merged) == 1
    assert merged[0].facets == {"age_low": 34, "age_high": 34}
    assert merged[0].disclosure_ids == (0, 1)


def test_contradictions_are_reported_without_text():
    post1 = [_a(0, "Age", "34", {"age_low": 34, "age_high": 34}, (0,)), _a(1, "Location", "Leeds", LEEDS, (1,)),
             _a(2, "Gender", "female", {"sex": "female"}, (2,))]
    post2 = [_a(0, "Age", "52", {"age_low": 52, "age_high": 52}, (0,)), _a(1, "Location", "York", YORK, (1,)),
             _a(2, "Gender", "female", {"sex": "female"}, (2,))]
    merged, warnings = merge_attributes([post1, post2])
    # words a person reads: the posts that disagree, not attribute ids
    assert "Age: post 1 and post 2 disagree" in warnings
    assert "Location: post 1 and post 2 disagree" in warnings
    assert not any(w.startswith("Gender") for w in warnings)
    assert not any(word in w for w in warnings for word in ("Leeds", "York", "34", "52"))


def test_city_inside_a_country_is_not_a_contradiction():
    gb = {"place": "United Kingdom", "level": "country", "country": "GB"}
    merged, warnings = merge_attributes([[_a(0, "Location", "Leeds", LEEDS, (0,))], [_a(0, "Location", "UK", gb, (0,))]])
    assert warnings == [] and len(merged) == 2
    fr = {"place": "France", "level": "country", "country": "FR"}
    _, warnings = merge_attributes([[_a(0, "Location", "Leeds", LEEDS, (0,))], [_a(0, "Location", "FR", fr, (0,))]])
    assert len(warnings) == 1
