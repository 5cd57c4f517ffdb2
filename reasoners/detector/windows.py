"""Token windows to tags: length-sorted batches, the model run by a tagger, windows merged back, tokens selected.

Shared by both runtimes of the classifier: a tagger (``TorchTagger`` here,
``onnx_runtime.OnnxTagger``) runs a batch and hands back each token's best
tag and its probability; everything before and after is numpy and the same.
"""

from __future__ import annotations

from collections import deque


def pad_batch(rows, pad_id: int):
    """(ids, attention mask) for rows of token ids of different lengths."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    ids = pad_sequence([torch.as_tensor(r, dtype=torch.long) for r in rows], batch_first=True, padding_value=pad_id)
    lengths = torch.tensor([len(r) for r in rows])
    return ids, (torch.arange(ids.shape[1]) < lengths[:, None]).long()


class TorchTagger:
    """The best tag and its probability per token, on the torch device.

    Only the tag and its probability leave the device, as small arrays. On a
    GPU a batch goes up from pinned host memory and comes back without
    blocking; an event marks when it can be read, so that the host reads one
    batch while the device runs the next ones (``columns_from_windows``
    keeps ``in_flight`` of them queued). The attention mask is made on the
    device from the lengths: one array of ids crosses the bus, not two.
    """

    def __init__(self, model, device: str, in_flight: int | None = None) -> None:
        self.model, self.device = model, device
        self.cuda = str(device).startswith("cuda")
        self.in_flight = in_flight or (3 if self.cuda else 1)

    def launch(self, rows, pad_id: int):
        import torch

        if self.cuda:
            # Filled in place in a pinned tensor, and copied from that tensor: the
            # host allocator then keeps its memory until the copy is done.
            pinned = []

            def alloc(shape):
                pinned.append(torch.empty(shape, dtype=torch.long, pin_memory=True))
                return pinned[0].numpy()

            _, lengths = padded_ids(rows, pad_id, alloc)
            ids_h = pinned[0]
        else:
            ids, lengths = padded_ids(rows, pad_id)
            ids_h = torch.from_numpy(ids)
        with torch.inference_mode():
            ids_d = ids_h.to(self.device, non_blocking=self.cuda)
            lengths_d = torch.from_numpy(lengths).to(self.device)
            mask = (torch.arange(ids_h.shape[1], device=self.device) < lengths_d[:, None]).long()
            logits = self.model(input_ids=ids_d, attention_mask=mask).logits.float()
            # The probability of the best tag is the softmax at its logit: exp(0) / sum exp(l - max).
            top, tags = logits.max(-1)
            pmax = 1.0 / torch.exp(logits - top.unsqueeze(-1)).sum(-1)
            # A non-blocking copy to the host lands in pinned memory (torch allocates it so).
            tags_h = tags.to(torch.int16).to("cpu", non_blocking=self.cuda)
            p_h = pmax.to("cpu", non_blocking=self.cuda)
        event = None
        if self.cuda:
            event = torch.cuda.Event()
            event.record()
        return tags_h, p_h, event

    @staticmethod
    def collect(handle):
        tags_h, p_h, event = handle
        if event is not None:
            event.synchronize()
        return tags_h.numpy(), p_h.numpy()


def padded_ids(rows, pad_id: int, alloc=None):
    """(ids, lengths) as numpy for rows of token ids of different lengths, ids padded with ``pad_id``.

    The rows are read into one flat array in a single pass and scattered
    under the mask: one conversion from Python ints, not one per row.
    ``alloc(shape)`` gives the int64 array to fill (a view of a pinned torch
    tensor, for a GPU); by default a new one.
    """
    import itertools

    import numpy as np

    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = int(lengths.max()) if len(rows) else 0
    ids = alloc((len(rows), width)) if alloc is not None else np.empty((len(rows), width), dtype=np.int64)
    ids.fill(pad_id)
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    ids[np.arange(width) < lengths[:, None]] = flat
    return ids, lengths


def length_batches(lengths: list[int], batch_size: int, max_tokens: int | None) -> list[list[int]]:
    """Window indices in batches: sorted by length, at most ``batch_size`` windows and ``max_tokens`` padded tokens.

    Sorting keeps padding small; the token budget keeps a CPU's batches
    small where windows are long (a batch of 64 padded to its longest
    window cost twice the time of batches of 8 over the same posts) and lets
    many short ones run together.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        if cur and (len(cur) >= batch_size or (max_tokens and (len(cur) + 1) * lengths[i] > max_tokens)):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    return batches


