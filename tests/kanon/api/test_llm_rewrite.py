"""Rewrites from a configured language model (a scripted OpenAI-compatible server), re-scored."""

from __future__ import annotations

import json
import logging

import pytest

from reasoners.generalise import llm_rewrites as rewrite
from reasoners.branch.prompts import manifest_problems
from kanon.api.service import Assistant
from flows.settings import Settings
from tests.kanon.api.conftest import POST
from tests.support.scripted_server import Reply, ScriptedServer

CANARY = "Canary-7d1e"


def _assistant(tmp_path, llm: str | None) -> Assistant:
    s = Settings(detector="rules.v1", reasoner="statistical", llm=llm, llm_model="scripted-m",
                 llm_max_retries=0, database_url=f"sqlite:///{tmp_path}/k.db")
    return Assistant(s, use_prefect=False)


def test_prompt_file_has_its_version_and_hash_pinned_by_the_manifest():
    p = rewrite.rewrite_prompt(1)
    assert p.id == "rewrite@v1" and len(p.sha256) == 64
    assert not [x for x in manifest_problems() if x.startswith("rewrite.")]
    msgs = rewrite.rewrite_messages(p, "I live in Leeds.", type("D", (), {"start": 2, "end": 15, "label": "Location"})())
    assert msgs[0].role == "system" and "Location" in msgs[-1].content and "live in Leeds" in msgs[-1].content


def test_parse_rewrites_keeps_three_distinct_new_ones():
    got = rewrite.parse_rewrites('Sure: {"rewrites": ["in Yorkshire", "in England", "in England", "in Leeds", ""]}', "in Leeds")
    assert got == ["in Yorkshire", "in England"]
    assert rewrite.parse_rewrites("1. in the north\n2. in the UK", "in Leeds") == ["in the north", "in the UK"]
    assert rewrite.parse_rewrites('{"rewrites": 3}', "x") == []


@pytest.mark.slow  # builds the pipeline
def test_llm_rewrites_are_rescored_and_labelled(tmp_path, caplog):
    # the model offers a region (wider), the span itself (dropped) and one the grounded path also has
    answer = {"rewrites": ["in the north of England", "nurse in Leeds", "in Europe"]}
    with ScriptedServer(lambda body: Reply(text=json.dumps(answer))) as srv:
        helper = _assistant(tmp_path, srv.url)
        text = POST + f" {CANARY}"
        a = helper.assess(text)
        loc = next(d for d in a["disclosures"] if d["label"] == "Location")
        with caplog.at_level(logging.DEBUG):
            out = helper.rewrite(text, [loc["id"]])
        requests = list(srv.requests)
    assert len(requests) == 1 and requests[0]["model"] == "scripted-m"
    assert out["llm"]["model"] and out["llm"]["prompt"] == "rewrite@v1" and out["llm"]["rewrites"] >= 1
    [r] = out["rewrites"]
    alts = r["alternatives"]
    llm = [x for x in alts if x["source"] == "llm"]
    assert llm and all(x["generaliser"] == "llm" and "rewrite@v1" in x["description"] for x in llm)
    north = next(x for x in llm if x["replacement"] == "in the north of England")
    assert "in the north of England" in north["text"] and north["k"] > out["k"]
    assert [x["k"] for x in alts] == sorted((x["k"] for x in alts), reverse=True)
    for hi, lo in zip(alts, alts[1:]):  # on a tie, grounded first
        if hi["k"] == lo["k"]:
            assert not (hi["source"] == "llm" and lo["source"] == "grounded")
    assert len({x["replacement"].lower() for x in alts}) == len(alts)
    assert CANARY not in caplog.text


@pytest.mark.slow  # builds the pipeline
def test_a_failing_model_leaves_the_grounded_rewrites(tmp_path):
    with ScriptedServer(lambda body: Reply(status=500, text="down")) as srv:
        out = _assistant(tmp_path, srv.url).rewrite(POST, None)
    assert out["llm"]["error"] and out["rewrites"][0]["alternatives"]
    assert all(x["source"] == "grounded" or x["kind"] == "removal" for x in out["rewrites"][0]["alternatives"])


@pytest.mark.slow  # builds the pipeline
def test_no_model_configured_says_so(tmp_path):
    out = _assistant(tmp_path, None).rewrite(POST, None)
    assert out["llm"] is False
