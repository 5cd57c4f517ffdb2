"""The CLI contract of README.md, exercised through the real ``kanon`` executable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KANON = str(Path(sys.executable).with_name("kanon"))
CANARY = "zqxj-canary-7731"


def run(*args, cwd=None, timeout=300):
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run([KANON, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def assessed():
    r = run("assess", "--json", "I'm a 34 year old nurse living in Leeds")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_assess_json_contract(assessed):
    d = assessed
    assert d["k_low"] <= d["k"] <= d["k_high"]
    assert d["k"] >= 1
    labels = {x["label"] for x in d["disclosures"]}
    assert {"Occupation", "Location"} <= labels
    for x in d["disclosures"]:
        assert {"start", "end", "label", "text", "score"} <= set(x)
        assert 0 <= x["score"] <= 1
    assert d["attributes"] and d["factors"]
    for f in d["factors"]:
        assert {"question", "value", "low", "high", "source"} <= set(f)
        assert f["source"] and f["source"] != "none"  # every factor says where it came from
        assert f["low"] <= f["value"] <= f["high"]
    # one contribution per attribute, and removing a disclosure never lowers k
    assert len(d["contributions"]) == len(d["attributes"])
    for c in d["contributions"]:
        assert c["k_without"] >= d["k"] * 0.999
    assert d["riskiest"]["factor"] == max(c["factor"] for c in d["contributions"])


def test_assess_human_report():
    r = run("assess", "--detector", "rules.v1", "28F, software engineer in Austin with two cats")
    assert r.returncode == 0, r.stderr
    assert "k =" in r.stdout and "Riskiest detail: place (Austin)" in r.stdout
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    # a factor's wrapped lines hang under its first, never back at column 0
    built = lines[lines.index(next(x for x in lines if x.startswith("How k is built"))) + 1:]
    built = built[:built.index("")] if "" in built else built
    assert len(built) >= 4 and all(x.startswith(" ") for x in built), built
    assert not any(code in r.stdout for code in ("_BF", "Age_Gender", "age_", "husband_bf", " a0 "))


def test_a_figure_from_another_country_is_said_in_the_report():
    r = run("assess", "--json", "I'm a pharmacist in Lyon")
    assert r.returncode == 0, r.stderr
    borrowed = [f["borrowed"] for f in json.loads(r.stdout)["factors"] if f.get("borrowed")]
    assert borrowed and all(b["for"] == "FR" and b["from"] != "FR" for b in borrowed)
    r = run("assess", "I'm a pharmacist in Lyon")
    assert "standing in for France (interval widened)" in r.stdout


@pytest.mark.parametrize("text,code", [("", "empty_text"), ("   \n\t ", "empty_text")])
def test_empty_text_is_a_clear_error(text, code):
    r = run("assess", text)
    assert r.returncode == 2
    assert code in r.stderr and "Traceback" not in r.stderr


def test_too_long_text_names_the_limit():
    r = run("assess", "I am a nurse. " * 8000)  # 112,000 characters
    assert r.returncode == 2
    assert "text_too_long" in r.stderr and "100000" in r.stderr.replace(",", "")
    assert "nurse" not in r.stderr


def test_a_long_text_is_assessed_to_its_end():
    # Chat messages and life stories run past Reddit's 40,000: 90,000 characters
    # go through the detector's windows, and what is said at the very end counts.
    filler = "We walked along the river after lunch and talked about the weather. " * 1300
    r = run("assess", "--json", filler + "Anyway, I'm a 34 year old nurse living in Leeds.")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert len(filler) > 88_000
    found = {x["label"] for x in d["disclosures"] if x["start"] >= len(filler)}
    assert {"Occupation", "Location"} <= found, found


def test_batch_file_with_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": "ok1", "text": "33M, RN in Ohio. ' + CANARY.encode() + b'"}\n'
        b'this is not json ' + CANARY.encode() + b'\n'
        b'{"id": "empty", "text": "  "}\n'
        b'{"id": "badutf", "text": "caf\xe9 ' + CANARY.encode() + b'"}\n'
        b'{"id": "ok2", "text": "What laptop should I buy for uni?"}\n'
    )
    out = tmp_path / "out.jsonl"
    r = run("assess", "--detector", "rules.v1", "--input", str(src), "--output", str(out))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in rows] == ["ok1", "line-2", "empty", "line-4", "ok2"]
    assert rows[0]["k_low"] <= rows[0]["k"] <= rows[0]["k_high"]
    assert rows[1]["error"]["type"] == "malformed_input" and "line 2" in rows[1]["error"]["message"]
    assert rows[2]["error"]["type"] == "empty_text"
    assert rows[3]["error"]["type"] == "bad_encoding"
    assert "k" in rows[4]
    # the user's text never appears in an error or on stderr
    assert CANARY not in r.stderr
    assert all(CANARY not in json.dumps(x.get("error", "")) for x in rows)


def test_detect_command(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "my wife and I (34m) live in Leeds"}\n{"id": "b", "text": ""}\n')
    out = tmp_path / "out.jsonl"
    r = run("detect", "--detector", "rules.v1", "--input", str(src), "--output", str(out))
    assert r.returncode == 0, r.stderr
    a, b = [json.loads(x) for x in out.read_text().splitlines()]
    text = "my wife and I (34m) live in Leeds"
    assert a["id"] == "a" and all(text[s["start"]:s["end"]] == s["text"] for s in a["spans"])
    assert {"Wife_GF", "Age_Gender"} <= {s["label"] for s in a["spans"]}
    assert b["error"]["type"] == "empty_text"


def test_unknown_component_lists_known_ones():
    r = run("assess", "--detector", "nope.v9", "I'm 34")
    assert r.returncode == 2
    assert "unknown_component" in r.stderr and "rules.v1" in r.stderr


def test_evaluate_k_prints_metrics(tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [json.loads(x) for x in Path(__file__).parents[1].joinpath("support/data/k_dev.jsonl").read_text().splitlines()][:4]
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    r = run("evaluate", "k", "--gold", str(gold), "--json", "--detector", "rules.v1")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    m = rep["reasoners"]["statistical"]["metrics"]
    for key in ("within_0.5", "within_1.0", "mean_abs_log10_error", "interval_coverage", "risk_understatement", "spearman"):
        assert key in m
    assert "independent" in rep["reasoners"]
    assert all(c.get("sources") for c in rep["reasoners"]["statistical"]["cases"])
