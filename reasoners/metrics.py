"""The metrics of docs/architecture.md, as pure functions: k accuracy and span F1.

k: |log10 k̂ − log10 k| per case; accuracy within 0.5 and 1.0; mean absolute
log10 error; Spearman ρ; interval coverage; risk-understatement rate (k̂ > 3·k).
Spans: exact-span, partial-span (same label, overlap > 50% of the longer
span) and character-level F1, per label, and the false-positive rate on
posts that disclose nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import spearmanr


@dataclass(frozen=True)
class KCase:
    id: str
    k_ref: float
    k_hat: float
    k_low: float
    k_high: float
    ref_low: float | None = None
    ref_high: float | None = None

    @property
    def log_error(self) -> float:
        return abs(math.log10(max(self.k_hat, 1e-12)) - math.log10(max(self.k_ref, 1e-12)))


def k_metrics(cases: Sequence[KCase]) -> dict[str, float]:
    n = len(cases)
    if n == 0:
        return {"n": 0}
    errs = [c.log_error for c in cases]
    out = {
        "n": n,
        "within_0.5": sum(e <= 0.5 for e in errs) / n,
        "within_1.0": sum(e <= 1.0 for e in errs) / n,
        "mean_abs_log10_error": sum(errs) / n,
        "interval_coverage": sum(c.k_low <= c.k_ref <= c.k_high for c in cases) / n,
        "risk_understatement": sum(c.k_hat > 3 * c.k_ref for c in cases) / n,
    }
    if n >= 3:
        rho = spearmanr([c.k_ref for c in cases], [c.k_hat for c in cases]).statistic
        out["spearman"] = float(rho) if not math.isnan(rho) else 0.0
    return out


Span = tuple[int, int, str]  # start, end, label


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _f1(tp: float, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else (1.0 if n_pred == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": n_gold}


def _partial_match(pred: Span, gold: Span) -> bool:
    if pred[2] != gold[2]:
        return False
    longer = max(pred[1] - pred[0], gold[1] - gold[0])
    return _overlap(pred, gold) > 0.5 * longer


def span_metrics(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]) -> dict:
    """Exact, partial and character F1 overall and per label; FP rate on empty posts."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold posts but {len(pred)} predictions")
    labels = sorted({s[2] for g in gold for s in g} | {s[2] for p in pred for s in p})
    counts = {
        kind: defaultdict(lambda: [0.0, 0, 0]) for kind in ("exact", "partial", "char")
    }  # label -> [tp, n_pred, n_gold]
    empty_posts = fp_posts = 0
    for g, p in zip(gold, pred):
        if not g:
            empty_posts += 1
            fp_posts += bool(p)
        gset = set(g)
        used: set[int] = set()
        for s in p:
            counts["exact"][s[2]][1] += 1
            counts["partial"][s[2]][1] += 1
            counts["exact"][s[2]][0] += s in gset
            # Partial: each gold span may be matched once.
            for j, gs in enumerate(g):
                if j not in used and _partial_match(s, gs):
                    used.add(j)
                    counts["partial"][s[2]][0] += 1
                    break
        for s in g:
            counts["exact"][s[2]][2] += 1
            counts["partial"][s[2]][2] += 1
        # Character level: each character carries at most one label.
        gchars = {i: s[2] for s in g for i in range(s[0], s[1])}
        pchars = {i: s[2] for s in p for i in range(s[0], s[1])}
        for i, lab in pchars.items():
            counts["char"][lab][1] += 1
            counts["char"][lab][0] += gchars.get(i) == lab
        for lab in gchars.values():
            counts["char"][lab][2] += 1
    out: dict = {}
    for kind, table in counts.items():
        tp = sum(v[0] for v in table.values())
        npred = sum(v[1] for v in table.values())
        ngold = sum(v[2] for v in table.values())
        out[kind] = _f1(tp, npred, ngold)
        out[kind]["per_label"] = {lab: _f1(*table[lab]) for lab in labels if lab in table}
    out["posts"] = len(gold)
    out["empty_posts"] = empty_posts
    out["false_positive_rate_on_empty"] = fp_posts / empty_posts if empty_posts else None
    return out
