"""A saturating load on a real server: the work queue is bounded (503 + Retry-After past it),
and ``/health`` answers within a second throughout."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.kanon.api.conftest import API_KEY, POST, start_server, stop_server

pytestmark = pytest.mark.slow

CONCURRENT = 40
LONG = (POST + " ") * 40  # about 8,000 characters, as in a long post
MAX_IN_FLIGHT = 3


def test_health_answers_and_excess_work_is_refused_under_a_saturating_load(tmp_path):
    server = start_server(tmp_path, key=API_KEY, extra={"KANON_API_MAX_IN_FLIGHT": str(MAX_IN_FLIGHT)})
    statuses: list[int] = []
    retry_after: list[str] = []
    lock = threading.Lock()
    go = threading.Event()

    def one() -> None:
        with server.client(timeout=300.0) as c:
            go.wait()
            r = c.post("/v1/assess", json={"text": LONG[:8000]})
        with lock:
            statuses.append(r.status_code)
            if r.status_code == 503:
                assert r.json()["error"]["type"] == "busy"
                retry_after.append(r.headers.get("Retry-After", ""))

    try:
        threads = [threading.Thread(target=one) for _ in range(CONCURRENT)]
        for t in threads:
            t.start()
        go.set()
        health: list[float] = []
        with httpx.Client(base_url=server.url, timeout=10.0) as h:
            while any(t.is_alive() for t in threads) or len(health) < 3:
                t0 = time.monotonic()
                assert h.get("/health").status_code == 200
                health.append(time.monotonic() - t0)
                time.sleep(0.05)
        for t in threads:
            t.join()
    finally:
        stop_server(server)
    assert len(statuses) == CONCURRENT
    assert set(statuses) <= {200, 503}, statuses  # nothing else: no 500, no timeout
    assert 1 <= statuses.count(200) and statuses.count(503) >= CONCURRENT - 2 * MAX_IN_FLIGHT
    assert all(v.isdigit() and int(v) >= 1 for v in retry_after)
    assert max(health) < 1.0, f"/health took {max(health):.2f} s under load"
