"""Curated conditional facts, each with its source and year ("facts.v1").

Rows live in ``data/facts/*.csv`` (plus any extra directory the caller
passes) with the columns ``id, target, given, scope, value, low, high, source,
year, note``. ``target`` and ``given`` are conditions::

    Category:facet=value[,facet=value...][;Category:facet=value...]

A value is a word (compared case-insensitively), a number, a range ``a-b``
(inclusive; ``age`` means the attribute's ``age_low``-``age_high``), ``>=n``
or ``<=n``, or a prefix ending in ``*`` (``soc=15-12*``). ``scope`` is an ISO
country code or ``world``.

Matching: a row applies when every given condition is met by one of the
question's given attributes (a ``Location`` condition by the question's
place) and its target conditions are met by the target attribute. The most
specific row wins (more given conditions, then a scope that is the
question's own country). A row that ignores some of the question's given
attributes, or whose scope is the world or another country, gets a wider
interval. Rows whose target is an age band are summed over the bands the
attribute's age range overlaps (single years take their share of a band).
"""

from __future__ import annotations

import csv
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from records.errors import MalformedInputError
from records.types import Attribute, Estimate, SubQuestion
from reasoners.estimators.common import (
    age_range,
    by_category,
    categories,
    country_of,
    data_path,
    location_of,
    make_estimate,
    soc_of,
)

log = logging.getLogger(__name__)

NAME = "facts.v1"
WIDEN_PER_IGNORED_PARENT = 1.35
WIDEN_WORLD_SCOPE = 1.3
WIDEN_OTHER_COUNTRY = 2.0
WIDEN_COMBINED = 1.3  # two rows multiplied as if independent

# The facets that say what an attribute is, most defining first.
IDENTIFYING: dict[str, tuple[str, ...]] = {
    "Gender": ("sex",),
    "Age": ("age",),
    "Relationship_Status": ("status",),
    "Husband_BF": ("status",),
    "Wife_GF": ("status",),
    "Family": ("relation", "count"),
    "Pet": ("pet", "count"),
    "Health": ("condition", "pregnant"),
    "Mental_Health": ("condition",),
    "Sexual_Orientation": ("orientation",),
    "Race_Nationality": ("nationality", "ethnicity", "immigration"),
    "Education": ("level",),
    "Finance": ("income_usd", "housing"),
    "Occupation": ("soc", "status"),
    "Appearance": ("trait",),
}

_CHILDREN = {"child", "children", "kid", "kids", "son", "sons", "daughter", "daughters"}
_GRANDCHILDREN = {"grandchild", "grandchildren", "grandkid", "grandkids", "grandson", "granddaughter"}


