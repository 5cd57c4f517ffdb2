"""The quick recipe's frozen layers: cut the encoder, run its bottom once, train only the top.

The bottom ``frozen`` layers get no adapter; their output over every training
window is computed once (``frozen_output``) and handed back by a stand-in
module in the embeddings' place (``make_stand_in``), while ``top_only``
leaves only the trained layers in the encoder for each step.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager

from reasoners.detector.token_classifier import pad_batch


def split_points(model):
    """(embeddings' owner, encoder) of a Hugging Face encoder model, or None if it has another shape.

    BERT, RoBERTa, MiniLM and DeBERTa-v3 keep ``embeddings`` and ``encoder.layer`` on the
    base model; DeBERTa-v2's optional convolution after the first layer breaks the split.
    """
    base = getattr(model, getattr(model, "base_model_prefix", ""), None)
    encoder = getattr(base, "encoder", None)
    if base is None or not hasattr(base, "embeddings") or not hasattr(encoder, "layer"):
        return None
    if getattr(encoder, "conv", None) is not None:
        return None
    return base, encoder


def make_stand_in():
    """A module that stands in for the embeddings (built here so importing this file needs no torch)."""
    import torch

    class FrozenOutput(torch.nn.Module):
        """Stands in for the embeddings: hands the encoder the frozen layers' cached output."""

        hidden = None

        def forward(self, *args, **kwargs):
            if self.hidden is None:
                raise RuntimeError("no cached hidden states set for this batch")
            return self.hidden

    return FrozenOutput()


@contextmanager
def top_only(split, frozen: int, stand_in):
    """While inside: the model starts at layer ``frozen`` and reads its input from ``stand_in``."""
    if not frozen or split is None:
        yield
        return
    import torch

    base, encoder = split
    embeddings, layers = base.embeddings, encoder.layer
    base.embeddings = stand_in
    encoder.layer = torch.nn.ModuleList(list(layers)[frozen:])
    try:
        yield
    finally:
        base.embeddings, encoder.layer = embeddings, layers
        stand_in.hidden = None


def frozen_output(split, windows, frozen: int, *, pad_id: int, device: str, progress: bool, batch_size: int = 64):
    """The output of the bottom ``frozen`` layers for every window (one tensor [tokens, hidden] each).

    Only those layers run: the encoder is cut after them for the pass.
    """
    import torch

    base, encoder = split
    layers = encoder.layer
    out: list = [None] * len(windows)
    order = sorted(range(len(windows)), key=lambda i: len(windows[i][0]))
    bar = progress_bar(math.ceil(len(order) / batch_size), f"frozen layers 1-{frozen}", progress)
    was_training = base.training
    base.eval()
    encoder.layer = torch.nn.ModuleList(list(layers)[:frozen])
    try:
        with torch.no_grad():
            for c in range(0, len(order), batch_size):
                b = order[c:c + batch_size]
                ids, mask = pad_batch([windows[i][0] for i in b], pad_id)
                hidden = base(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state.float().cpu()
                for r, i in enumerate(b):
                    out[i] = hidden[r, :len(windows[i][0])].clone()
                bar.update(1)
    finally:
        encoder.layer = layers
        base.train(was_training)
    bar.close()
    return out


class _NoBar:
    def update(self, n: int) -> None: ...
    def close(self) -> None: ...


def progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False)
