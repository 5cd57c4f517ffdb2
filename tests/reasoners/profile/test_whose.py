"""Whose attribute a span is: only the author's filter; a relative's is a family fact, anyone else's nothing."""

import pytest

from reasoners.profile.whose import owner_of
from tests.reasoners.profile.test_profiler import _post

from reasoners.profile import RuleProfiler


def at(text: str, span: str):
    return owner_of(text, text.index(span))


@pytest.mark.parametrize(("text", "span", "kind", "relation"), [
    ("My wife is 33 and works as a pharmacist", "as a pharmacist", "relative", "wife"),
    ("My wife (she is Filipino, 58, still working as a nurse)", "still working", "relative", "wife"),
    ("My husband drives keke napep, he is 45", "45", "relative", "husband"),
    ("my parents in Korat are fine", "Korat", "relative", "parents"),
    ("My sister [19F] got diagnosed 2 months after me", "19F", "relative", "sister"),
    ("my roommate is a nurse", "a nurse", "other", "roommate"),
    ("She is a doctor in Leeds", "a doctor", "other", None),
])
def test_someone_elses_attribute(text, span, kind, relation):
    owner = at(text, span)
    assert owner.kind == kind and owner.relation == relation


@pytest.mark.parametrize(("text", "span"), [
    ("My wife and I live in Leeds", "in Leeds"),
    ("Me and my wife moved to Leeds", "Leeds"),
    ("I (34F) live with my bf in Co. Kerry", "Co. Kerry"),
    ("my boss says I'm 34", "34"),
    ("My mum is 70. I'm 45", "45"),
    ("She said I look 40", "40"),
    ("I'm a nurse in Leeds", "nurse"),
])
def test_the_authors_own(text, span):
    assert at(text, span).kind == "author"


def test_the_profiler_counts_only_the_authors_attributes():
    post, ds = _post(
        "34M nurse in Leeds. My wife is 33 and works as a pharmacist, my roommate is a plumber.",
        [("34M", "Age_Gender"), ("nurse", "Occupation"), ("in Leeds", "Location"), ("My wife", "Wife_GF"),
         ("33", "Age"), ("as a pharmacist", "Occupation"), ("a plumber", "Occupation")],
    )
    attrs = RuleProfiler().profile(post, ds)
    jobs = [a for a in attrs if a.category == "Occupation"]
    assert [a.facets.get("soc") for a in jobs] == ["29-1141"]  # the nurse; not the pharmacist or the plumber
    assert [(a.facets["age_low"], a.facets["age_high"]) for a in attrs if a.category == "Age"] == [(34, 34)]
    wives = [a for a in attrs if a.category == "Wife_GF"]
    assert len(wives) == 1 and wives[0].facets["status"] == "married"
    assert set(wives[0].disclosure_ids) >= {3, 4, 5}  # the wife's age and job are cited as the wife


def test_one_partner_said_in_pieces_is_one_attribute():
    post, ds = _post("Retired. My wife (she is 58) keeps me busy.", [("My wife", "Wife_GF"), ("she is 58", "Wife_GF")])
    attrs = RuleProfiler().profile(post, ds)
    wives = [a for a in attrs if a.category == "Wife_GF"]
    assert len(wives) == 1 and wives[0].facets == {"status": "married", "partner_sex": "female"}