def columns_from_windows(windows, n_texts: int, tagger, pad_id: int, batch_size: int,
                         max_tokens: int | None = None):
    """Per text four lists in order of start: starts, ends, tag ids, probabilities of the tokens decoding needs.

    ``windows`` is ``(ids, offsets, text index)`` per window; ``tagger`` runs
    a batch (``launch``) and hands back its tags and probabilities as numpy
    arrays (``collect``): torch or ONNX Runtime, the rest is shared.

    Windows of all texts are sorted by length so that a batch pads little.
    A token seen by two windows keeps the tags of the one where it sits
    further from the edge (more context on both sides; the earlier window on
    a tie). Tokens are then selected in numpy (``_needed``) and handed on as
    columns: a Python object per token would cost more than the model itself
    on a GPU.
    """
    import numpy as np

    ids_all, offsets_all, sample_map = windows
    # Per text, one entry per window: (window, starts, ends, centrality, tags, probs) of its real tokens.
    pieces: list[list[tuple]] = [[] for _ in range(n_texts)]

    def collect(idx, handle) -> None:
        tags_np, p_np = tagger.collect(handle)
        for r, j in enumerate(idx):
            off = np.asarray(offsets_all[j], dtype=np.int64).reshape(-1, 2)
            n = len(off)
            pos = np.flatnonzero(off[:, 0] != off[:, 1])  # special tokens have empty offsets
            pieces[sample_map[j]].append((j, off[pos, 0], off[pos, 1], np.minimum(pos, n - 1 - pos),
                                          tags_np[r, pos], p_np[r, pos]))

    # Up to ``in_flight`` batches launched and not yet read: the host reads the
    # oldest while the later ones run (1 on a CPU, where the call is the work).
    depth = max(1, int(getattr(tagger, "in_flight", 1)))
    pending: deque = deque()
    for idx in length_batches([len(r) for r in ids_all], batch_size, max_tokens):
        pending.append((idx, tagger.launch([ids_all[j] for j in idx], pad_id)))
        while len(pending) >= depth:
            collect(*pending.popleft())
    while pending:
        collect(*pending.popleft())

    out = []
    for text_pieces in pieces:
        if not text_pieces:  # an empty text has no window on some tokenizers
            out.append(([], [], [], []))
            continue
        if len(text_pieces) == 1:
            _, starts, ends, _, tags, probs = text_pieces[0]
        else:
            starts, ends, tags, probs = _merge_windows(text_pieces)
        keep = _needed(starts, ends, tags)
        out.append((starts[keep].tolist(), ends[keep].tolist(), tags[keep].tolist(), probs[keep].tolist()))
    return out


def _merge_windows(pieces: list[tuple]):
    """One token sequence from overlapping windows: each token from the window where it is most central."""
    import numpy as np

    window = np.concatenate([np.full(len(p[1]), p[0]) for p in pieces])
    starts, ends, centrality, tags, probs = (np.concatenate([p[k] for p in pieces]) for k in range(1, 6))
    o = np.lexsort((window, -centrality, starts))  # by start, then most central, then earliest window
    starts, ends, tags, probs = starts[o], ends[o], tags[o], probs[o]
    first = np.ones(len(starts), dtype=bool)
    first[1:] = starts[1:] != starts[:-1]
    return starts[first], ends[first], tags[first], probs[first]


def _needed(starts, ends, tags):
    """Which tokens ``bio.decode`` needs to give the same spans as from all of them.

    Every piece of a word that holds a tagged piece (decoding follows a
    word's first piece, and a span must not end inside a word), and the
    neighbours of tagged tokens (an O after a tag ends the span). Pieces
    count as one word when they touch; that is wider than decode's own test,
    which only keeps more tokens than needed.
    """
    import numpy as np

    tagged = tags != 0
    if not tagged.any():
        return tagged
    near = tagged.copy()
    near[1:] |= tagged[:-1]
    near[:-1] |= tagged[1:]
    glued = np.zeros(len(starts), dtype=bool)
    glued[1:] = starts[1:] == ends[:-1]
    word = np.cumsum(~glued)
    word_tagged = np.zeros(int(word[-1]) + 1, dtype=bool)
    word_tagged[word[tagged]] = True
    return near | word_tagged[word]
