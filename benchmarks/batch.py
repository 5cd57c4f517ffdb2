"""Throughput of ``assess_batch`` through Prefect: posts per minute, statistical and LLM paths.

Each case gets a fresh SQLite store with ``posts`` synthetic posts (distinct
texts: an age, a job, a city, sometimes a partner or a pet) and runs
``assess_batch`` through Prefect (a temporary local server in its own
``PREFECT_HOME``) until none is pending. Pipelines are built before the
clock starts (a worker builds its pipeline once per process).

- statistical, with the rule detector and with the trained detector;
- the LLM path (reasoner ``branch``, statistics off, so every factor is a
  model call) against a local OpenAI-compatible server that answers after
  ``delay_s`` with at most ``server_concurrency`` requests served at once.
  Its capacity is ``server_concurrency / delay_s`` requests per second; the
  ratio of the requests per second kanon sent to that capacity says whether
  the orchestration keeps the server busy (target >= 0.8). The server runs
  in a process of its own (``--server thread`` puts it in kanon's), so that
  its threads do not compete with kanon's for one interpreter lock: the
  figure is about kanon, as against a real model server.

Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Config:
    posts: int = 1000  # posts per case
    llm_posts: int | None = None  # posts for the LLM case (default: posts)
    batch_size: int = 1000  # posts claimed per flow run
    chunk_size: int = 25  # posts per assessment task
    max_workers: int = 4  # tasks at once (threads)
    delay_s: float = 0.2  # the model server's fixed answer time
    server_concurrency: int = 8  # requests the server serves at once; kanon sends at most this many
    samples: int = 3  # samples per sub-question on the LLM path
    server: str = "process"  # where the model server runs: "process" (its own) or "thread" (kanon's)
    cases: tuple[str, ...] = ("rules", "trained", "llm")


AGES = range(19, 70)
JOBS = ["nurse", "software engineer", "teacher", "electrician", "accountant", "chef", "lawyer", "plumber"]
CITIES = ["Leeds", "Austin", "Denver", "Manchester", "Toronto", "Dublin", "Brisbane", "Glasgow", "Seattle"]
EXTRAS = ["", " My husband works nights.", " I live with two cats.", " My bf and I just moved.", " I have three kids."]


def synthetic_posts(n: int, seed: int = 0):
    """Distinct texts (a running number), shaped like the sample posts."""
    import random

    from records.types import Post

    rng = random.Random(seed)
    return [
        Post(id=f"b{i:05d}", text=(f"I'm a {rng.choice(AGES)} year old {rng.choice(JOBS)} living in "
                                   f"{rng.choice(CITIES)}.{rng.choice(EXTRAS)} Question number {i}."))
        for i in range(n)
    ]


# --- the LLM path: a pipeline factory and a model server --------------------------------


def llm_pipeline(llm: str, concurrency: int = 8, samples: int = 3, nonce: str = ""):
    """The pipeline of the LLM case (a flow builds it by reference: ``benchmarks.batch:llm_pipeline``)."""
    from reasoners.pipeline import Pipeline
    from reasoners.profile import RuleProfiler
    from reasoners.registry import detectors, reasoners

    reasoner = reasoners.create("branch", llm=llm, samples=samples, statistics=False,
                                concurrency=concurrency, max_retries=2)
    return Pipeline(detector=detectors.create("rules.v1"), profiler=RuleProfiler(), reasoner=reasoner)


class FixedDelayModel:
    """Answers the BRANCH steps for any attributes, each after ``delay_s``, at most ``slots`` at once."""

    def __init__(self, delay_s: float, slots: int) -> None:
        self.delay_s = delay_s
        self.slots = threading.BoundedSemaphore(slots)
        self.requests = 0
        self.lock = threading.Lock()

    def __call__(self, body):
        import re

        from tests.support.scripted_server import Reply, last_user, question_of, step_of

        with self.slots:  # a server with this many slots: the rest queue
            time.sleep(self.delay_s)
        with self.lock:
            self.requests += 1
        step = step_of(body)
        if step == "decompose":
            ids = re.findall(r"^- (a\d+) \(", last_user(body), re.M)
            nodes = ["n1"] + [f"n{i + 2}" for i in range(len(ids))]
            answer = {
                "select": {"use": ids, "ignore": []},
                "order": [{"node": "n1", "attributes": []}] + [{"node": n, "attributes": [a]} for n, a in zip(nodes[1:], ids)],
                "parents": {n: nodes[:i] for i, n in enumerate(nodes) if i},
                "questions": {"n1": "How many people live in the world?",
                              **{n: f"What share of people share attribute {a} (given the earlier factors)?"
                                 for n, a in zip(nodes[1:], ids)}},
            }
            return Reply(text=json.dumps(answer))
        if step == "estimate":
            count = question_of(body).startswith("How many")
            v = 8.0e9 if count else 0.1
            n = int(body.get("n") or 1)
            return Reply(texts=[json.dumps({"value": v, "low": v / 2, "high": min(v * 2, 8.0e9 if count else 1.0),
                                            "confidence": 0.8})] * n)
        return Reply(text="{}")  # generalise/split are not reached: samples agree


class ModelServerProcess:
    """``FixedDelayModel`` behind a ``ScriptedServer`` in a child process (``--serve-model``).

    ``url`` is where it listens; ``requests`` asks it how many it has answered.
    """

    def __init__(self, delay_s: float, slots: int) -> None:
        self.args = [sys.executable, str(Path(__file__).resolve()), "--serve-model",
                     "--delay", str(delay_s), "--server-concurrency", str(slots)]
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> "ModelServerProcess":
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=str(ROOT))
        self.url = (self.proc.stdout.readline() if self.proc.stdout else "").strip()
        if not self.url.startswith("http://"):
            from records.errors import KanonError

            raise KanonError("the benchmark's model server did not start")
        return self

    @property
    def requests(self) -> int:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()  # end of input: the server stops
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def serve_model(delay_s: float, slots: int) -> None:
    """The child side: print the URL, then answer each line on stdin with the request count."""
    from tests.support.scripted_server import ScriptedServer

    model = FixedDelayModel(delay_s, slots)
    with ScriptedServer(model) as server:
        print(server.url, flush=True)
        for _ in sys.stdin:
            print(model.requests, flush=True)


# --- one case ------------------------------------------------------------------------------


def run_case(name: str, cfg: Config, n: int, pipeline: str, options: dict,
             model: FixedDelayModel | ModelServerProcess | None = None) -> dict:
    from flows.assess import assess_batch
    from flows.pipeline_factory import load_pipeline
    from storage import repository as repo
    from storage.engine import create_engine
    from storage.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix=f"kanon-bench-{name}-"))
    url = f"sqlite:///{folder / 'kanon.db'}"
    upgrade(url)
    engine = create_engine(url)
    repo.add_posts(engine, synthetic_posts(n))
    t0 = time.perf_counter()
    pipe = load_pipeline(pipeline, options)
    if hasattr(pipe, "load"):
        pipe.load()
    build_s = time.perf_counter() - t0
    calls0 = model.requests if model else 0
    runs = 0
    t0 = time.perf_counter()
    while repo.status_counts(engine).get("pending"):
        assess_batch(url, batch_size=cfg.batch_size, chunk_size=cfg.chunk_size, pipeline=pipeline,
                     options=options, max_workers=cfg.max_workers)
        runs += 1
    wall = time.perf_counter() - t0
    counts = repo.status_counts(engine)
    out = {
        "case": name, "posts": n, "done": counts.get("done", 0), "failed": counts.get("failed", 0),
        "flow_runs": runs, "wall_s": round(wall, 2), "pipeline_build_s": round(build_s, 2),
        "posts_per_minute": round(60 * counts.get("done", 0) / wall, 1),
        "chunk_size": cfg.chunk_size, "max_workers": cfg.max_workers,
    }
    if model is not None:
        calls = model.requests - calls0
        capacity = cfg.server_concurrency / cfg.delay_s
        out.update({
            "model_requests": calls, "requests_per_post": round(calls / max(n, 1), 2),
            "delay_s": cfg.delay_s, "server_concurrency": cfg.server_concurrency,
            "server_capacity_rps": round(capacity, 2), "kanon_rps": round(calls / wall, 2),
            "throughput_ratio": round(calls / wall / capacity, 3), "server": cfg.server,
        })
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=Config.posts)
    parser.add_argument("--llm-posts", type=int, default=None, help="posts for the LLM case (default: --posts)")
    parser.add_argument("--chunk-size", type=int, default=Config.chunk_size)
    parser.add_argument("--max-workers", type=int, default=Config.max_workers)
    parser.add_argument("--delay", type=float, default=Config.delay_s)
    parser.add_argument("--server-concurrency", type=int, default=Config.server_concurrency)
    parser.add_argument("--cases", default=",".join(Config.cases), help="comma-separated: rules, trained, llm")
    parser.add_argument("--server", choices=("process", "thread"), default=Config.server,
                        help="the model server in its own process, or in a thread of kanon's")
    parser.add_argument("--serve-model", action="store_true", help=argparse.SUPPRESS)  # the child of --server process
    args = parser.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if args.serve_model:
        serve_model(args.delay, args.server_concurrency)
        return
    cfg = Config(posts=args.posts, llm_posts=args.llm_posts, chunk_size=args.chunk_size, max_workers=args.max_workers,
                 delay_s=args.delay, server_concurrency=args.server_concurrency, server=args.server,
                 cases=tuple(c.strip() for c in args.cases.split(",") if c.strip()))

    # A Prefect of its own: a temporary server in a temporary home, quiet, no network.
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="kanon-bench-prefect-"))
    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                       "PREFECT_LOGGING_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                       "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}.items():
        os.environ.setdefault(key, value)

    # Start Prefect's temporary server before any clock runs (a deployment's server is up already).
    from prefect import flow

    flow(name="kanon-bench-warm-up", persist_result=False)(lambda: None)()

    factory = "flows.components:pipeline_from_options"
    for case in cfg.cases:
        if case == "rules":
            print(json.dumps(run_case(case, cfg, cfg.posts, factory, {"detector": "rules.v1", "reasoner": "statistical"})), flush=True)
        elif case == "trained":
            print(json.dumps(run_case(case, cfg, cfg.posts, factory, {"detector": "minilm-bio.v1", "reasoner": "statistical"})), flush=True)
        elif case == "llm":
            from tests.support.scripted_server import ScriptedServer

            with contextlib.ExitStack() as stack:
                if cfg.server == "process":
                    model = stack.enter_context(ModelServerProcess(cfg.delay_s, cfg.server_concurrency))
                    url = model.url
                else:
                    model = FixedDelayModel(cfg.delay_s, cfg.server_concurrency)
                    url = stack.enter_context(ScriptedServer(model)).url
                options = {"llm": url, "concurrency": cfg.server_concurrency, "samples": cfg.samples,
                           "nonce": uuid.uuid4().hex}
                print(json.dumps(run_case(case, cfg, cfg.llm_posts or cfg.posts, "benchmarks.batch:llm_pipeline",
                                          options, model)), flush=True)
        else:
            from records.errors import InputError

            raise InputError(f"unknown case {case!r}; known: rules, trained, llm")


if __name__ == "__main__":
    main()
