"""Saying more never widens the crowd: k with a detail is at most k without it.

Posts are put together from pieces of the kind people write; every subset of
two or more pieces is assessed, and each contribution (the same post's
attributes less one, or with one widened) is checked against the post's k.
"""

import itertools

import pytest

from flows.components import build_pipeline
from flows.settings import load_settings
from records.types import Assessment, Post

PIECES = (
    "I'm a woman",
    "in my 40s",
    "a nurse",
    "married",
    "with type 1 diabetes",
    "living in Leeds",
)


@pytest.fixture(scope="module")
def assessed():
    pipe = build_pipeline(load_settings(), reasoner="statistical")
    pipe.load()
    posts = [
        Post(id="+".join(str(i) for i in combo), text=", ".join(PIECES[i] for i in combo) + ".")
        for n in range(2, len(PIECES) + 1)
        for combo in itertools.combinations(range(len(PIECES)), n)
    ]
    out = pipe.assess(posts)
    assert all(isinstance(a, Assessment) for a in out)
    return out


def test_no_detail_raises_k(assessed):
    k = {a.post_id: a.k for a in assessed}
    broken = []
    for post_id, k_all in k.items():
        combo = post_id.split("+")
        for piece in combo:
            fewer = "+".join(p for p in combo if p != piece)
            if fewer in k and k_all > k[fewer] * (1 + 1e-9):
                broken.append((post_id, piece, k_all, k[fewer]))
    assert broken == []


def test_the_interval_still_holds_k(assessed):
    assert all(1.0 <= a.k_low <= a.k <= a.k_high for a in assessed)


# (a detail, the same said more broadly)
WIDER = (
    ("living in Leeds", "living in England"),
    ("in my 40s", "middle-aged"),
    ("a nurse", "working in healthcare"),
    ("a nurse", "working"),
    ("with type 1 diabetes", "with diabetes"),
)


def test_a_widened_detail_never_narrows_the_crowd():
    pipe = build_pipeline(load_settings(), reasoner="statistical")
    pipe.with_contributions = False
    pipe.load()
    others = [p for p in PIECES if p not in {n for n, _ in WIDER}]
    pairs = []
    for narrow, wide in WIDER:
        for n in range(0, len(others) + 1):
            for combo in itertools.combinations(others, n):
                pairs.append((", ".join((narrow, *combo)) + ".", ", ".join((wide, *combo)) + "."))
    out = pipe.assess([Post(id=str(i), text=t) for i, pair in enumerate(pairs) for t in pair])
    narrower = [(pair, a.k, b.k) for pair, a, b in zip(pairs, out[0::2], out[1::2]) if b.k < a.k * (1 - 1e-9)]
    assert narrower == []


class _Inconsistent:
    """The statistical reasoner, with tables that disagree: wherever the sex is
    known every other share comes out three times larger (as P(married | woman,
    40s) against P(married) once did), so that saying the sex raises k."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name

    def decompose(self, attributes):
        return self.inner.decompose(attributes)

    def estimate(self, networks, attributes):
        out = []
        for net in self.inner.estimate(networks, attributes):
            if any(n.id == "gender" for n in net.nodes):
                nodes = tuple(
                    n if n.role == "base" or n.id == "gender" or n.estimate is None else n.model_copy(update={
                        "estimate": n.estimate.model_copy(update={
                            "value": min(1.0, 3 * n.estimate.value), "low": min(1.0, 3 * n.estimate.low),
                            "high": min(1.0, 3 * n.estimate.high)})})
                    for n in net.nodes)
                net = net.model_copy(update={"nodes": nodes})
            out.append(net)
        return out


def test_a_detail_that_would_raise_k_is_capped_and_said():
    from dataclasses import replace

    pipe = build_pipeline(load_settings(), reasoner="statistical")
    pipe.load()
    pipe = replace(pipe, reasoner=_Inconsistent(pipe.reasoner), timings={})
    a = pipe.assess([Post(id="p", text="I'm a woman, in my 40s, a nurse, married.")])[0]
    gender = next(x.id for x in a.attributes if x.category == "Gender")
    without = next(c for c in a.contributions if c.attribute_id == gender)
    assert any("capped" in w for w in a.warnings)
    assert a.k == pytest.approx(without.k_without)
    assert all(c.k_without >= a.k * (1 - 1e-9) for c in a.contributions)
    assert 1.0 <= a.k_low <= a.k <= a.k_high


def test_a_consistent_k_is_not_capped(assessed):
    assert not any("capped" in w for a in assessed for w in a.warnings)
