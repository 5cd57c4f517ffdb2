"""The API over a real server process: every endpoint, auth, size limit, error shapes, rewrites."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.kanon.api.conftest import API_KEY, POST

pytestmark = pytest.mark.slow  # a server process starts once per session (about 10 s)


def assert_error(r: httpx.Response, status: int, type_: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    if type_ is not None:
        assert body["error"]["type"] == type_
    assert "Traceback" not in r.text
    return body["error"]


def test_health_needs_no_key(server):
    r = httpx.get(server.url + "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert "statistical" in r.json()["pipeline"]


def test_page_and_static_files_need_no_key(server):
    r = httpx.get(server.url + "/")
    assert r.status_code == 200 and "<textarea" in r.text
    for name in ("app.js", "style.css", "favicon.svg"):
        assert httpx.get(f"{server.url}/static/{name}").status_code == 200
    assert 'rel="icon" href="/static/favicon.svg"' in r.text  # the tab shows kanon's icon
    assert httpx.get(f"{server.url}/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")


def test_openapi_lists_the_operations(client):
    doc = client.get("/openapi.json").json()
    assert {"/v1/assess", "/v1/rewrite", "/v1/runs/{run_id}", "/health"} <= set(doc["paths"])


def test_the_schema_and_the_docs_are_open_and_served_from_here(server):
    doc = httpx.get(server.url + "/openapi.json")  # no key: the docs page reads it
    assert doc.status_code == 200 and doc.json()["info"]["title"] == "kanon"
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    # every script and stylesheet the page loads is on this server (no CDN)
    import re

    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert httpx.get(server.url + u).status_code == 200, u


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_a_key_is_required(server, headers):
    for method, path in (("POST", "/v1/assess"), ("POST", "/v1/rewrite"), ("GET", "/v1/runs/x")):
        r = httpx.request(method, server.url + path, json={"text": POST}, headers=headers)
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"


def test_assess_returns_the_assessment_and_risk_by_disclosure(client):
    r = client.post("/v1/assess", json={"text": POST})
    assert r.status_code == 200, r.text
    data = r.json()
    for key in ("k", "k_low", "k_high", "summary", "risk", "disclosures", "attributes", "factors", "contributions", "disclosure_risk"):
        assert key in data
    assert data["k_low"] <= data["k"] <= data["k_high"]
    assert data["risk"]["thresholds"] and data["risk"]["level"] in ("severe", "high", "moderate", "low")
    labels = {d["label"] for d in data["disclosures"]}
    assert {"Age", "Occupation", "Location"} <= labels
    for d in data["disclosures"]:
        assert POST[d["start"]:d["end"]] == d["text"]
    risk = data["disclosure_risk"]
    assert len(risk) == len(data["disclosures"])
    assert [x["factor"] for x in risk] == sorted((x["factor"] for x in risk), reverse=True)
    assert all(x["k_without"] >= data["k"] * 0.999 and x["factor"] >= 0.999 for x in risk)
    top = data["disclosures"][risk[0]["disclosure_id"]]
    assert top["label"] == "Location" and risk[0]["factor"] > 10  # a city of 500,000 narrows the crowd most
    assert "stored" not in data


def test_rewrite_raises_k(client):
    r = client.post("/v1/rewrite", json={"text": POST})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["llm"] is False
    (rw,) = data["rewrites"]  # default: the riskiest disclosure
    assert rw["label"] == "Location"
    alts = rw["alternatives"]
    assert 2 <= len(alts) <= 4
    assert [a["k"] for a in alts] == sorted((a["k"] for a in alts), reverse=True)
    abstractions = [a for a in alts if a["kind"] == "abstraction"]
    assert abstractions and all(a["source"] == "grounded" for a in abstractions)
    assert any("England" in a["text"] or "United Kingdom" in a["text"] for a in abstractions)
    assert max(a["k"] for a in abstractions) > data["k"] * 2
    for a in alts:
        assert "Leeds" not in a["text"]
    # the k of a rewrite is the k of its text, through the same pipeline
    best = abstractions[0]
    again = client.post("/v1/assess", json={"text": best["text"]}).json()
    assert again["k"] == pytest.approx(best["k"], rel=1e-6)


def test_rewrite_chosen_spans(client):
    data = client.post("/v1/assess", json={"text": POST}).json()
    age = next(d["id"] for d in data["disclosures"] if d["label"] == "Age")
    job = next(d["id"] for d in data["disclosures"] if d["label"] == "Occupation")
    r = client.post("/v1/rewrite", json={"text": POST, "span_ids": [age, job]})
    assert r.status_code == 200, r.text
    got = {w["label"]: w for w in r.json()["rewrites"]}
    assert set(got) == {"Age", "Occupation"}
    age_texts = [a["text"] for a in got["Age"]["alternatives"]]
    assert any("30-something nurse" in t for t in age_texts)
    assert any("healthcare worker" in a["text"] for a in got["Occupation"]["alternatives"])
    assert_error(client.post("/v1/rewrite", json={"text": POST, "span_ids": [99]}), 404, "not_found")


@pytest.mark.parametrize(
    "body, status, type_",
    [
        ({"text": ""}, 422, "empty_text"),
        ({"text": "   \n "}, 422, "empty_text"),
        ({"text": 12}, 422, "validation_error"),
        ({}, 422, "validation_error"),
        ({"text": "hi", "surprise": 1}, 422, "validation_error"),
        ({"text": "x" * 100_001}, 422, "text_too_long"),  # max_text_chars + 1
        ({"text": POST, "reasoner": "no-such-reasoner"}, 400, "unknown_component"),
        ({"text": POST, "history": ["a"], "store": True}, 400, "input_error"),
        ({"text": POST, "reasoner": "branch"}, 400, "llm_required"),  # the server has no model
        ({"text": POST, "reasoner": "cot"}, 400, "llm_required"),
    ],
)
def test_client_mistakes_are_typed_4xx(client, body, status, type_):
    err = assert_error(client.post("/v1/assess", json=body), status, type_)
    assert "xxxx" not in err["message"]


def test_error_messages_never_echo_what_the_caller_sent(client):
    sent = {
        "reasoner": {"text": POST, "reasoner": "zqreasonername"},
        "field": {"text": POST, "zqfieldname": 1},
        "nested": {"text": POST, "history": ["a", 7]},
    }
    for what, body in sent.items():
        r = client.post("/v1/assess", json=body)
        assert 400 <= r.status_code < 500, what
        assert "zq" not in r.text, what
    err = assert_error(client.post("/v1/assess", json=sent["field"]), 422, "validation_error")
    assert "does not accept" in err["message"]
    err = assert_error(client.post("/v1/assess", json=sent["reasoner"]), 400, "unknown_component")
    assert "statistical" in err["message"]  # the choices are named, the wrong one is not
    err = assert_error(client.post("/v1/rewrite", json={"text": POST, "span_ids": [987654]}), 404, "not_found")
    assert "987654" not in err["message"]


def test_bad_json_is_400(client):
    r = client.post("/v1/assess", content=b'{"text": "I am 34', headers={"Content-Type": "application/json"})
    assert_error(r, 400, "bad_json")


def test_unknown_path_and_method(client):
    assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert_error(client.get("/v1/assess"), 405, "method_not_allowed")


def test_body_size_limit(client):
    big = b'{"text": "' + b"a" * 1_100_000 + b'"}'  # over api_max_body_bytes
    assert_error(client.post("/v1/assess", content=big, headers={"Content-Type": "application/json"}), 413, "body_too_large")

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(110):
            yield b"a" * 10_000
        yield b'"}'

    r = client.post("/v1/assess", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(r, 413, "body_too_large")


def test_cors_only_for_configured_origins(server):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    ok = httpx.options(server.url + "/v1/assess", headers={"Origin": "http://allowed.example", **pre})
    assert ok.headers.get("access-control-allow-origin") == "http://allowed.example"
    bad = httpx.options(server.url + "/v1/assess", headers={"Origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_short_history_is_assessed_at_once(client):
    r = client.post("/v1/assess", json={"text": "I'm a nurse.", "history": ["I live in Leeds.", "I'm 34 years old."]})
    assert r.status_code == 200, r.text
    data = r.json()
    assert {d["label"] for d in data["disclosures"]} >= {"Location", "Occupation"}
    assert all(d["post_id"].startswith("h") and d["text"] for d in data["disclosures"])


def test_long_history_is_a_prefect_flow_run_over_stored_ids(client, server):
    import sqlite3
    import uuid

    marker = f"MARKER{uuid.uuid4().hex}"
    history = [f"Post {i}: nothing much today {marker}." for i in range(6)] + ["I live in Leeds.", "I work as a nurse."]
    r = client.post("/v1/assess", json={"text": f"I'm 34 years old. {marker}", "history": history}, timeout=240)
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["runner"] == "prefect", run
    uuid.UUID(run["run_id"])  # a Prefect flow run id
    assert run["poll_url"] == f"/v1/runs/{run['run_id']}" == r.headers["location"]
    db = server.log_path.parent / "kanon.db"
    with sqlite3.connect(db) as con:  # the texts wait in kanon's store, held from batches
        assert con.execute("select count(*) from posts where status = 'held' and text like ?",
                           (f"%{marker}%",)).fetchone()[0] == 7
    deadline = time.monotonic() + 120
    seen = set()
    while True:
        s = client.get(run["poll_url"]).json()
        seen.add(s["status"])
        if s["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert s["status"] == "done" and s["runner"] == "prefect", s
    assert seen <= {"pending", "running", "done"}
    assert s["result"]["k"] >= 1 and len(s["result"]["disclosures"]) >= 3
    assert {d["label"] for d in s["result"]["disclosures"]} >= {"Location", "Occupation", "Age"}
    assert all(d["post_id"].startswith("history-") and d["text"] for d in s["result"]["disclosures"])
    # read once: texts and result are gone from kanon's store, and the run with them
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from posts where text like ?", (f"%{marker}%",)).fetchone()[0] == 0
    assert_error(client.get(run["poll_url"]), 404, "not_found")
    assert_error(client.get("/v1/runs/nope"), 404, "not_found")
    # nothing of the texts in Prefect's database, or in the server's log
    prefect_files = [p for p in (server.log_path.parent / "prefect").rglob("*") if p.is_file()]
    assert prefect_files and not [str(p) for p in prefect_files if marker.encode() in p.read_bytes()]
    assert marker not in server.log()


def test_store_only_when_asked(client, server):
    import sqlite3

    db = server.log_path.parent / "kanon.db"
    canary = POST + " Canary 41f9."
    r = client.post("/v1/assess", json={"text": canary})
    assert "stored" not in r.json()
    if db.exists():
        with sqlite3.connect(db) as con:
            assert not con.execute("select count(*) from posts where text = ?", (canary,)).fetchone()[0]
    r = client.post("/v1/assess", json={"text": canary, "store": True})
    assert r.status_code == 200, r.text
    pid = r.json()["stored"]["post_id"]
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from posts where id = ?", (pid,)).fetchone()[0] == 1


def test_no_text_in_the_server_log(client, server):
    canary = "My secret pseudonym is Zorblax Quimby and I live in Leeds."
    client.post("/v1/assess", json={"text": canary})
    client.post("/v1/rewrite", json={"text": canary})
    client.post("/v1/assess", json={"text": canary, "reasoner": "nope"})
    time.sleep(0.3)
    log = server.log()
    assert "POST /v1/assess 200" in log  # the access log is there, without the text
    assert "Zorblax" not in log and "Leeds" not in log and API_KEY not in log
