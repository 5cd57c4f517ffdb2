"""``train_detector``: fine-tuning the self-disclosure classifier as a Prefect flow.

The flow's parameters are paths and hyper-parameters, never text; the
corpus is read inside the task. Its result is the figures of the model
card (no text), so it is safe to show in Prefect's UI.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import text_free
from reasoners.detector.train import TrainConfig, train


@task(name="train-token-classifier", persist_result=False, cache_policy=NO_CACHE)
@text_free
def train_task(config: dict[str, Any]) -> dict[str, Any]:
    cfg = TrainConfig(**config)
    card = train(cfg)
    return {"out_dir": str(cfg.out_dir), "figures": {k: v for k, v in card["figures"].items() if k != "history"},
            "train_seconds": card["train_seconds"], "device": card["device"]}


@flow(name="train-detector", persist_result=False, log_prints=False)
@text_free
def train_detector(**config: Any) -> dict[str, Any]:
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(config) - known
    if unknown:
        raise ValueError(f"unknown training options: {', '.join(sorted(unknown))}")
    clean = {k: (Path(v) if k in ("data_dir", "out_dir") and v is not None else v) for k, v in config.items()}
    return train_task(clean)
