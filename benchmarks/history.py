"""Posting-history latency: seconds to assess one author's history of 50 posts.

    python benchmarks/history.py
    python benchmarks/history.py --posts 50 --rounds 5 --detector rules.v1

The posts are those of the shipped history cases (data/k_cases/histories_*.jsonl),
taken in order and cycled up to ``--posts``; one author. Timed: the whole of
``Pipeline.assess_history`` as ``kanon assess --history`` runs it (detection
of every post, profiling, the merge, decomposition, estimation, k and the
contributions of each merged attribute), after start-up (model and tables
loaded once, timed apart). Target (issue 12): under 5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class BenchConfig:
    posts: int = 50  # posts in the history
    rounds: int = 5  # timed assessments after the warm-up one
    detector: str = "minilm-bio.v1"
    contributions: bool = True  # as kanon assess --history reports them


def history_posts(n: int) -> list:
    """``n`` posts from the shipped history cases, in order, cycled."""
    from records.types import Post

    texts: list[str] = []
    for split in ("dev", "test"):
        with open(ROOT / "data" / "k_cases" / f"histories_{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    texts.extend(p["text"] for p in json.loads(line)["posts"])
    if not texts:
        raise SystemExit("no history posts found under data/k_cases/")
    return [Post(id=f"p{i}", text=texts[i % len(texts)]) for i in range(n)]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f, v in asdict(BenchConfig()).items():
        ap.add_argument(f"--{f}", type=int if isinstance(v, bool) else type(v), default=v)
    cfg = BenchConfig(**vars(ap.parse_args(argv)))

    from flows.components import build_pipeline
    from flows.settings import load_settings

    posts = history_posts(cfg.posts)
    t0 = time.perf_counter()
    pipe = build_pipeline(load_settings(), detector=cfg.detector, reasoner="statistical")
    pipe.with_contributions = bool(cfg.contributions)
    pipe.load()
    first = pipe.assess_history("author", posts)  # loads every table once
    startup = time.perf_counter() - t0

    runs: list[float] = []
    for _ in range(cfg.rounds):
        t = time.perf_counter()
        a = pipe.assess_history("author", posts)
        runs.append(time.perf_counter() - t)
    assert a.k == first.k  # the same history, the same answer
    result = {
        "config": asdict(cfg),
        "attributes": len(a.attributes),
        "disclosures": len(a.disclosures),
        "contradictions": len(a.contradictions),
        "startup_s": round(startup, 2),
        "s_per_history_median": round(statistics.median(runs), 3),
        "s_per_history_max": round(max(runs), 3),
    }
    print(json.dumps(result, indent=1))
    print(f"history of {cfg.posts} posts: {result['s_per_history_median']:.2f} s median after start-up "
          f"({result['startup_s']:.1f} s start-up; target under 5 s on 2 cores)")
    return result


if __name__ == "__main__":
    main()
