"""BIO tagging: character spans to token tags for training, token tags back to character spans.

Pure functions over tokenizer offset mappings, so that any Hugging Face fast
tokenizer works (WordPiece, SentencePiece, BPE) and long posts can be split
into overlapping windows and merged back to character offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from records.types import LABELS

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


class TokenPrediction(NamedTuple):
    """One token's best tag. A tuple, not a dataclass: inference makes one per token."""

    start: int
    end: int
    tag: int  # index into TAGS
    prob: float


def decode(tokens: Sequence[TokenPrediction], text: str) -> list[tuple[int, int, str, float]]:
    """Merge token tags into character spans ``(start, end, label, score)``.

    Decisions are made per word: the pieces of a word split by the
    tokenizer ("Mombasa" -> "mom", "##bas", "##a") take the tag of its first
    piece, so that a span never starts or ends inside a word; a hyphenated
    word counts as one word. Lenient about
    the model's mistakes: an I- tag after O or after another label starts a
    span. Spans lose edge spaces and punctuation, but keep a bracket that
    closes one they hold ("my son (7)").
    """
    tokens = _by_start(tokens)
    return decode_columns([t.start for t in tokens], [t.end for t in tokens], [t.tag for t in tokens],
                          [t.prob for t in tokens], text)


def decode_columns(starts: Sequence[int], ends: Sequence[int], tags: Sequence[int], probs: Sequence[float],
                   text: str) -> list[tuple[int, int, str, float]]:
    """``decode`` over the tokens as four columns, in order of start.

    Inference calls this one: a column of ints is a list it already has,
    where a tuple per token would cost more than the model on a GPU.
    """
    spans: list[list] = []
    cur: list | None = None
    last_end = -1
    word_tag = 0
    for start, end, tag_id, prob in zip(starts, ends, tags, probs):
        if end <= start:
            continue
        inside_word = start == last_end and start > 0 and (
            (text[start - 1].isalnum() and text[start].isalnum())
            # A hyphenated word is one word ("fifty-something", "Saint-Denis",
            # "mother-in-law"): its hyphen and later parts follow its first part.
            or (text[start] == "-" and text[start - 1].isalnum() and end < len(text) and text[end].isalnum())
            or (text[start - 1] == "-" and text[start].isalnum() and start > 1 and text[start - 2].isalnum())
        )
        if inside_word:
            # A later piece of the same word: follow the word's first piece.
            if cur is not None and word_tag != 0:
                cur[1] = end
                cur[3].append(prob)
            last_end = end
            continue
        word_tag = tag_id
        last_end = end
        if tag_id == 0:
            cur = None
            continue
        tag = TAGS[tag_id]
        prefix, label = tag[0], tag[2:]
        if cur is not None and cur[2] == label and prefix == "I" and _only_space_or_punct(text, cur[1], start):
            cur[1] = end
            cur[3].append(prob)
        else:
            cur = [start, end, label, [prob]]
            spans.append(cur)
    out = []
    for a, b, label, probs_ in spans:
        a, b = _trim(text, a, b)
        if b > a:
            out.append((a, b, label, sum(probs_) / len(probs_)))
    return out


def _by_start(tokens: Sequence[TokenPrediction]) -> Sequence[TokenPrediction]:
    if all(tokens[i].start <= tokens[i + 1].start for i in range(len(tokens) - 1)):
        return tokens
    return sorted(tokens, key=lambda t: (t.start, t.end))


def _only_space_or_punct(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return len(gap) <= 3 and all(c.isspace() or c in "-'’/.,&" for c in gap)


_OPENING = "([{"
_CLOSING = ")]}"


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Strip edge spaces, quotes and punctuation; keep brackets that pair up inside the span."""
    while True:
        a0, b0 = a, b
        while a < b and (text[a].isspace() or text[a] in "\"'“"):
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ",.;:!?\"”") and not _abbreviation_at(text, a, b):
            b -= 1
        if a < b and text[a] in _OPENING and (not _closes(text, a, b) or _encloses(text, a, b)):
            a += 1
            if _encloses(text, a - 1, b):  # "[28F]" -> "28F"
                b -= 1
        if b > a and text[b - 1] in _OPENING:
            b -= 1
        if b > a and text[b - 1] in _CLOSING and not _opens(text, a, b):
            b -= 1
        if (a, b) == (a0, b0):
            return a, b


# Abbreviations whose full stop belongs to the word: a span never ends inside "Ltd." or "Co.".
_ABBREVIATIONS = frozenset(
    "ltd co inc corp plc llc bros jr sr st dr mt ft dept univ govt assn intl mfg".split()
)


def _abbreviation_at(text: str, a: int, b: int) -> bool:
    """Whether the full stop at ``b - 1`` ends an abbreviation (the span's last word is one)."""
    if text[b - 1] != ".":
        return False
    start = b - 1
    while start > a and text[start - 1].isalpha():
        start -= 1
    return start < b - 1 and text[start:b - 1].lower() in _ABBREVIATIONS


def _closes(text: str, a: int, b: int) -> bool:
    """Whether the bracket at ``a`` is closed before ``b``."""
    close = _CLOSING[_OPENING.index(text[a])]
    return close in text[a + 1:b]


def _encloses(text: str, a: int, b: int) -> bool:
    """Whether the bracket at ``a`` is closed exactly at ``b - 1`` (the span is all in brackets)."""
    close = _CLOSING[_OPENING.index(text[a])]
    return b - a >= 2 and text[b - 1] == close and close not in text[a + 1:b - 1]


def _opens(text: str, a: int, b: int) -> bool:
    """Whether the bracket at ``b - 1`` closes one opened at or after ``a``."""
    opening = _OPENING[_CLOSING.index(text[b - 1])]
    return opening in text[a:b - 1]
