"""Advice per disclosure agrees with itself: "without it" is what "leave it out" gives.

The detector here marks fixed phrases (the test is about the advice, not about
detection); the profiler, the statistical reasoner and the rewrites are real.
"""

from __future__ import annotations

import re

import pytest

from records.types import Disclosure, Post, Provenance
from reasoners.pipeline import Pipeline
from kanon.api.service import Assistant
from flows.components import build_profiler, build_reasoner
from flows.settings import Settings

# Lyon three times: "in Lyon, France" as two adjacent spans, and again at the end.
LYON = ("I'm a 41 year old pharmacist in Lyon, France. My wife and I have three kids. "
        "We live near Lyon.")
PHRASES = [("41 year old", "Age"), ("pharmacist", "Occupation"), ("in Lyon", "Location"),
           ("France", "Location"), ("near Lyon", "Location"), ("My wife", "Wife_GF"),
           ("three kids", "Family")]


class PhraseDetector:
    """Every occurrence of the given phrases, with their labels."""

    name = "phrases.test"

    def __init__(self, phrases: list[tuple[str, str]]) -> None:
        self.phrases = phrases
        self.labels = tuple(sorted({label for _, label in phrases}))

    def load(self) -> None:
        pass

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        prov = Provenance(component=self.name, source="rule")
        out = []
        for p in posts:
            found = [Disclosure(post_id=p.id, start=m.start(), end=m.end(), label=label, score=0.9, provenance=prov)
                     for phrase, label in self.phrases for m in re.finditer(re.escape(phrase), p.text)]
            out.append(sorted(found, key=lambda d: d.start))
        return out


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    tmp = tmp_path_factory.mktemp("advice")
    s = Settings(detector="rules.v1", reasoner="statistical", database_url=f"sqlite:///{tmp}/k.db")
    pipe = Pipeline(detector=PhraseDetector(PHRASES), profiler=build_profiler(s),
                    reasoner=build_reasoner(s, "statistical", announce=False))
    return Assistant(s, pipe, use_prefect=False)


def _span(data: dict, i: int) -> str:
    d = data["disclosures"][i]
    return LYON[d["start"]:d["end"]]


def test_a_detail_said_three_times_is_advised_as_one(assistant):
    data = assistant.assess(LYON)
    by_text = {_span(data, r["disclosure_id"]): r for r in data["disclosure_risk"]}
    lyon = by_text["in Lyon"]
    assert sorted(_span(data, j) for j in lyon["also_in"]) == ["France", "near Lyon"]
    # one mention out changes little: the others still say Lyon; all of them out widens the crowd
    assert lyon["k_without_all"] > 10 * lyon["k_without"]
    assert lyon["factor_all"] == pytest.approx(lyon["k_without_all"] / data["k"])
    assert by_text["pharmacist"]["also_in"] == [] and "k_without_all" not in by_text["pharmacist"]
    # the list is ordered by what a detail is worth, every mention counted
    assert data["disclosure_risk"][0]["label"] == "Location"
    assert all(r["label_name"] and "_" not in r["label_name"] for r in data["disclosure_risk"])


def test_leaving_it_out_gives_what_the_list_says(assistant):
    data = assistant.assess(LYON)
    risk = {r["disclosure_id"]: r for r in data["disclosure_risk"]}
    out = assistant.rewrite(LYON, list(risk))
    assert len(out["rewrites"]) == len(risk)
    for rw in out["rewrites"]:
        r = risk[rw["disclosure_id"]]
        by_scope = {(a["kind"], a["scope"]): a for a in rw["alternatives"]}
        alone = by_scope[("removal", "this mention")]
        assert alone["k"] == pytest.approx(r["k_without"], rel=1e-6), rw["text"]
        if r["also_in"]:
            every = by_scope[("removal", "every mention")]
            assert every["k"] == pytest.approx(r["k_without_all"], rel=1e-6)
            assert "Lyon" not in every["text"] and "France" not in every["text"]
        else:
            assert ("removal", "every mention") not in by_scope


def test_adjacent_mentions_are_rewritten_together(assistant):
    data = assistant.assess(LYON)
    i = next(r["disclosure_id"] for r in data["disclosure_risk"] if _span(data, r["disclosure_id"]) == "in Lyon")
    alts = assistant.rewrite(LYON, [i])["rewrites"][0]["alternatives"]
    wider = [a for a in alts if a["kind"] == "abstraction"]
    assert wider, alts
    for a in wider:
        # "in Lyon, France" is one stretch: no "in Europe, France", no "in France, France"
        assert ", France" not in a["text"] and a["text"].startswith("I'm a 41 year old pharmacist " + a["replacement"] + ".")
        assert a["text"].endswith("We live near Lyon.")  # the other mention is the "every mention" option's
    removal = next(a for a in alts if a["scope"] == "this mention" and a["kind"] == "removal")
    assert removal["text"].startswith("I'm a 41 year old pharmacist. My wife")


def test_at_the_floor_no_single_detail_seems_to_matter_and_the_advice_says_so(assistant):
    text = LYON + " I'm a pharmacist with three kids, 41 year old, in Lyon."
    data = assistant.assess(text)
    assert data["k"] == 1.0 and data["floor_applied"]
    out = assistant.rewrite(text, [r["disclosure_id"] for r in data["disclosure_risk"]])
    risk = {r["disclosure_id"]: r for r in data["disclosure_risk"]}
    for rw in out["rewrites"]:
        alone = next(a for a in rw["alternatives"] if a["kind"] == "removal" and a["scope"] == "this mention")
        assert alone["k"] == pytest.approx(risk[rw["disclosure_id"]]["k_without"], rel=1e-6)
        assert rw["factor"] == risk[rw["disclosure_id"]]["factor"] >= 1.0