def _canon(facet: str, value: object) -> object:
    """Facet values in one spelling (relations, sexes, booleans)."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    v = str(value).strip().lower()
    if facet == "relation":
        if v in _CHILDREN:
            return "children"
        if v in _GRANDCHILDREN:
            return "grandchildren"
    if facet in ("sex", "partner_sex"):
        return {"woman": "female", "man": "male", "f": "female", "m": "male"}.get(v, v)
    if facet == "soc":
        return "".join(ch for ch in v if ch.isdigit())
    if v in ("true", "false"):
        return v == "true"
    return v


@dataclass(frozen=True)
class Test:
    """One facet test of a condition."""

    facet: str
    op: str  # eq | range | ge | le | prefix
    value: object = None
    low: float = 0.0
    high: float = 0.0

    @staticmethod
    def parse(facet: str, text: str) -> "Test":
        t = text.strip()
        if t.startswith(">="):
            return Test(facet, "ge", low=float(t[2:]))
        if t.startswith("<="):
            return Test(facet, "le", high=float(t[2:]))
        if t.endswith("*"):
            return Test(facet, "prefix", value=_canon(facet, t[:-1]))
        if facet != "soc" and "-" in t[1:]:
            a, b = t.split("-", 1)
            try:
                return Test(facet, "range", low=float(a), high=float(b))
            except ValueError:
                pass
        try:
            return Test(facet, "eq", value=float(t)) if facet != "soc" else Test(facet, "eq", value=_canon(facet, t))
        except ValueError:
            return Test(facet, "eq", value=_canon(facet, t))

    def holds(self, attr: Attribute) -> bool:
        if self.facet == "age":
            rng = age_range(attr)
            if rng is None:
                return False
            lo, hi = rng
            if self.op == "range":
                overlap = min(hi, self.high) - max(lo, self.low) + 1
                mid = (lo + hi) / 2.0
                return overlap >= (hi - lo + 1) / 2.0 and self.low <= mid <= self.high + 0.5
            if self.op == "ge":
                return lo >= self.low
            if self.op == "le":
                return hi <= self.high
            return lo == hi == self.value
        if self.facet == "soc":
            code = soc_of(attr)
            if code is None:
                return False
            return code.startswith(str(self.value)) if self.op == "prefix" else code == self.value
        raw = attr.facets.get(self.facet)
        if raw is None:
            return False
        v = _canon(self.facet, raw)
        if self.op in ("range", "ge", "le"):
            try:
                x = float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
            if self.op == "range":
                return self.low <= x <= self.high
            return x >= self.low if self.op == "ge" else x <= self.high
        if self.op == "prefix":
            return str(v).startswith(str(self.value))
        if isinstance(self.value, float):
            try:
                return float(v) == self.value  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        return v == self.value


@dataclass(frozen=True)
class Condition:
    category: str
    tests: tuple[Test, ...]

    @staticmethod
    def parse_all(text: str) -> tuple["Condition", ...]:
        out = []
        for part in (p.strip() for p in (text or "").split(";")):
            if not part:
                continue
            if ":" not in part:
                raise MalformedInputError("a fact condition lacks 'Category:'")
            cat, rest = part.split(":", 1)
            tests = []
            for kv in rest.split(","):
                if "=" not in kv:
                    raise MalformedInputError("a fact condition lacks 'facet=value'")
                k, v = kv.split("=", 1)
                tests.append(Test.parse(k.strip(), v))
            out.append(Condition(cat.strip(), tuple(tests)))
        return tuple(out)

    def holds(self, attr: Attribute) -> bool:
        return all(t.holds(attr) for t in self.tests)

    @property
    def facets(self) -> frozenset[str]:
        return frozenset(t.facet for t in self.tests)


@dataclass(frozen=True)
class Fact:
    id: str
    target: Condition
    given: tuple[Condition, ...]
    scope: str  # ISO alpha-2 upper case, or WORLD
    value: float
    low: float
    high: float
    source: str
    year: int | None
    note: str
    group: str  # rows differing only in a target age band share a group

    @property
    def age_test(self) -> Test | None:
        for t in self.target.tests:
            if t.facet == "age" and t.op in ("range", "ge"):
                return t
        return None


def load_facts(dirs: tuple[Path, ...]) -> list[Fact]:
    facts: list[Fact] = []
    for d in dirs:
        for path in sorted(Path(d).glob("*.csv")):
            with open(path, newline="", encoding="utf-8") as f:
                lines = (line for line in f if not line.startswith("#"))
                for i, row in enumerate(csv.DictReader(lines), start=2):
                    try:
                        target = Condition.parse_all(row["target"])
                        if len(target) != 1:
                            raise MalformedInputError("a fact's target must be one condition")
                        given = Condition.parse_all(row.get("given") or "")
                        value = float(row["value"])
                        low = float(row["low"]) if row.get("low") else value
                        high = float(row["high"]) if row.get("high") else value
                    except (KeyError, ValueError, MalformedInputError) as e:
                        raise MalformedInputError(f"facts file {path.name}, line {i}: {e}") from None
                    if not 0.0 <= low <= value <= high <= 1.0:
                        raise MalformedInputError(f"facts file {path.name}, line {i}: need 0 <= low <= value <= high <= 1")
                    scope = (row.get("scope") or "world").strip().upper()
                    non_age = ",".join(sorted(f"{t.facet}{t.op}{t.value}" for t in target[0].tests if t.facet != "age"))
                    group = f"{target[0].category}|{non_age}|{row.get('given') or ''}|{scope}|{path.name}"
                    year = row.get("year")
                    facts.append(Fact(
                        id=row["id"], target=target[0], given=given, scope=scope, value=value, low=low,
                        high=high, source=row.get("source") or "", year=int(year) if year else None,
                        note=row.get("note") or "", group=group,
                    ))
    from reasoners.estimators.fact_marginals import both_sexes

    facts.extend(both_sexes(facts))
    log.info("loaded %d facts from %d directories", len(facts), len(dirs))
    return facts


@functools.cache
def _cached_facts(dirs: tuple[Path, ...]) -> tuple[Fact, ...]:
    return tuple(load_facts(dirs))


@dataclass(frozen=True)
class Match:
    value: float
    low: float
    high: float
    specificity: float
    facts: tuple[Fact, ...]
    widen: float
    note: str
    borrowed: tuple[str, str | None] | None = None


@dataclass
class FactsEstimator:
    """Answers a fraction from the most specific matching fact (or band of facts)."""

    extra_dirs: tuple[Path, ...] = ()
    name: str = NAME
    _facts: tuple[Fact, ...] | None = field(default=None, repr=False)

    @property
    def facts(self) -> tuple[Fact, ...]:
        if self._facts is None:
            self._facts = _cached_facts((data_path("facts"), *map(Path, self.extra_dirs)))
        return self._facts

    def _given_ok(self, fact: Fact, question: SubQuestion) -> bool:
        loc = location_of(question)
        for cond in fact.given:
            if cond.category == "Location":
                if loc is None or not cond.holds(loc):
                    return False
                continue
            if not any(cond.holds(a) for a in by_category(question.given, cond.category)):
                return False
        return True

    def _scope_rank(self, fact: Fact, country: str | None) -> int | None:
        if fact.scope == "WORLD":
            return 1
        if country is not None and fact.scope == country:
            return 2
        return 0  # another country: a last resort

    def _candidates(self, question: SubQuestion, target: Attribute) -> list[Match]:
        country = country_of(question)
        given_cats = categories(question.given) - {"Location"}
        groups: dict[str, list[Fact]] = {}
        for fact in self.facts:
            if fact.target.category != target.category and not (
                target.category == "Age_Gender" and fact.target.category in ("Age", "Gender")
            ):
                continue
            non_age = [t for t in fact.target.tests if t.facet != "age"]
            if not all(t.holds(target) for t in non_age):
                continue
            if fact.age_test is None and any(t.facet == "age" for t in fact.target.tests):
                if not fact.target.holds(target):
                    continue
            if not self._given_ok(fact, question):
                continue
            groups.setdefault(fact.group, []).append(fact)
        out = []
        for rows in groups.values():
            f0 = rows[0]
            rank = self._scope_rank(f0, country)
            used = {c.category for c in f0.given if c.category != "Location"}
            ignored = len(given_cats - used)
            widen = WIDEN_PER_IGNORED_PARENT ** ignored
            note_parts = []
            borrowed: tuple[str, str | None] | None = None
            if rank == 1 and country is not None:
                widen *= WIDEN_WORLD_SCOPE
                note_parts.append("world figure")
                borrowed = ("world", country)
            elif rank == 0:
                widen *= WIDEN_OTHER_COUNTRY
                note_parts.append(f"figure for {f0.scope}")
                borrowed = (f0.scope, country)
            if ignored:
                note_parts.append(f"{ignored} parent(s) not conditioned on")
            if f0.age_test is not None:
                summed = self._sum_bands(rows, target)
                if summed is None:
                    continue
                value, low, high = summed
                used_rows = tuple(rows)
            else:
                value, low, high = f0.value, f0.low, f0.high
                used_rows = (f0,)
            # More given conditions first, then the question's own country, then
            # exact tests over prefixes (a SOC code over its group).
            exact = sum(1 for c in f0.given for t in c.tests if t.op != "prefix")
            prefix = sum(len(str(t.value)) for c in f0.given for t in c.tests if t.op == "prefix")
            spec = len(f0.given) * 10 + rank * 3 + len(f0.target.tests) + 0.5 * exact + 0.05 * prefix
            out.append(Match(value, low, high, spec, used_rows, widen, "; ".join(note_parts), borrowed))
        return out

    @staticmethod
    def _sum_bands(rows: list[Fact], target: Attribute) -> tuple[float, float, float] | None:
        rng = age_range(target)
        if rng is None:
            return None
        lo, hi = rng
        covered = 0
        value = low = high = 0.0
        for f in rows:
            t = f.age_test
            assert t is not None
            b_lo, b_hi = int(t.low), int(t.high if t.op == "range" else 100)
            overlap = min(hi, b_hi) - max(lo, b_lo) + 1
            if overlap <= 0:
                continue
            share = overlap / (b_hi - b_lo + 1)
            covered += overlap
            value += f.value * share
            # A single year's share of a band is not flat: allow +-25% for it.
            interp = 0.25 if share < 1 else 0.0
            low += f.low * share * (1 - interp)
            high += f.high * share * (1 + interp)
        if covered < hi - lo + 1:
            return None
        return value, min(low, value), max(high, value)

    def estimate(self, question: SubQuestion) -> Estimate | None:
        if question.kind != "fraction" or len(question.target) != 1:
            return None
        target = question.target[0]
        cands = self._candidates(question, target)
        if not cands:
            return None
        wanted = set(IDENTIFYING.get(target.category, ())) & {k for k, v in target.facets.items() if v is not None}
        if target.category in ("Age", "Age_Gender") and age_range(target) is not None:
            wanted.add("age")

        def coverage(m: Match) -> int:
            return len(wanted & m.facts[0].target.facets)

        best = max(cands, key=lambda m: (coverage(m), m.specificity, -m.widen))
        missing = wanted - best.facts[0].target.facets
        value, low, high = best.value, best.low, best.high
        widen, borrowed = best.widen, best.borrowed
        f0 = best.facts[0]
        ids = f0.id if len(best.facts) == 1 else f"{f0.id}..({len(best.facts)} bands)"
        note = f"fact {ids}"
        if best.note:
            note += "; " + best.note
        # A facet no single row covers ("Singaporean" and "Chinese") is taken
        # from a second row that covers it, multiplied in as if independent
        # (and widened for that assumption), rather than left out.
        extra = [m for m in cands if m is not best and (m.facts[0].target.facets & missing)
                 and not (m.facts[0].target.facets & best.facts[0].target.facets & wanted)]
        if extra:
            other = max(extra, key=lambda m: (len(m.facts[0].target.facets & missing), m.specificity, -m.widen))
            value, low, high = value * other.value, low * other.low, high * other.high
            widen *= other.widen * WIDEN_COMBINED
            missing = missing - other.facts[0].target.facets
            note += f" x fact {other.facts[0].id} (facets combined as independent)"
            borrowed = borrowed or other.borrowed
        widen *= 1.5 if missing else 1.0
        low = low / widen
        high = min(1.0, high * widen)
        if missing:
            note += f"; facets not matched: {', '.join(sorted(missing))}"
        return make_estimate(
            "fraction", value, low, high, component=NAME, source="facts",
            dataset=f0.source, year=f0.year, note=note, borrowed=borrowed,
        )
