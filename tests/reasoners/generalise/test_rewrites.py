"""Grounded abstractions of single disclosures, and how a rewrite is applied."""

from __future__ import annotations

import pytest

from reasoners.generalise import apply, suggest
from records.types import Attribute, Disclosure, Provenance

PROV = Provenance(component="test", source="rule")


def disc(text: str, span: str, label: str) -> Disclosure:
    start = text.index(span)
    return Disclosure(post_id="p", start=start, end=start + len(span), label=label, score=1.0, provenance=PROV)


def rewrites(text: str, span: str, label: str, **facets) -> list[str]:
    d = disc(text, span, label)
    attrs = [Attribute(id="a0", category=label, value="v", facets=facets, disclosure_ids=(0,))] if facets else []
    return [apply(text, d.start, d.end, c.replacement) for c in suggest(text, d, attrs)]


def test_exact_age_to_decade_then_adult():
    text = "I'm a 34 year old nurse."
    assert rewrites(text, "I'm a 34 year old", "Age") == [
        "I'm a 30-something nurse.", "I'm an adult nurse.", "nurse.",
    ]
    assert rewrites("Well, I'm 34 now.", "I'm 34", "Age")[:2] == ["Well, I'm in my 30s now.", "Well, I'm an adult now."]
    assert rewrites("Me [28F] here", "28F", "Age_Gender")[:2] == ["Me [20s F] here", "Me [F] here"]


def test_city_to_division_country_continent():
    out = rewrites("I work in Leeds, so", "in Leeds", "Location", place="Leeds", level="city")
    assert out[:3] == ["I work in England, so", "I work in the United Kingdom, so", "I work in Europe, so"]
    out = rewrites("I live in Portland, Maine now.", "I live in Portland, Maine", "Location", place="Portland")
    assert out[0] == "I live in Maine now." and out[1] == "I live in the United States now."


def test_occupation_partner_counts_health():
    assert rewrites("I'm a nurse.", "nurse", "Occupation", soc="29-1141")[:2] == [
        "I'm a healthcare worker.", "I'm a professional.",
    ]
    assert rewrites("My husband and I", "My husband", "Husband_BF")[0] == "My partner and I"
    assert rewrites("and I have 3 kids.", "I have 3 kids", "Family")[:2] == ["and I have a few kids.", "and I have some kids."]
    assert rewrites("I was diagnosed with diabetes.", "I was diagnosed with diabetes", "Health")[0] == (
        "I was diagnosed with a health condition."
    )


@pytest.mark.parametrize("label", ["Name", "Contact", "Appearance", "Sexual_Orientation"])
def test_every_disclosure_can_be_removed(label):
    text = "Hello, I am X here."
    out = rewrites(text, "I am X", label)
    assert out[-1] == "Hello here."


def test_at_most_three_abstractions_and_a_removal():
    d = disc("I live in Leeds", "in Leeds", "Location")
    cands = suggest("I live in Leeds", d, [])
    assert sum(c.kind == "abstraction" for c in cands) <= 3 and cands[-1].kind == "removal"
    assert all(c.source == "grounded" for c in cands)
