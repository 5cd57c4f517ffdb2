"""The token bucket, and rate limiting over a real server (its own, with a small limit)."""

from __future__ import annotations

import httpx
import pytest

import os
import subprocess
import sys

from kanon.api.security import TokenBucket
from tests.kanon.api.conftest import API_KEY, free_port, start_server, stop_server


def test_bucket_allows_a_burst_then_refills():
    b = TokenBucket(per_minute=3)
    assert [b.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = b.take("a", now=0.0)
    assert wait == pytest.approx(20.0)  # one token every 20 s
    assert b.take("b", now=0.0) == 0.0  # another client has its own bucket
    assert b.take("a", now=21.0) == 0.0


def test_bucket_forgets_the_oldest_clients():
    b = TokenBucket(per_minute=1, max_clients=2)
    for c in ("a", "b", "c"):
        b.take(c, now=0.0)
    assert b.take("a", now=0.0) == 0.0  # "a" was dropped, so it starts full


@pytest.mark.slow
def test_rate_limit_per_client_with_retry_after(tmp_path):
    server = start_server(tmp_path, key=None, rate_per_minute=3)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            codes = [c.post("/v1/assess", json={"text": "I live in Leeds."}).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            r = c.post("/v1/assess", json={"text": "I live in Leeds."})
            assert r.status_code == 429
            assert r.json() == {"error": {"type": "rate_limited", "message": "too many requests; slow down"}}
            assert 1 <= int(r.headers["retry-after"]) <= 20
            assert c.get("/health").status_code == 200  # the health check is not limited
            # without a key (--no-auth), a made-up bearer token does not buy a fresh bucket
            assert c.post("/v1/rewrite", headers={"Authorization": "Bearer other"},
                          json={"text": "I live in Leeds."}).status_code == 429
        assert "WITHOUT an API key" in server.log()  # said on every start
    finally:
        stop_server(server)


@pytest.mark.parametrize("env_key,args", [
    (None, []),  # no key
    ("", []),  # an empty key is no key
    ("   ", []),
    (None, ["--no-auth", "--host", "0.0.0.0"]),  # no auth, but not on loopback
])
def test_the_api_refuses_to_start_open(tmp_path, env_key, args):
    env = {k: v for k, v in os.environ.items() if k != "KANON_API_KEY"}
    env.update(KANON_CONFIG=str(tmp_path / "absent.toml"), KANON_DATABASE_URL=f"sqlite:///{tmp_path}/k.db")
    if env_key is not None:
        env["KANON_API_KEY"] = env_key
    r = subprocess.run([sys.executable, "-m", "kanon.cli", "api", "--port", str(free_port()), *args],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "bad_settings" in r.stderr and "Traceback" not in r.stderr
    assert ("loopback" in r.stderr) if args else ("KANON_API_KEY is not set" in r.stderr)


@pytest.mark.slow
def test_wrong_keys_are_limited_per_address(tmp_path):
    server = start_server(tmp_path, key=API_KEY, extra={"KANON_API_FAILED_AUTH_PER_MINUTE": "5"})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            codes = [c.post("/v1/assess", headers={"Authorization": f"Bearer guess-{i}"},
                            json={"text": "I live in Leeds."}).status_code for i in range(300)]
            assert codes[:5] == [401] * 5
            assert set(codes[5:]) == {429}
            # while the address is blocked, even the right key waits: guessing cannot be confirmed
            r = c.post("/v1/assess", headers={"Authorization": f"Bearer {API_KEY}"}, json={"text": "I live in Leeds."})
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            assert c.get("/health").status_code == 200
    finally:
        stop_server(server)


@pytest.mark.slow
def test_sigterm_ends_the_api_and_the_prefect_server_it_started(tmp_path):
    """After a long history (a temporary Prefect server), SIGTERM to kanon api alone ends them all."""
    import signal
    import time

    import psutil

    from tests.kanon.api.conftest import POST

    server = start_server(tmp_path, key=API_KEY)
    try:
        history = [f"Post {i}: nothing much today." for i in range(6)]
        with server.client(timeout=240.0) as c:
            r = c.post("/v1/assess", json={"text": POST, "history": history})
            assert r.status_code == 202, r.text
            deadline = time.monotonic() + 150
            while c.get(r.json()["poll_url"]).json()["status"] not in ("done", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.3)
        children = psutil.Process(server.process.pid).children(recursive=True)
        assert children, "the history run should have started a Prefect server"
        os.kill(server.process.pid, signal.SIGTERM)  # the API's own pid, not its process group
        assert server.process.wait(timeout=60) is not None
        _, alive = psutil.wait_procs(children, timeout=15)
        assert alive == [], [p.pid for p in alive]
    finally:
        stop_server(server)
