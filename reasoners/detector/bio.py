"""BIO tagging: character spans to token tags for training, token tags back to character spans.

Pure functions over tokenizer offset mappings, so that any Hugging Face fast
tokenizer works (WordPiece, SentencePiece, BPE) and long posts can be split
into overlapping windows and merged back to character offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kanon.records import LABELS

TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in LABELS for p in ("B", "I"))
TAG_ID = {t: i for i, t in enumerate(TAGS)}
IGNORE = -100  # positions the loss skips: special tokens and padding


def tags_for_offsets(offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, str]]) -> list[int]:
    """Tag ids for one window of tokens, from gold character spans.

    A token belongs to a span when its first character lies inside it; the
    first such token of a span is B-, the rest I-. Special tokens (empty
    offsets) get IGNORE.
    """
    out: list[int] = []
    prev_span = -1
    for s, e in offsets:
        if s == e:
            out.append(IGNORE)
            continue
        hit = -1
        for j, (a, b, _) in enumerate(spans):
            if a <= s < b:
                hit = j
                break
        if hit < 0:
            out.append(TAG_ID["O"])
            prev_span = -1
            continue
        label = spans[hit][2]
        out.append(TAG_ID[("I-" if hit == prev_span else "B-") + label])
        prev_span = hit
    return out


@dataclass(frozen=True)
class TokenPrediction:
    start: int
    end: int
    tag: int  # index into TAGS
    prob: float


def decode(tokens: Sequence[TokenPrediction], text: str) -> list[tuple[int, int, str, float]]:
    """Merge token tags into character spans ``(start, end, label, score)``.

    Lenient about the model's mistakes: an I- tag after O or after another
    label starts a span, and a B- tag directly after a span of the same label
    inside one word continues it (a word split into pieces is one word).
    """
    spans: list[tuple[int, int, str, list[float]]] = []
    cur: list | None = None
    last_end = -1
    for tok in sorted(tokens, key=lambda t: t.start):
        tag = TAGS[tok.tag]
        if tag == "O":
            cur = None
            last_end = tok.end
            continue
        prefix, label = tag[0], tag[2:]
        same_word = cur is not None and tok.start == last_end
        gap_ok = cur is not None and _only_space_or_punct(text, cur[1], tok.start)
        if cur is not None and cur[2] == label and (prefix == "I" or same_word) and (gap_ok or same_word):
            cur[1] = tok.end
            cur[3].append(tok.prob)
        else:
            cur = [tok.start, tok.end, label, [tok.prob]]
            spans.append(cur)  # type: ignore[arg-type]
        last_end = tok.end
    out = []
    for a, b, label, probs in spans:
        a, b = _trim(text, a, b)
        if b > a:
            out.append((a, b, label, sum(probs) / len(probs)))
    return out


def _only_space_or_punct(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return len(gap) <= 3 and all(c.isspace() or c in "-'’/.,&" for c in gap)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in "[(\"'“"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",.;:!?)]\"”"):
        b -= 1
    return a, b
