"""The trained classifier on ONNX Runtime: kanon's CPU runtime, without torch or transformers.

A detector folder (LoRA adapter over the packaged MiniLM, or full weights)
is exported once to ONNX by ``onnx_export`` and kept in kanon's cache under
a fingerprint of the folder, the encoder and the export recipe; a later
process loads the file directly. Running it needs only ``onnxruntime``, the
``tokenizers`` library and numpy, which import in a fraction of the time
torch and transformers take: that is what makes a cold ``kanon assess``
answer in seconds.

The graph ends in the two things decoding reads, the best tag of each
token and its probability, so that no logits leave it. Windows, length
sorting and decoding are the same as on the torch path
(``windows.columns_from_windows``), so both runtimes give the same
spans up to rounding; int8 weights are an option, measured in
``docs/detector.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from records.errors import ModelNotFoundError

# Raised when the recipe below changes, so that older exports are rebuilt, not reused.
EXPORT_VERSION = "2"
Precision = Literal["fp32", "int8"]
_SMALL = 16 << 20  # files up to this size are hashed by content; larger ones by size and mtime


def available() -> bool:
    """Whether ONNX Runtime is installed (it is a dependency; a trimmed install may lack it)."""
    try:
        import onnxruntime  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def default_cache_dir() -> Path:
    """``$KANON_CACHE_DIR``, else ``$XDG_CACHE_HOME/kanon``, else ``~/.cache/kanon``."""
    if os.environ.get("KANON_CACHE_DIR"):
        return Path(os.environ["KANON_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "kanon"


def fingerprint(model_path: Path, encoder_path: Path | None, precision: Precision) -> str:
    """What an export depends on: the detector's files, the base encoder's, the recipe and precision."""
    h = hashlib.sha256(f"{EXPORT_VERSION}|{precision}".encode())
    for folder in (model_path, encoder_path):
        if folder is None:
            continue
        for f in sorted(p for p in Path(folder).iterdir() if p.is_file()):
            st = f.stat()
            h.update(f"{f.name}|{st.st_size}|".encode())
            if st.st_size <= _SMALL:
                h.update(f.read_bytes())
            else:
                h.update(str(st.st_mtime_ns).encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class Export:
    """Where one export lives: ``model.onnx``, ``tokenizer.json`` and the detector's card."""

    folder: Path

    @property
    def model(self) -> Path:
        return self.folder / "model.onnx"

    @property
    def tokenizer(self) -> Path:
        return self.folder / "tokenizer.json"

    @property
    def card(self) -> Path:
        return self.folder / "kanon_detector.json"

    def complete(self) -> bool:
        return self.model.exists() and self.tokenizer.exists() and self.card.exists()


def export_for(model_path: Path, encoder_path: Path | None, precision: Precision,
               cache_dir: Path | None = None) -> Export:
    """The export of this detector, built now if the cache does not hold it yet."""
    from reasoners.detector.token_classifier import CARD, _recorded_encoder

    card = json.loads((Path(model_path) / CARD).read_text())
    base = encoder_path or (_recorded_encoder(card) if card.get("kind") == "lora" else None)
    key = fingerprint(Path(model_path), Path(base) if base else None, precision)
    export = Export((cache_dir or default_cache_dir()) / "detector-onnx" / key)
    if not export.complete():
        from reasoners.detector.onnx_export import export_onnx

        export_onnx(Path(model_path), encoder_path, export.folder, precision=precision)
    return export


class OnnxTagger:
    """The best tag and its probability per token, from an exported detector, in numpy.

    ``launch`` runs a batch and ``collect`` hands its result back, the shape
    the torch tagger has (where a GPU computes while the host reads): here
    the run is synchronous and ``collect`` only returns it.
    """

    def __init__(self, export: Export, threads: int | None = None) -> None:
        import numpy as np
        import onnxruntime as ort

        if not export.complete():
            raise ModelNotFoundError(f"no exported detector at {export.folder}")
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3  # errors only: ORT warns about unused initialisers of the folded adapter
        if threads:
            so.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(export.model), so, providers=["CPUExecutionProvider"])
        self.card = json.loads(export.card.read_text())
        self._np = np

    def launch(self, rows: list[list[int]], pad_id: int):
        np = self._np
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
            mask[i, :len(r)] = 1
        tags, probs = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return tags, probs

    @staticmethod
    def collect(handle):
        return handle


def load_tokenizer(path: Path):
    """The fast tokenizer of an export, from its ``tokenizer.json`` (the ``tokenizers`` library alone)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(path))


def windows(tokenizer, texts: list[str], *, max_length: int, stride: int):
    """Token windows of each text: ``(ids, offsets, text index)`` lists, windows of a text in order.

    The same windows as transformers' ``return_overflowing_tokens`` with
    ``stride``: each window carries its special tokens, consecutive windows
    share ``stride`` tokens, offsets are into the whole text.
    """
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length, stride=stride, strategy="longest_first")
    ids_all, offsets_all, sample_map = [], [], []
    for i, enc in enumerate(tokenizer.encode_batch(texts)):
        for w in (enc, *enc.overflowing):
            ids_all.append(w.ids)
            offsets_all.append(w.offsets)
            sample_map.append(i)
    return ids_all, offsets_all, sample_map
