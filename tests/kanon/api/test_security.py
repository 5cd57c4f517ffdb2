"""The token bucket, and rate limiting over a real server (its own, with a small limit)."""

from __future__ import annotations

import httpx
import pytest

from kanon.api.security import TokenBucket
from tests.kanon.api.conftest import start_server, stop_server


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
            # without a key configured, the API is open
            assert c.post("/v1/rewrite", headers={"Authorization": "Bearer other"}, json={"text": "I live in Leeds."}).status_code == 200
    finally:
        stop_server(server)
