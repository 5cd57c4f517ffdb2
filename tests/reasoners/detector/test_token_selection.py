"""Inference keeps only the tokens decoding needs, and merges windows: same spans as from every token.

A scripted model stands in for the classifier (what is under test is the
selection and the merge, not the model): its tags are a fixed function of a
token's id and position, so a window gets the same tags in any batch.
"""

import types

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from reasoners.detector.bio import TAGS, TokenPrediction, decode
from reasoners.detector.corpus import CORPUS_DIR, read_jsonl
from reasoners.detector.token_classifier import packaged_encoder, predict_spans
from reasoners.detector.windows import _needed


class ScriptedTagger:
    def __init__(self, share: int = 15):
        self.share = share  # percent of tokens given a tag

    def __call__(self, input_ids, attention_mask):
        b, w = input_ids.shape
        pos = torch.arange(w).expand(b, w)
        h = (input_ids * 1103515245 + pos * 12345 + 7) % 2_147_483_647
        tag = torch.where(h % 100 < self.share, 1 + h % (len(TAGS) - 1), torch.zeros_like(h))
        logits = torch.nn.functional.one_hot(tag, len(TAGS)).float() * 4.0 + (h % 13).unsqueeze(-1) / 100.0
        return types.SimpleNamespace(logits=logits)


@pytest.fixture(scope="module")
def tok():
    return AutoTokenizer.from_pretrained(str(packaged_encoder()))


def reference(model, tok, text, max_length, stride):
    """Every token of every window, one window at a time; the most central window wins, the earlier on a tie."""
    enc = tok([text], truncation=True, max_length=max_length, stride=stride, return_overflowing_tokens=True,
              return_offsets_mapping=True)
    best = {}
    for w, (ids, offsets) in enumerate(zip(enc["input_ids"], enc["offset_mapping"])):
        logits = model(torch.tensor([ids]), torch.ones(1, len(ids))).logits[0]
        probs = torch.softmax(logits, -1)
        n = len(offsets)
        for t, (s, e) in enumerate(offsets):
            if s == e:
                continue
            cent = min(t, n - 1 - t)
            tag = int(logits[t].argmax())
            if (s, e) not in best or cent > best[(s, e)][0]:
                best[(s, e)] = (cent, tag, float(probs[t, tag]))
    tokens = [TokenPrediction(s, e, tag, p) for (s, e), (_, tag, p) in sorted(best.items())]
    return decode(tokens, text)


def rounded(spans):
    return [(a, b, lab, round(sc, 4)) for a, b, lab, sc in spans]


@pytest.mark.parametrize(("max_length", "stride"), [(256, 64), (24, 8)])
def test_same_spans_as_from_every_token(tok, max_length, stride):
    texts = [e.text for e in read_jsonl(CORPUS_DIR / "dev.jsonl")[:60]]
    texts.append("\n\n".join(texts[:8]))  # several windows even at 256 tokens
    model = ScriptedTagger()
    got = predict_spans(model, tok, texts, device="cpu", batch_size=7, max_length=max_length, stride=stride)
    assert sum(map(len, got)) > 50  # the scripted tags make spans to compare
    for text, spans in zip(texts, got):
        assert rounded(spans) == rounded(reference(model, tok, text, max_length, stride))


def test_a_word_is_kept_whole():
    # "mom" "##bas" "##a" " is" " 5": the word's first piece is tagged, its later pieces are O.
    starts = np.array([0, 3, 6, 8, 11])
    ends = np.array([3, 6, 7, 10, 12])
    tags = np.array([3, 0, 0, 0, 0])
    assert _needed(starts, ends, tags).tolist() == [True, True, True, False, False]
    tags = np.array([0, 0, 0, 0, 5])  # a tag at the end keeps its left neighbour
    assert _needed(starts, ends, tags).tolist() == [False, False, False, True, True]
    assert not _needed(starts, ends, np.zeros(5, dtype=int)).any()


@pytest.mark.parametrize(("chunk", "max_tokens"), [(9, 600), (1000, 2048)])
def test_gpu_batching_gives_the_same_spans(tok, chunk, max_tokens):
    # The GPU path: batches by padded tokens, texts tokenised a chunk at a time
    # (the next one in a thread). Spans must not depend on either.
    texts = [e.text for e in read_jsonl(CORPUS_DIR / "dev.jsonl")[:40]]
    texts.append("\n\n".join(texts[:8]))
    model = ScriptedTagger()
    want = predict_spans(model, tok, texts, device="cpu", batch_size=7, max_length=64, stride=16)
    got = predict_spans(model, tok, texts, device="cpu", batch_size=1024, max_length=64, stride=16,
                        max_tokens=max_tokens, chunk=chunk)
    assert sum(map(len, got)) > 30
    assert [rounded(s) for s in got] == [rounded(s) for s in want]


def test_padded_ids_match_pad_batch():
    from reasoners.detector.windows import pad_batch, padded_ids

    rows = [[101, 7, 8, 102], [101, 102], [101, 5, 6, 7, 8, 9, 102]]
    ids, lengths = padded_ids(rows, pad_id=0)
    ref_ids, ref_mask = pad_batch(rows, 0)
    assert ids.tolist() == ref_ids.tolist()
    assert lengths.tolist() == ref_mask.sum(1).tolist()
    filled = padded_ids(rows, pad_id=-1, alloc=lambda shape: np.zeros(shape, dtype=np.int64))[0]
    assert filled[1].tolist() == [101, 102, -1, -1, -1, -1, -1]


def test_at_most_in_flight_batches_are_unread(tok):
    from reasoners.detector.windows import TorchTagger, columns_from_windows

    class Counting(TorchTagger):
        def __init__(self):
            super().__init__(ScriptedTagger(), "cpu", in_flight=3)
            self.unread = self.most = 0

        def launch(self, rows, pad_id):
            self.unread += 1
            self.most = max(self.most, self.unread)
            return super().launch(rows, pad_id)

        def collect(self, handle):
            self.unread -= 1
            return TorchTagger.collect(handle)

    texts = [e.text for e in read_jsonl(CORPUS_DIR / "dev.jsonl")[:30]]
    enc = tok(texts, truncation=True, max_length=64, stride=16, return_overflowing_tokens=True,
              return_offsets_mapping=True)
    windows = (enc["input_ids"], enc["offset_mapping"], enc["overflow_to_sample_mapping"])
    tagger = Counting()
    deep = columns_from_windows(windows, len(texts), tagger, 0, batch_size=4)
    assert tagger.most == 3 and tagger.unread == 0
    assert deep == columns_from_windows(windows, len(texts), TorchTagger(ScriptedTagger(), "cpu"), 0, batch_size=4)
