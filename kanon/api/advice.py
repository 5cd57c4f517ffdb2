"""Advice per disclosure: what leaving it out would change, and how to say it more broadly.

Both answers are measured the same way, so the page never contradicts itself:
"without it" is the k of the text with that span removed, re-assessed as a whole
text, which is exactly what the "leave it out" rewrite gives. Where the same
detail is given by other spans too ("in Lyon, France ... we live in Lyon"),
each span alone changes little, so the advice also says what leaving out
*every* mention would give, and offers that as a rewrite.

``score`` and ``score_kept`` are the caller's: texts (and kept disclosures) in,
assessments (or None for a failed one) out, through the same pipeline; a
per-request cache keeps a text from being scored twice.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from records.types import Assessment, Disclosure
from reasoners import generalise as rewrite
from reasoners.generalise import mentions
from kanon.report import describe_k, label_words

Score = Callable[[list[str]], list[Assessment | None]]
ScoreKept = Callable[[list[str], list[list[Disclosure]]], list[Assessment | None]]


class Scores:
    """k of whole texts, each text scored once per request.

    A text with words changed is detected afresh (``score``). A text with spans
    removed keeps the other disclosures as they were found (``score_kept``):
    the detector reads context, and a removal must not make it see less or
    more in what is left ("I'm a 34 year old nurse" without the age is still a
    nurse).
    """

    def __init__(self, score: Score, base: Assessment, score_kept: ScoreKept) -> None:
        self._score = score
        self._score_kept = score_kept
        self._known: dict[str, Assessment | None] = {}
        self.base = base

    def fill(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._known))
        for t, a in zip(todo, self._score(todo) if todo else []):
            self._known[t] = a

    def fill_removals(self, text: str, removals: Sequence[Sequence[tuple[int, int]]]) -> list[str]:
        """Score the text without each set of spans, the other disclosures kept; the new texts."""
        out, todo, kept = [], [], []
        for spans in removals:
            new, moved = mentions.removed(text, spans, self.base.disclosures)
            out.append(new)
            if new not in self._known and new not in todo:
                todo.append(new)
                kept.append(moved)
        if todo:
            self._known.update(zip(todo, self._score_kept(todo, kept)))
        return out

    def k(self, text: str) -> float | None:
        """k of the text; a removal cannot make fewer people match, so never below the base k."""
        a = self._known.get(text)
        return None if a is None else max(a.k, self.base.k)

    def get(self, text: str) -> Assessment | None:
        return self._known.get(text)


def disclosure_risk(text: str | None, a: Assessment, scores: Scores | None) -> list[dict[str, Any]]:
    """For each disclosure: k without it, and without every mention of its detail where there are others.

    With the text, each is the k of the text without those spans, re-assessed whole
    (what the "leave it out" rewrite gives). Without it (a history's merged
    assessment), the attribute's leave-one-out contribution stands in for both.
    """
    n = len(a.disclosures)
    attrs_of = {i: [at for at in a.attributes if i in at.disclosure_ids] for i in range(n)}
    from_contrib: dict[int, float] = {}
    for c in a.contributions:
        for i in c.disclosure_ids:
            if i in attrs_of:
                from_contrib[i] = max(from_contrib.get(i, 0.0), c.k_without)
    others = {i: mentions.other_mentions(a.attributes, i) for i in range(n)}
    alone: dict[int, str] = {}
    every: dict[int, str] = {}
    if text is not None and scores is not None:
        shared = [i for i in range(n) if others[i]]
        removals = [[mentions.stretch(text, a.disclosures, a.attributes, i)] for i in range(n)]
        removals += [[(a.disclosures[j].start, a.disclosures[j].end) for j in [i, *others[i]]] for i in shared]
        texts = scores.fill_removals(text, removals)
        alone = dict(zip(range(n), texts[:n]))
        every = dict(zip(shared, texts[n:]))
    out = []
    for i, d in enumerate(a.disclosures):
        kw = scores.k(alone[i]) if i in alone and scores else None
        if kw is None:
            kw = from_contrib.get(i, a.k) if not others[i] else a.k
        row: dict[str, Any] = {
            "disclosure_id": i,
            "label": d.label,
            "label_name": label_words(d.label),
            "k_without": kw,
            "factor": _factor(kw, a.k),
            "attribute_ids": [at.id for at in attrs_of[i]],
            "also_in": others[i],
        }
        if others[i]:
            kall = scores.k(every[i]) if i in every and scores else None
            if kall is None:
                kall = from_contrib.get(i, a.k)
            row["k_without_all"] = kall
            row["factor_all"] = _factor(kall, a.k)
        out.append(row)
    out.sort(key=lambda r: (-max(r["factor"], r.get("factor_all", 0.0)), r["disclosure_id"]))
    return out


def _factor(k_without: float, k: float) -> float:
    return max(1.0, k_without / k) if k > 0 else 1.0


def candidates(text: str, a: Assessment, i: int) -> list[tuple[rewrite.Candidate, str, str, list[tuple[int, int]]]]:
    """(candidate, scope, new text, removed spans) for disclosure ``i``: wider words over its
    stretch, its removal, and, where its detail is given elsewhere too, the removal of every
    mention. Removed spans are empty for a rewrite that changes words."""
    start, end = mentions.stretch(text, a.disclosures, a.attributes, i)
    d = mentions.as_one(a.disclosures, i, start, end)
    attrs = [at for at in a.attributes if i in at.disclosure_ids]
    out = []
    for c in rewrite.suggest(text, d, attrs):
        removes = [(start, end)] if c.kind == "removal" else []
        out.append((c, "this mention", rewrite.apply(text, start, end, c.replacement), removes))
    others = mentions.other_mentions(a.attributes, i)
    if any(not (start <= a.disclosures[j].start and a.disclosures[j].end <= end) for j in others):
        spans = [(x.start, x.end) for x in (a.disclosures[j] for j in [i, *others])]
        every = rewrite.Candidate("", "removal", "removal", "every mention removed")
        out.append((every, "every mention", mentions.without(text, spans), spans))
    return out


def alternative(c: rewrite.Candidate, scope: str, new_text: str, s: Assessment, base: Assessment) -> dict[str, Any]:
    k = max(s.k, base.k) if c.kind == "removal" else s.k  # as "without it" reads it
    return {
        "kind": c.kind,
        "scope": scope,
        "replacement": c.replacement,
        "description": c.description,
        "generaliser": c.generaliser,
        "source": c.source,
        "text": new_text,
        "k": k,
        "k_low": s.k_low,
        "k_high": max(s.k_high, k),
        "k_gain": k / base.k if base.k > 0 else None,
        "summary": describe_k(k, s.k_low, max(s.k_high, k)),
    }
