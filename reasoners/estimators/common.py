"""What every estimator needs: reading facets off attributes, intervals, data paths.

Facets follow the contract in ``docs/architecture.md`` ("Attributes and their
facets"). Nothing here logs or raises with attribute values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from records.types import Attribute, Estimate, Provenance, SubQuestion

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

# Categories that describe the place and the demographic core of a person.
DEMOGRAPHIC = ("Location", "Gender", "Age")


def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)


def by_category(attrs: Iterable[Attribute], category: str) -> list[Attribute]:
    """Attributes of one category; an ``Age_Gender`` attribute counts as both Age and Gender."""
    out = []
    for a in attrs:
        if a.category == category:
            out.append(a)
        elif a.category == "Age_Gender" and category in ("Age", "Gender"):
            out.append(a)
    return out


def first(attrs: Iterable[Attribute], category: str) -> Attribute | None:
    found = by_category(attrs, category)
    return found[0] if found else None


def categories(attrs: Iterable[Attribute]) -> set[str]:
    out: set[str] = set()
    for a in attrs:
        if a.category == "Age_Gender":
            if sex_of(a) is not None:
                out.add("Gender")
            if age_range(a) is not None:
                out.add("Age")
        else:
            out.add(a.category)
    return out


def location_of(question: SubQuestion) -> Attribute | None:
    """The place the question is about: a Location in the target or among the given."""
    return first(question.target, "Location") or first(question.given, "Location")


def country_of(question: SubQuestion) -> str | None:
    """ISO alpha-2 country of the question's place (upper case), if known."""
    loc = location_of(question)
    if loc is not None:
        c = loc.facets.get("country")
        if isinstance(c, str) and len(c) == 2:
            return c.upper()
    nat = first(question.given, "Race_Nationality") or first(question.target, "Race_Nationality")
    if loc is None and nat is not None:
        c = nat.facets.get("nationality")
        if isinstance(c, str) and len(c) == 2:
            return c.upper()
    return None


def age_range(a: Attribute) -> tuple[int, int] | None:
    lo, hi = a.facets.get("age_low"), a.facets.get("age_high")
    if lo is None and hi is None:
        return None
    try:
        lo_i = int(lo if lo is not None else hi)  # type: ignore[arg-type]
        hi_i = int(hi if hi is not None else lo)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if hi_i < lo_i:
        lo_i, hi_i = hi_i, lo_i
    return max(0, lo_i), min(120, hi_i)


def sex_of(a: Attribute) -> str | None:
    s = a.facets.get("sex")
    if isinstance(s, str) and s.lower() in ("female", "male", "other"):
        return s.lower()
    return None


def soc_of(a: Attribute) -> str | None:
    """SOC 2018 code as six digits ("29-1141" -> "291141"), if the attribute has one."""
    s = a.facets.get("soc")
    if s is None:
        return None
    digits = "".join(ch for ch in str(s) if ch.isdigit())
    return digits if len(digits) == 6 else None


def is_unique(a: Attribute) -> bool:
    return a.facets.get("unique") is True


def clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def widen(value: float, low: float, high: float, factor: float, kind: str = "fraction") -> tuple[float, float]:
    """Widen an interval multiplicatively around its ends (factor >= 1)."""
    low2 = low / factor
    high2 = high * factor
    if kind == "fraction":
        high2 = min(1.0, high2)
    return min(low2, value), max(high2, value)


def log_width(low: float, high: float) -> float:
    """Orders of magnitude an interval spans (a fraction's low end is floored at 1e-12)."""
    return math.log10(max(high, 1e-12) / max(low, 1e-12))


def make_estimate(
    kind: str,
    value: float,
    low: float,
    high: float,
    *,
    component: str,
    source: str,
    dataset: str | None = None,
    year: int | None = None,
    note: str | None = None,
    guess: bool = False,
    raw_value: float | None = None,
    borrowed: tuple[str, str | None] | None = None,
) -> Estimate:
    """An Estimate with its provenance; fractions are clamped into [0, 1] and the interval ordered."""
    if kind == "fraction":
        value, low, high = clamp01(value), clamp01(low), clamp01(high)
    low, high = min(low, value), max(high, value)
    return Estimate(
        kind=kind,  # type: ignore[arg-type]
        value=value,
        low=low,
        high=high,
        provenance=Provenance(
            component=component,
            source=source,  # type: ignore[arg-type]
            dataset=dataset,
            year=year,
            note=note,
            guess=guess,
            raw_value=raw_value,
            borrowed_from=None if borrowed is None else borrowed[0],
            used_for=None if borrowed is None else borrowed[1],
        ),
    )
