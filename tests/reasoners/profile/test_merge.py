from records.types import Attribute
from reasoners.profile import merge_attributes, merge_history


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
    # words a person reads: the posts involved, not attribute ids
    assert "Age: post 2 updates post 1; the latest value counts" in warnings
    assert "Location: post 2 updates post 1; the latest value counts" in warnings
    assert not any(w.startswith("Gender") for w in warnings)
    assert not any(word in w for w in warnings for word in ("Leeds", "York", "34", "52"))


def test_city_inside_a_country_is_not_a_contradiction():
    gb = {"place": "United Kingdom", "level": "country", "country": "GB"}
    merged, warnings = merge_attributes([[_a(0, "Location", "Leeds", LEEDS, (0,))], [_a(0, "Location", "UK", gb, (0,))]])
    assert warnings == [] and len(merged) == 2
    fr = {"place": "France", "level": "country", "country": "FR"}
    _, warnings = merge_attributes([[_a(0, "Location", "Leeds", LEEDS, (0,))], [_a(0, "Location", "FR", fr, (0,))]])
    assert len(warnings) == 1


def test_the_latest_value_counts_and_the_earlier_is_not_multiplied_in():
    post1 = [_a(0, "Age", "34", {"age_low": 34, "age_high": 34}, (0,)), _a(1, "Location", "Leeds", LEEDS, (1,))]
    post2 = [_a(0, "Gender", "female", {"sex": "female"}, (0,))]
    post3 = [_a(0, "Age", "36", {"age_low": 36, "age_high": 36}, (0,)), _a(1, "Location", "York", YORK, (1,))]
    merged, _, changes = merge_history([post1, post2, post3], disclosure_counts=[2, 1, 2])
    ages = [a for a in merged if a.category == "Age"]
    places = [a for a in merged if a.category == "Location"]
    assert [a.facets["age_low"] for a in ages] == [36] and [a.value for a in places] == ["York"]
    by_cat = {c.category: c for c in changes}
    assert by_cat["Age"].kind == "update" and by_cat["Age"].kept_post == 2 and by_cat["Age"].other_posts == (0,)
    assert by_cat["Age"].kept_disclosure_ids == (3,) and by_cat["Age"].dropped_disclosure_ids == (0,)
    assert by_cat["Location"].kind == "update" and "moved" in by_cat["Location"].reason


def test_what_cannot_change_is_a_contradiction_and_an_age_going_down_too():
    _, warnings, changes = merge_history([
        [_a(0, "Gender", "female", {"sex": "female"}, (0,)), _a(1, "Age", "40", {"age_low": 40, "age_high": 40}, (1,))],
        [_a(0, "Gender", "male", {"sex": "male"}, (0,)), _a(1, "Age", "31", {"age_low": 31, "age_high": 31}, (1,))],
    ])
    assert sorted(c.kind for c in changes) == ["contradiction", "contradiction"]
    assert "Gender: post 2 contradicts post 1; the latest value counts" in warnings


def test_two_values_in_one_post_stay_and_are_flagged():
    merged, warnings, changes = merge_history([[_a(0, "Location", "Leeds", LEEDS, (0,)),
                                                _a(1, "Location", "York", YORK, (1,))]])
    assert len(merged) == 2 and changes == [] and warnings == ["Location: two statements in post 1 disagree"]


def test_a_degree_after_student_years_is_an_update_and_a_second_degree_is_not():
    student = [_a(0, "Education", "student", {"level": "student"}, (0,))]
    degree = [_a(0, "Education", "master", {"level": "master", "field": "nursing"}, (0,))]
    merged, _, changes = merge_history([student, degree], disclosure_counts=[1, 1])
    assert [a.facets["level"] for a in merged if a.category == "Education"] == ["master"]
    assert [(c.category, c.kind) for c in changes] == [("Education", "update")]
    # a bachelor's then a master's are both true: nothing is superseded
    bachelor = [_a(0, "Education", "bachelor", {"level": "bachelor"}, (0,))]
    merged, _, changes = merge_history([bachelor, degree], disclosure_counts=[1, 1])
    assert sorted(a.facets["level"] for a in merged) == ["bachelor", "master"] and changes == []
