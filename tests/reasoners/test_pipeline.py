from __future__ import annotations

import pytest

from kanon.errors import EmptyTextError, InputError
from kanon.records import Disclosure, Post, Provenance
from reasoners.pipeline import Pipeline
from reasoners.profile import RuleProfiler
from reasoners.registry import reasoners

PROV = Provenance(component="counting.v1", source="rule")


class CountingDetector:
    """Finds the age in "I'm 34 ..." and counts the posts it was asked about."""

    name = "counting.v1"
    version = "1"
    labels = ("Age",)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def load(self) -> None:
        pass

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        self.seen.extend(p.id for p in posts)
        return [[Disclosure(post_id=p.id, start=0, end=6, label="Age", score=0.9, provenance=PROV)] for p in posts]


@pytest.fixture(scope="module")
def reasoner():
    return reasoners.create("statistical")


def make(reasoner, detector):
    return Pipeline(detector=detector, profiler=RuleProfiler(), reasoner=reasoner, draws=200)


def test_given_disclosures_skip_the_detector_but_not_the_text_checks(reasoner):
    det = CountingDetector()
    pipe = make(reasoner, det)
    posts = [Post(id="a", text="I'm 34 and tired"), Post(id="b", text="   ")]
    spans = CountingDetector().detect(posts[:1]) + [[]]
    got = pipe.assess(posts, spans)
    assert det.seen == []
    assert [d.label for d in got[0].disclosures] == ["Age"]
    assert isinstance(got[1], EmptyTextError)
    # without them, the detector runs (on the valid posts only)
    again = pipe.assess(posts)
    assert det.seen == ["a"]
    assert again[0].k == got[0].k


def test_given_disclosures_must_match_the_posts(reasoner):
    pipe = make(reasoner, CountingDetector())
    posts = [Post(id="a", text="I'm 34 and tired")]
    with pytest.raises(InputError):
        pipe.assess(posts, [])
    other = CountingDetector().detect([Post(id="z", text="I'm 34 too")])
    with pytest.raises(InputError):
        pipe.assess(posts, other)
