"""What BRANCH costs: model calls and tokens per text, and the sub-question cache hit rate, over 200 texts.

The texts are the first 200 of data/disclosures/test.jsonl; disclosures come
from the rule detector and the rule profiler. The model is the scripted
OpenAI-compatible server of the tests (tests/support), on 127.0.0.1, which
answers every step at once: what is measured is the machinery's traffic, not
a model's quality or latency. Texts go through in chunks, as
``kanon assess --input`` and the batch flow send them; within a chunk
identical sub-questions are asked once (deduplicated), across chunks they
come from the cache. Tokens are the scripted server's (words, not a
tokenizer's), so compare them between runs of this script only.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Config:
    texts: int = 200  # texts assessed
    chunk: int = 16  # texts per batch sent to the reasoner (as kanon assess --input does)
    samples: int = 5  # samples per sub-question
    statistics: bool = True  # kanon's statistics answer first, the model the rest
    source: str = "data/disclosures/test.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=Config.texts)
    parser.add_argument("--chunk", type=int, default=Config.chunk)
    parser.add_argument("--no-statistics", action="store_true")
    args = parser.parse_args()
    cfg = Config(texts=args.texts, chunk=args.chunk, statistics=not args.no_statistics)

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the scripted server lives in tests/support
    from flows.components import build_detector, build_profiler, build_reasoner
    from records.types import Post
    from flows.settings import load_settings
    from tests.support.branch_model import ChainModel
    from tests.support.scripted_server import ScriptedServer

    rows = [json.loads(x) for x in Path(cfg.source).read_text(encoding="utf-8").splitlines() if x.strip()]
    posts = [Post(id=str(r["id"]), text=r["text"]) for r in rows[: cfg.texts]]
    base = load_settings(llm_samples=cfg.samples, llm_statistics=cfg.statistics,
                         database_url="sqlite:///:memory:")
    det, prof = build_detector(base, "rules.v1"), build_profiler(base)
    attrs = [prof.profile(p, d) for p, d in zip(posts, det.detect(posts))]

    with ScriptedServer(ChainModel()) as srv:
        settings = load_settings(**{**base.model_dump(exclude={"llm_api_key", "api_key"}), "llm": srv.url,
                                    "llm_model": "scripted"})
        r = build_reasoner(settings, "branch")
        t0 = time.perf_counter()
        # Chunks, as a batch run sends them: all sub-questions of a chunk go to the backend together.
        for s in range(0, len(posts), cfg.chunk):
            part = attrs[s: s + cfg.chunk]
            r.estimate(r.decompose_many(part), part)
        elapsed = time.perf_counter() - t0
    u = r.usage
    n = len(posts)
    asked = u["factors"] - u["statistics_answers"]  # factors that needed the model
    print(f"texts {n}, with attributes {sum(bool(a) for a in attrs)}, factors {u['factors']}, "
          f"answered by statistics {u['statistics_answers']}")
    print(f"model calls per text       {u['calls'] / n:.2f}  (decompose {u['texts'] - sum(not a for a in attrs)}, "
          f"estimate requests {u['runner_requests'] - (u['texts'] - sum(not a for a in attrs))})")
    print(f"prompt tokens per text     {u['prompt_tokens'] / n:.0f}")
    print(f"completion tokens per text {u['completion_tokens'] / n:.0f}")
    print(f"sub-questions for the model {asked}: asked {u['llm_questions']}, "
          f"deduplicated in a chunk {u['deduplicated']}, cache hits {u['cache_hits']} "
          f"(cache hit rate {u['cache_hit_rate']:.1%}; no model call for "
          f"{(asked - u['llm_questions']) / max(1, asked):.1%})")
    print(f"early stops {u['early_stops']} of {u['llm_questions']}; repairs {u['runner_repairs']}; "
          f"fallbacks {u['fallbacks']}; {elapsed:.1f}s")


if __name__ == "__main__":
    main()
