"""Detector throughput: posts per second and peak memory for 1,000 posts of mixed length.

    python benchmarks/detector.py                 # the bundled classifier on CPU
    python benchmarks/detector.py --device cuda   # on a GPU
    python benchmarks/detector.py --detector rules.v1
    python benchmarks/detector.py --host-only 1   # tokenising, reading and decoding alone: the ceiling a GPU can reach

    python benchmarks/detector.py --vs-presidio   # kanon detect against Presidio, whole processes, paired

Targets: >= 40 posts/s on 2 CPU cores, >= 2,000 posts/s on a GPU; against
Presidio (``--vs-presidio``, which needs ``make presidio`` once), kanon
detect in at most half of Presidio's wall time on the same posts.
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
    runtime: str = "auto"  # auto | onnx | torch (host_only runs on torch)
    vs_presidio: bool = False  # time `kanon detect` and Presidio as whole processes on the same posts
    runs: int = 3  # vs_presidio: paired runs; the median of each side is reported
    gold: str = "data/disclosures/other_hands/test.jsonl"  # vs_presidio: annotated posts, repeated to `posts`
    presidio_python: str = ".venv-presidio/bin/python"  # vs_presidio: the environment `make presidio` creates


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
        if isinstance(v, bool):
            ap.add_argument("--" + k.replace("_", "-"), action="store_true")
        else:
            ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=v)
    cfg = BenchConfig(**vars(ap.parse_args()))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if cfg.vs_presidio:
        return vs_presidio(cfg)

    import torch

    from records.types import Post
    from reasoners import registry

    kw = {} if cfg.detector == "rules.v1" else {"device": cfg.device, "batch_size": cfg.batch_size,
                                                  "use_rules": bool(cfg.rules),
                                                  "runtime": "torch" if cfg.host_only else cfg.runtime}
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
        "runtime": getattr(det, "runtime", None),
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


# Presidio's entity types that name one of kanon's labels; the rest (dates, IDs, ...) have no counterpart.
PRESIDIO_LABELS = {"PERSON": "Name", "LOCATION": "Location", "NRP": "Race_Nationality", "EMAIL_ADDRESS": "Contact",
                   "PHONE_NUMBER": "Contact", "URL": "Contact", "IP_ADDRESS": "Contact"}


def vs_presidio(cfg: BenchConfig) -> None:
    """Whole processes, paired and alternated: ``kanon detect`` and Presidio's analyzer on the same posts.

    Each run starts a fresh process (imports, model load, every post, the
    output file), as a person or a cron job runs either tool. Prints the
    median wall time of each, their ratio, and the partial-span F1 of both
    on the annotated posts (Presidio's types mapped to kanon's labels).
    """
    import statistics
    import subprocess
    import tempfile

    from reasoners.metrics import span_metrics

    presidio = Path(cfg.presidio_python)
    if not presidio.exists():
        sys.exit(f"no Presidio environment at {presidio}: run `make presidio` once (it installs "
                 "presidio-analyzer and the small spaCy model into .venv-presidio)")
    gold = [json.loads(line) for line in (ROOT / cfg.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    posts = [dict(gold[i % len(gold)], id=f"{gold[i % len(gold)]['id']}#{i}") for i in range(cfg.posts)]
    tmp = Path(tempfile.mkdtemp(prefix="kanon-bench-"))
    src = tmp / "posts.jsonl"
    src.write_text("".join(json.dumps({"id": p["id"], "text": p["text"]}) + "\n" for p in posts), encoding="utf-8")
    commands = {
        "kanon": [sys.executable, "-m", "kanon.cli", "detect", "--input", str(src), "--output", str(tmp / "kanon.jsonl")],
        "presidio": [str(presidio), str(ROOT / "benchmarks" / "presidio_detect.py"), str(src), str(tmp / "presidio.jsonl")],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(cfg.runs):
        for name in (commands if r % 2 == 0 else reversed(list(commands))):  # alternate who goes first
            t0 = time.perf_counter()
            subprocess.run(commands[name], check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls[name].append(time.perf_counter() - t0)
    f1 = {}
    for name, mapping in (("kanon", None), ("presidio", PRESIDIO_LABELS)):
        rows = {}
        for line in (tmp / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = [(s["start"], s["end"], mapping.get(s["label"]) if mapping else s["label"])
                               for s in row.get("spans") or []]
        pred = [[s for s in rows[p["id"]] if s[2]] for p in posts]
        truth = [[(s["start"], s["end"], s["label"]) for s in p["spans"]] for p in posts]
        f1[name] = round(100 * span_metrics(truth, pred)["partial"]["f1"], 1)
    med = {name: statistics.median(v) for name, v in walls.items()}
    print(json.dumps({
        "posts": len(posts),
        "gold": cfg.gold,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "runs": cfg.runs,
        "kanon_s": [round(w, 2) for w in walls["kanon"]],
        "presidio_s": [round(w, 2) for w in walls["presidio"]],
        "kanon_median_s": round(med["kanon"], 2),
        "presidio_median_s": round(med["presidio"], 2),
        "presidio_over_kanon": round(med["presidio"] / med["kanon"], 2),
        "partial_f1": f1,
    }))


if __name__ == "__main__":
    main()
