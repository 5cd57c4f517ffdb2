"""Detector throughput: posts per second and peak memory for 1,000 posts of mixed length.

    python benchmarks/detector.py                 # the bundled classifier on CPU
    python benchmarks/detector.py --device cuda   # on a GPU: end to end, the model alone, the GPU's utilisation
    python benchmarks/detector.py --detector rules.v1
    python benchmarks/detector.py --host-only 1   # tokenising, reading and decoding alone: the ceiling a GPU can reach

    python benchmarks/detector.py --vs-presidio   # kanon detect against Presidio, whole processes, paired

Targets: >= 40 posts/s on 2 CPU cores; on a GPU >= 5,000 posts/s for the
model alone and >= 3,000 end to end (text in, spans out); against
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
    model_path: str = ""  # a trained detector folder; "": the bundled one
    gpu_batch_tokens: int = 65536  # GPU: padded tokens per forward pass
    gpu_chunk: int = 4096  # GPU: texts tokenised at a time, the next one in a thread; 0: all at once
    repeat: int = 1  # GPU: timed passes over the posts; the best one is reported (the first pays for warm-up)


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
        h = (input_ids * 1103515245 + torch.arange(w, device=input_ids.device) * 12345 + 7) % 2_147_483_647
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
                                                  "runtime": "torch" if cfg.host_only else cfg.runtime,
                                                  "model_path": cfg.model_path or None,
                                                  "gpu_batch_tokens": cfg.gpu_batch_tokens,
                                                  "gpu_chunk": cfg.gpu_chunk or None}
    if cfg.detector in ("minilm-bio.v1", "minilm", "classifier"):
        # Directly, not through the registry: registering every component
        # imports the reasoners' own dependencies, which a GPU box may lack.
        from reasoners.detector.token_classifier import ClassifierConfig, TokenClassifierDetector

        det = TokenClassifierDetector(ClassifierConfig(**dict(kw, model_path=Path(cfg.model_path) if cfg.model_path
                                                                 else None)))
    else:
        det = registry.detectors.create(cfg.detector, **kw)
    det.load()
    if cfg.host_only:
        from reasoners.detector.bio import TAGS

        model, tok, card = det._loaded
        det._loaded = (ScriptedTagger(cfg.tagged_share, len(TAGS)), tok, card)
    texts = make_posts(cfg)
    posts = [Post(id=str(i), text=t) for i, t in enumerate(texts)]
    det.detect(posts[: cfg.warmup])
    gpu = cfg.device.startswith("cuda")
    if gpu:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    sampler = UtilisationSampler() if gpu else None
    times = []
    for _ in range(max(1, cfg.repeat)):
        if sampler:
            sampler.start()
        t0 = time.perf_counter()
        found = det.detect(posts)
        if gpu:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
        if sampler:
            sampler.stop()
    dt = min(times)
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
    if gpu:
        result["seconds_each"] = [round(t, 3) for t in times]
        result["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        result["gpu_utilisation_pct"] = sampler.summary() if sampler else None
        if not cfg.host_only:
            result["model_alone"] = model_alone(det, texts, cfg)
    print(json.dumps(result))


class UtilisationSampler:
    """The GPU's utilisation (NVML, every 20 ms) while a timed pass runs: mean and max percent.

    NVML's figure is the share of time a kernel was running, not how full
    the chip was; a low figure still says the device waited for the host.
    """

    def __init__(self, every_s: float = 0.02):
        self.every_s, self.samples, self._thread = every_s, [], None
        try:
            import pynvml

            pynvml.nvmlInit()
            self._nvml, self._handle = pynvml, pynvml.nvmlDeviceGetHandleByIndex(0)
        except Exception:  # no NVML binding here: report none rather than guess
            self._nvml = None

    def start(self) -> None:
        import threading

        if self._nvml is None:
            return
        self._stop = threading.Event()

        def run():
            while not self._stop.is_set():
                self.samples.append(self._nvml.nvmlDeviceGetUtilizationRates(self._handle).gpu)
                self._stop.wait(self.every_s)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def summary(self):
        if not self.samples:
            return None
        return {"mean": round(sum(self.samples) / len(self.samples), 1), "max": max(self.samples),
                "samples": len(self.samples)}


def model_alone(det, texts: list[str], cfg: BenchConfig) -> dict:
    """Posts per second of the forward passes alone: windows tokenised and batched beforehand, tags left on the device."""
    import torch

    from reasoners.detector.windows import length_batches, padded_ids

    model, tok, card = det._loaded
    max_length = int(card.get("max_length", 256))
    enc = tok(texts, truncation=True, max_length=max_length, stride=det.config.stride,
              return_overflowing_tokens=True, padding=False)
    rows = enc["input_ids"]
    batches = []
    for idx in length_batches([len(r) for r in rows], det.config.batch_size * 32, cfg.gpu_batch_tokens):
        ids, lengths = padded_ids([rows[j] for j in idx], tok.pad_token_id or 0)
        ids_d = torch.from_numpy(ids).to(det.device)
        mask = (torch.arange(ids.shape[1], device=det.device) < torch.from_numpy(lengths).to(det.device)[:, None]).long()
        batches.append((ids_d, mask))
    times = []
    with torch.inference_mode():
        for _ in range(max(2, cfg.repeat + 1)):  # the first pass warms up kernels of every shape
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for ids_d, mask in batches:
                model(input_ids=ids_d, attention_mask=mask).logits.argmax(-1)
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
    best = min(times[1:])
    tokens = sum(int(m.sum()) for _, m in batches)
    padded = sum(m.numel() for _, m in batches)
    return {"posts_per_second": round(len(texts) / best, 1), "seconds": round(best, 4), "batches": len(batches),
            "windows": len(rows), "tokens": tokens, "padding_share": round(1 - tokens / padded, 3),
            "tokens_per_second": round(tokens / best)}


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
