"""Latency of POST /v1/assess and /v1/rewrite for a ~100-word post, statistical reasoner, after warm-up.

Starts the API in-process on a free port of 127.0.0.1 (uvicorn in a thread),
sends requests one at a time over HTTP and prints p50 and p95 per endpoint.
The target (issue 7): p95 under 500 ms for /v1/assess on this machine.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from dataclasses import dataclass

# ~100 words: an age, an occupation, a city, a partner, children and a pet.
POST = (
    "Long time lurker, first post. I'm a 34 year old nurse in Leeds and I have been working night "
    "shifts on a surgical ward for about six years now. My husband works days, so we barely see each "
    "other during the week, and with 3 kids and two dogs at home the house is never quiet. Lately I "
    "have been sleeping four or five hours at most and it is starting to show at work. Has anyone "
    "found a rota pattern or a routine that actually helps? Blackout blinds and melatonin have not "
    "done much for me so far. Any advice is welcome, thanks."
)


@dataclass
class Config:
    requests: int = 100  # timed requests per endpoint
    warm_up: int = 10  # untimed requests first (caches, lazy tables)
    detector: str = "rules.v1"  # the trained classifier is measured by the detector benchmark
    reasoner: str = "statistical"


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    i = min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))
    return xs[i]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=Config.requests)
    parser.add_argument("--warm-up", type=int, default=Config.warm_up)
    args = parser.parse_args()
    cfg = Config(requests=args.requests, warm_up=args.warm_up)

    import httpx
    import uvicorn

    from kanon.api.app import create_app
    from flows.components import build_pipeline
    from flows.settings import load_settings

    # No key and a rate limit the benchmark cannot hit: only the pipeline is measured.
    settings = load_settings(api_rate_limit_per_minute=1_000_000)
    pipeline = build_pipeline(settings, detector=cfg.detector, reasoner=cfg.reasoner)
    app = create_app(settings, pipeline)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    t0 = time.perf_counter()
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while True:  # the lifespan warms the pipeline before the server answers
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    print(f"server ready in {time.perf_counter() - t0:.1f}s; post of {len(POST.split())} words")

    with httpx.Client(base_url=url, timeout=60) as client:
        for path in ("/v1/assess", "/v1/rewrite"):
            for _ in range(cfg.warm_up):
                client.post(path, json={"text": POST}).raise_for_status()
            times: list[float] = []
            for _ in range(cfg.requests):
                t = time.perf_counter()
                client.post(path, json={"text": POST}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"{path:12s} n={len(times)}  p50 {percentile(times, 50):7.1f} ms  "
                f"p95 {percentile(times, 95):7.1f} ms  mean {statistics.fmean(times):7.1f} ms"
            )
    server.should_exit = True
    thread.join(timeout=10)


if __name__ == "__main__":
    main()
