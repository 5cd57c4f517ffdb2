"""``kanon train detector`` as a user runs it: a Prefect flow run, a loadable folder, figures printed.

A tiny run (40 training posts, one epoch) on CPU against the session's test
Prefect server; the flow run's parameters are settings and paths, never text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).with_name("kanon")
KANON = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kanon.cli"]

pytestmark = pytest.mark.slow


def test_train_detector_runs_as_a_flow(tmp_path, prefect_server):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KANON_"))}
    env.update({"PREFECT_API_URL": prefect_server["api_url"], "PREFECT_HOME": prefect_server["home"],
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PYTHONPATH": str(ROOT)})
    out = tmp_path / "det"
    r = subprocess.run([*KANON, "train", "detector", "--out", str(out), "--device", "cpu", "--epochs", "1",
                        "--limit-train", "40"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "dev: partial-span F1" in r.stdout and f"saved to {out}" in r.stdout
    card = json.loads((out / "kanon_detector.json").read_text())
    assert card["config"]["recipe"] == "quick" and card["config"]["epochs"] == 1
    assert card["figures"]["test"] is not None and (out / "adapter_model.safetensors").exists()

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["train-detector"])))
    # The flow takes the options as keywords: Prefect stores them under "config".
    mine = [fr for fr in runs if fr.parameters.get("config", {}).get("out_dir") == str(out)]
    assert len(mine) == 1 and mine[0].state.is_completed()
    assert set(mine[0].parameters) == {"config"}
    assert set(mine[0].parameters["config"]) <= {"out_dir", "encoder", "kind", "recipe", "epochs", "frozen_layers",
                                                 "lr", "batch_size", "seed", "device", "limit_train"}


def test_train_detector_refuses_a_bad_recipe(tmp_path, prefect_server):
    env = {**os.environ, "PREFECT_API_URL": prefect_server["api_url"], "PYTHONPATH": str(ROOT)}
    r = subprocess.run([*KANON, "train", "detector", "--out", str(tmp_path / "x"), "--recipe", "fastest",
                        "--no-flow"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "recipe must be one of" in r.stderr
    assert not (tmp_path / "x").exists()
