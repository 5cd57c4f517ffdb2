"""The language-model paths of the CLI (``--reasoner branch|cot --llm URL``), driven through the
real ``kanon`` executable against the scripted OpenAI-compatible server on 127.0.0.1."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts the kanon executable (tens of seconds on 2 cores)

from tests.support.branch_model import ChainModel
from tests.support.scripted_server import ScriptedServer, step_of

KANON = str(Path(sys.executable).with_name("kanon"))
CANARY = "Qvwxz-canary-street"


def run(*args, cwd, env=None, timeout=300):
    # cwd is a fresh folder: no kanon.toml, no database, so only the flags decide.
    full = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", **(env or {})}
    full = {k: v for k, v in full.items() if not k.startswith("KANON_") or k in (env or {})}
    return subprocess.run([KANON, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=full)


def test_branch_without_llm_is_a_typed_error_exit_2(tmp_path):
    r = run("assess", "--detector", "rules.v1", "--reasoner", "branch", "I'm a nurse in Leeds", cwd=tmp_path)
    assert r.returncode == 2
    assert "llm_required" in r.stderr and "--llm" in r.stderr and "Traceback" not in r.stderr
    assert "nurse" not in r.stderr


def test_assess_branch_against_an_openai_compatible_server(tmp_path):
    model = ChainModel()
    text = f"I'm a 34 year old nurse living in Leeds. {CANARY}"
    with ScriptedServer(model) as srv:
        r = run("assess", "--json", "--detector", "rules.v1", "--reasoner", "branch", "--llm", srv.url,
                "--llm-model", "scripted-m", text, cwd=tmp_path)
        steps = [step_of(b) for b in srv.requests]
        models = {b["model"] for b in srv.requests}
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert models == {"scripted-m"}
    assert steps.count("decompose") >= 1 and "estimate" in steps
    assert d["k_low"] <= d["k"] <= d["k_high"]
    # statistics answer first; the model answers the rest, and every factor says which
    sources = [f["source"] for f in d["factors"]]
    assert all(sources) and "branch.v1" in sources
    assert any(s.startswith("census-tables") for s in sources)
    assert d["usage"]["calls"] == len(srv.requests) and d["usage"]["prompt_tokens"] > 0
    # a local server: no notice; and nothing of the text on stderr
    assert "remote language model" not in r.stderr
    assert CANARY not in r.stderr


def test_history_with_branch_reports_contradictions_without_text(tmp_path):
    hist = tmp_path / "history.jsonl"
    hist.write_text(
        json.dumps({"text": f"I'm 34 and work as a nurse in Leeds. {CANARY}"}) + "\n"
        + json.dumps({"text": "I am 61 and retired now."}) + "\n",
        encoding="utf-8",
    )
    model = ChainModel()
    with ScriptedServer(model) as srv:
        r = run("assess", "--json", "--detector", "rules.v1", "--reasoner", "branch", "--llm", srv.url,
                "--history", str(hist), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    ages = [a for a in d["attributes"] if a["category"] == "Age"]
    assert len(ages) == 1  # the latest age counts; the earlier is not multiplied in...
    assert "Age: post 2 updates post 1; the latest value counts" in d["warnings"]  # ...and is reported
    (change,) = [c for c in d["contradictions"] if c["category"] == "Age"]
    assert (change["kind"], change["kept_post"], change["other_posts"]) == ("update", 1, [0])
    assert [w["post_id"] for w in change["kept_at"]] == [d["disclosures"][i]["post_id"]
                                                         for i in change["kept_disclosure_ids"]]
    for w in d["warnings"]:
        assert CANARY not in w and "34" not in w and "61" not in w and "nurse" not in w.lower()
    assert CANARY not in json.dumps(d["contradictions"]) and "nurse" not in json.dumps(d["contradictions"])
    # one network for the whole history: the largest decompose call saw every merged attribute
    # (the leave-one-out networks behind the contributions are decomposed in the same round,
    # concurrently, so the order of the calls says nothing)
    assert max(model.networks) == len(d["attributes"])
    assert {f.get("source") for f in d["factors"]} and d["k"] >= 1


def test_a_model_that_makes_the_crowd_larger_than_the_place_is_bounded_and_said(tmp_path):
    model = ChainModel(count=1e15, share=0.9)  # "a quadrillion people, nearly all of them nurses"
    with ScriptedServer(model) as srv:
        r = run("assess", "--json", "--detector", "rules.v1", "--reasoner", "branch", "--llm", srv.url,
                "I'm a 34 year old nurse living in Leeds.", cwd=tmp_path,
                env={"KANON_LLM_STATISTICS": "false"})  # the model answers every factor
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert d["k"] <= 1_000_000  # Leeds has under a million people: no answer puts more in the crowd
    assert any("above the population of" in w for w in d["warnings"]), d["warnings"]
    assert not any("Leeds" in w or "nurse" in w for w in d["warnings"])


def test_evaluate_k_compares_statistical_branch_and_cot_in_one_run(tmp_path):
    from flows.components import build_detector, build_profiler
    from records.types import Post
    from flows.settings import load_settings

    texts = ["I'm a 34 year old nurse living in Leeds.", "Woman in my twenties living in Germany.",
             "Retired teacher from Ohio, 68, married."]
    # The reference answers: the scripted model's, so the k each text must get is known exactly.
    settings = load_settings()
    det, prof = build_detector(settings, "rules.v1"), build_profiler(settings)
    posts = [Post(id=f"c{i}", text=t) for i, t in enumerate(texts)]
    n_attrs = [len(prof.profile(p, d)) for p, d in zip(posts, det.detect(posts))]
    # shares small enough that no k is above its place's population (a bound would act there)
    model = ChainModel(count=8_000_000_000, share=0.005, k=3.0e9)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": p.id, "text": p.text, "k_ref": model.expected_k(n)}) + "\n"
                            for p, n in zip(posts, n_attrs)), encoding="utf-8")
    with ScriptedServer(model) as srv:
        r = run("evaluate", "k", "--gold", str(gold), "--json", "--detector", "rules.v1",
                "--reasoner", "statistical", "--reasoner", "branch", "--reasoner", "cot",
                "--llm", srv.url, "--llm-model", "scripted", cwd=tmp_path,
                env={"KANON_LLM_STATISTICS": "false"})  # the model answers every factor
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads(r.stdout)["reasoners"]
    assert list(rep) == ["statistical", "branch", "cot"]
    b, c, s = rep["branch"], rep["cot"], rep["statistical"]
    # the machinery: given the reference answers, branch reproduces k_ref on every case
    for case in b["cases"]:
        assert case["k"] == pytest.approx(case["k_ref"], rel=0.01), case["id"]
    assert b["metrics"]["within_0.5"] == 1.0
    # cot answers k directly (3e9 here), one call per text
    assert c["metrics"]["calls_per_text"] == 1.0
    assert all(math.isclose(x["k"], 3.0e9, rel_tol=0.01) for x in c["cases"])  # seeded Monte Carlo
    # cost per text, for each model reasoner; the statistical one calls no model
    assert b["metrics"]["calls_per_text"] > 1 and b["metrics"]["tokens_per_text"] > 0
    assert b["usage"]["runner_repairs"] == 0 and 0 <= b["metrics"]["cache_hit_rate"] <= 1
    assert c["metrics"]["tokens_per_text"] > 0
    assert "calls_per_text" not in s["metrics"]
