"""The mentions of one detail and the stretch of text a rewrite covers."""

from __future__ import annotations

from records.types import Attribute, Disclosure, Provenance
from reasoners.generalise import mentions

PROV = Provenance(component="t", source="rule")


def _d(text: str, phrase: str, label: str = "Location", nth: int = 0) -> Disclosure:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Disclosure(post_id="p", start=start, end=start + len(phrase), label=label, score=0.9, provenance=PROV)


def _attr(id_: str, ids: tuple[int, ...], category: str = "Location") -> Attribute:
    return Attribute(id=id_, category=category, value="x", disclosure_ids=ids, facets={})


def test_other_mentions_are_those_sharing_an_attribute():
    attrs = [_attr("a0", (0, 2)), _attr("a1", (1,), "Age")]
    assert mentions.other_mentions(attrs, 0) == [2]
    assert mentions.other_mentions(attrs, 2) == [0]
    assert mentions.other_mentions(attrs, 1) == []


def test_adjacent_mentions_make_one_stretch_and_distant_ones_do_not():
    text = "I work in Lyon, France and we live near Lyon."
    ds = [_d(text, "in Lyon"), _d(text, "France"), _d(text, "near Lyon")]
    attrs = [_attr("a0", (0, 1, 2))]
    s, e = mentions.stretch(text, ds, attrs, 0)
    assert text[s:e] == "in Lyon, France"
    assert text[slice(*mentions.stretch(text, ds, attrs, 1))] == "in Lyon, France"
    assert text[slice(*mentions.stretch(text, ds, attrs, 2))] == "near Lyon"


def test_a_place_qualifier_outside_the_span_joins_it_only_when_it_names_a_place():
    for text, want in [
        ("I'm a nurse in Lyon, France. Hi", "in Lyon, France"),
        ("moved to Tralee, Co. Kerry, Ireland last year", "Tralee, Co. Kerry, Ireland"),
        ("I live in Leeds, Any tips?", "in Leeds"),
        ("I live in Leeds, and I like it", "in Leeds"),
    ]:
        phrase = want.split(",")[0]
        d = _d(text, phrase)
        assert text[slice(*mentions.stretch(text, [d], [_attr("a0", (0,))], 0))] == want, text
    # not for other labels: "a nurse, Paris" is not a qualified job
    text = "I'm a nurse, Paris based"
    d = _d(text, "a nurse", "Occupation")
    assert text[slice(*mentions.stretch(text, [d], [_attr("a0", (0,), "Occupation")], 0))] == "a nurse"


def test_without_removes_every_span_and_tidies_the_seams():
    text = "I work in Lyon, France. We live near Lyon. Bye"
    spans = [(text.index("in Lyon"), text.index("in Lyon") + 7), (text.index("France"), text.index("France") + 6),
             (text.index("We live"), text.index("Lyon. Bye") + 4), (text.index("Lyon,"), text.index("Lyon,") + 4)]
    assert mentions.without(text, spans) == "I work. Bye"
    assert mentions.without(text, []) == text
