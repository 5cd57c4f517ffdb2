"""Combining a sub-question's samples: the median in log space, an interval, and the spread."""

from __future__ import annotations

import math
import statistics

from reasoners.branch.steps import EstimateOut

__all__ = ["aggregate", "log10"]


def log10(x: float) -> float:
    return math.log10(max(x, 1e-300))


def aggregate(kind: str, samples: list[EstimateOut]) -> tuple[float, float, float, float]:
    """Median in log space, an interval covering the samples and the stated ranges, and the spread."""
    values = sorted(s.value for s in samples)
    logs = [log10(v) for v in values]
    value = 10 ** statistics.median(logs)
    if len(values) % 2:  # an odd count: the median is a sample itself, exactly
        value = values[len(values) // 2]
    spread = logs[-1] - logs[0]
    lows = [s.low for s in samples if s.low is not None]
    highs = [s.high for s in samples if s.high is not None]
    low = min([values[0]] + ([10 ** statistics.median(log10(x) for x in lows)] if lows else []))
    high = max([values[-1]] + ([10 ** statistics.median(log10(x) for x in highs)] if highs else []))
    if kind == "fraction":
        value, low, high = min(value, 1.0), min(low, 1.0), min(high, 1.0)
    else:
        value, low, high = max(value, 1.0), max(low, 1.0), max(high, 1.0)
    low, high = min(low, value), max(high, value)
    return value, low, high, spread
