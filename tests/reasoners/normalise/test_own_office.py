"""Offices one person holds, said of the author in the languages people post in."""

from __future__ import annotations

import pytest

from reasoners.normalise.occupations import own_office


@pytest.mark.parametrize("text", [
    "As the maire of a tiny island I get every complaint",
    "I'm the wójt of our gmina",
    "I was elected sindaco last year",
    "ik ben sinds 2021 burgemeester... no wait: as burgemeester I can tell you",
    "I'm the muhtar here, so people come to me",
    "I've been the punong barangay for six years",
    "I am the abbot of a small monastery",
    "I've been the elected clerk here since 2014",
    "I work as the parish clerk",
    "as the harbour master of Stromness I see every boat",
])
def test_the_authors_own_office_is_found(text):
    found = own_office(text)
    assert found is not None and found[1] > found[0]


@pytest.mark.parametrize("text", [
    "my father was the mayor of our town",  # a relative's office
    "I am not the mayor, I just work at the town hall",  # negated
    "I'm the former mayor",  # no longer
    "I'm the deputy mayor",  # one of several
    "As the mayor said on the radio, the road will close",  # someone else's, no first person
    "I'm a nurse in Leeds",
    "I'm a clerk at Tesco",  # a clerk among many
    "my mum was the town clerk",
])
def test_other_peoples_and_past_offices_are_not(text):
    assert own_office(text) is None


def test_an_office_makes_the_author_one_person():
    from flows.components import pipeline_from_options
    from records.types import Post

    pipe = pipeline_from_options(detector="rules.v1", reasoner="statistical")

    [a] = pipe.assess([Post(id="o1", text="As the maire of Île-de-Sein I get asked about the ferry every day.")])
    assert a.k < 3
    [b] = pipe.assess([Post(id="o2", text="My father was the maire of Île-de-Sein, I get asked about it.")])
    assert b.k > 10
