"""Detector throughput: posts per second and peak memory for 1,000 posts of mixed length.

    python benchmarks/detector.py                 # the bundled classifier on CPU
    python benchmarks/detector.py --device cuda   # on a GPU
    python benchmarks/detector.py --detector rules.v1
    python benchmarks/detector.py --host-only 1   # tokenising, reading and decoding alone: the ceiling a GPU can reach

Targets (issue 3): >= 40 posts/s on 2 CPU cores, >= 2,000 posts/s on a GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class BenchConfig:
    detector: str = "minilm-bio.v1"
    device: str = "cpu"
    posts: int = 1000  # how many posts to time
    batch_size: int = 32  # posts per forward pass (x4 on a GPU)
    long_share: float = 0.05  # share of long posts (several thousand characters: several windows)
    warmup: int = 32
    seed: int = 0
    rules: int = 1  # 1: Contact and Name from the rules as in production (needs spaCy); 0: the model alone
    host_only: int = 0  # 1: a scripted tagger instead of the model (no compute): what the host side costs
    tagged_share: float = 0.23  # host_only: share of tokens the scripted tagger tags (the model tags 0.23 of these posts)


class ScriptedTagger:
    """Stands in for the model: tags a fixed share of tokens, by a hash of id and position, at no compute cost.

    With it the benchmark times what a GPU does not speed up: tokenising,
    padding, reading the tags back, selecting tokens and decoding spans.
    """

    def __init__(self, share: float, n_tags: int):
        self.share, self.n_tags = share, n_tags

    def __call__(self, input_ids, attention_mask):
        import types

        import torch

        b, w = input_ids.shape
        h = (input_ids * 1103515245 + torch.arange(w) * 12345 + 7) % 2_147_483_647
        tag = torch.where(h % 1000 < int(self.share * 1000), 1 + h % (self.n_tags - 1), torch.zeros_like(h))
        return types.SimpleNamespace(logits=torch.nn.functional.one_hot(tag, self.n_tags).float())


def make_posts(cfg: BenchConfig) -> list[str]:
    """Mixed lengths from the corpus: short, typical, and a few long ones stitched together."""
    from reasoners.detector.corpus import CORPUS_DIR, read_jsonl

    pool = [e.text for split in ("train", "dev", "test") for e in read_jsonl(CORPUS_DIR / f"{split}.jsonl")]
    rng = random.Random(cfg.seed)
    out = []
    for _ in range(cfg.posts):
        if rng.random() < cfg.long_share:
            out.append("\n\n".join(rng.sample(pool, 12)))
        else:
            out.append(rng.choice(pool))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k, v in asdict(BenchConfig()).items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=v)
    cfg = BenchConfig(**vars(ap.parse_args()))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    from records.types import Post
    from reasoners import registry

    kw = {} if cfg.detector == "rules.v1" else {"device": cfg.device, "batch_size": cfg.batch_size,
                                                  "use_rules": bool(cfg.rules)}
    det = registry.detectors.create(cfg.detector, **kw)
    det.load()
    if cfg.host_only:
        from reasoners.detector.bio import TAGS

        model, tok, card = det._loaded
        det._loaded = (ScriptedTagger(cfg.tagged_share, len(TAGS)), tok, card)
    texts = make_posts(cfg)
    posts = [Post(id=str(i), text=t) for i, t in enumerate(texts)]
    det.detect(posts[: cfg.warmup])
    if cfg.device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    found = det.detect(posts)
    if cfg.device.startswith("cuda"):
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "detector": det.name + ("" if cfg.rules or cfg.detector == "rules.v1" else " (model only, no rules)")
        + (" (host side only: scripted tagger, no model)" if cfg.host_only else ""),
        "device": cfg.device,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, torch threads {torch.get_num_threads()}"
        + (f", {torch.cuda.get_device_name()}" if cfg.device.startswith("cuda") else ""),
        "posts": len(posts),
        "characters": sum(map(len, texts)),
        "spans": sum(map(len, found)),
        "seconds": round(dt, 3),
        "posts_per_second": round(len(posts) / dt, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }
    if cfg.device.startswith("cuda"):
        result["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
