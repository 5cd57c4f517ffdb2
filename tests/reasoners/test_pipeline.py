import pytest

from flows.components import build_pipeline
from records.errors import EmptyTextError, TextTooLongError
from records.types import Assessment, Post
from flows.settings import load_settings


@pytest.fixture(scope="module")
def pipe():
    p = build_pipeline(load_settings(max_text_chars=500), detector="rules.v1", reasoner="statistical")
    p.load()
    return p


def test_one_bad_post_does_not_sink_the_batch(pipe):
    posts = [
        Post(id="a", text="33M, RN in Ohio."),
        Post(id="b", text="   "),
        Post(id="c", text="x" * 501),
        Post(id="d", text="What is a good laptop?"),
    ]
    out = pipe.assess(posts)
    assert isinstance(out[0], Assessment) and out[0].post_id == "a"
    assert isinstance(out[1], EmptyTextError)
    assert isinstance(out[2], TextTooLongError) and out[2].limit == 500
    assert isinstance(out[3], Assessment) and not out[3].disclosures


def test_more_disclosures_mean_a_smaller_crowd(pipe):
    few, many = pipe.assess([
        Post(id="few", text="I live in Ohio."),
        Post(id="many", text="33M, RN in Ohio, married with three kids and a dog."),
    ])
    assert many.k < few.k
    assert all(c.k_without >= many.k for c in many.contributions)
    # every attribute has a contribution, and the riskiest one narrows the crowd the most
    assert {c.attribute_id for c in many.contributions} == {a.id for a in many.attributes}
    assert many.riskiest.factor == max(c.factor for c in many.contributions)


def test_history_merges_and_reports_contradictions(pipe):
    a = pipe.assess_history("author", [
        Post(id="h0", text="34F here, I live in Leeds."),
        Post(id="h1", text="I'm 29 and I have no idea."),
        Post(id="h2", text="My cat is sick."),
    ])
    assert any("Age" in w for w in a.warnings)
    cats = {x.category for x in a.attributes}
    assert {"Location", "Pet"} <= cats


class _CountingReasoner:
    """The statistical reasoner, counting its batched rounds (a model backend's round trips)."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
        self.rounds = {"decompose": 0, "estimate": 0}

    def decompose(self, attributes):
        return self.inner.decompose(attributes)

    def decompose_many(self, attribute_sets):
        self.rounds["decompose"] += 1
        return [self.inner.decompose(a) for a in attribute_sets]

    def estimate(self, networks, attributes):
        self.rounds["estimate"] += 1
        return self.inner.estimate(networks, attributes)


def test_contributions_share_the_posts_rounds(pipe):
    from dataclasses import replace

    counting = _CountingReasoner(pipe.reasoner)
    p = replace(pipe, reasoner=counting, timings={})
    posts = [Post(id="a", text="I'm a 34 year old nurse living in Leeds."),
             Post(id="b", text="I'm a 52 year old teacher in Austin. My husband works nights.")]
    out = p.assess(posts)
    assert counting.rounds == {"decompose": 1, "estimate": 1}
    for a in out:
        assert isinstance(a, Assessment) and len(a.contributions) == len(a.attributes)
        assert all(c.k_without >= a.k for c in a.contributions)
