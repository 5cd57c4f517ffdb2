"""Joint and conditional frequencies counted from weighted individual records ("microdata.v1").

The table (CSV or Parquet) has one row per person and the columns listed in
``docs/microdata.md``; ``weight`` says how many people a row stands for. A
count is the sum of weights that match; a fraction is the weighted share of
the given rows that also match the target, with a Wilson interval on the
Kish effective sample size. A question that needs a column the table lacks,
or a cell with too few records, is declined.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from records.errors import InputError
from records.types import Attribute, Estimate, SubQuestion
from reasoners.estimators.common import age_range, make_estimate, sex_of, soc_of

log = logging.getLogger(__name__)

NAME = "microdata.v1"
Z90 = 1.645


class Unmapped(Exception):
    """An attribute has no column in this table (the question is declined)."""


def wilson(p: float, n: float, z: float = Z90) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def kish_n(weights: np.ndarray) -> float:
    s2 = float(np.square(weights).sum())
    return float(weights.sum()) ** 2 / s2 if s2 > 0 else 0.0


@functools.cache
def _load(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".parquet", ".pq"):
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(path, comment="#")
    if "weight" not in df.columns:
        raise InputError(f"microdata file {path.name} has no 'weight' column")
    log.info("loaded microdata: %d rows, %d columns", len(df), len(df.columns))
    return df


def _norm(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().str.lower()


@dataclass(eq=False)
class MicrodataEstimator:
    path: Path
    min_given: int = 30  # records behind the denominator
    min_count: int = 30  # records behind a base count
    name: str = NAME
    _df: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def df(self) -> pd.DataFrame:
        if self._df is None:
            self._df = _load(Path(self.path))
        return self._df

    def _col(self, name: str) -> pd.Series:
        if name not in self.df.columns:
            raise Unmapped(name)
        return self.df[name]

    def mask(self, attr: Attribute) -> pd.Series:
        """Rows that match one attribute; raises Unmapped when a column is missing."""
        f = attr.facets
        m = pd.Series(True, index=self.df.index)
        cat = attr.category
        if cat in ("Age", "Age_Gender") and age_range(attr) is not None:
            lo, hi = age_range(attr)  # type: ignore[misc]
            age = self._col("age")
            m &= (age >= lo) & (age <= hi)
        if cat in ("Gender", "Age_Gender") and sex_of(attr) is not None:
            m &= _norm(self._col("sex")) == sex_of(attr)
        if cat == "Location":
            used = False
            level = f.get("level")
            if f.get("country"):
                m &= _norm(self._col("country")) == str(f["country"]).lower()
                used = True
            if level in ("admin1", "city") and f.get("admin1") is not None:
                m &= _norm(self._col("admin1")) == str(f["admin1"]).lower()
                used = True
            if level == "city" and f.get("place"):
                m &= _norm(self._col("place")) == str(f["place"]).strip().lower()
                used = True
            if not used:
                raise Unmapped("place")
        elif cat == "Occupation":
            if soc_of(attr) is not None:
                m &= self._col("occupation_soc").astype(str).str.replace("-", "") == soc_of(attr)
            elif f.get("status"):
                m &= _norm(self._col("employment_status")) == str(f["status"]).lower()
            else:
                raise Unmapped("occupation")
        elif cat in ("Relationship_Status", "Husband_BF", "Wife_GF"):
            if not f.get("status"):
                raise Unmapped("status")
            m &= _norm(self._col("marital_status")) == str(f["status"]).lower()
        elif cat == "Family":
            rel = str(f.get("relation", "")).lower()
            if rel not in ("children", "child", "kids"):
                raise Unmapped("relation")
            kids = self._col("children")
            m &= (kids == int(f["count"])) if f.get("count") is not None else (kids >= 1)
        elif cat == "Pet":
            pet = str(f.get("pet", "")).lower()
            col = self._col(f"pet_{pet}")
            m &= (col >= int(f["count"])) if f.get("count") is not None else (col >= 1)
        elif cat == "Education":
            m &= _norm(self._col("education")) == str(f.get("level", "")).lower()
        elif cat == "Sexual_Orientation":
            m &= _norm(self._col("orientation")) == str(f.get("orientation", "")).lower()
        elif cat not in ("Age", "Gender", "Age_Gender"):
            raise Unmapped(cat)
        return m

    def _all(self, attrs: tuple[Attribute, ...]) -> pd.Series:
        m = pd.Series(True, index=self.df.index)
        for a in attrs:
            m &= self.mask(a)
        return m

    def estimate(self, question: SubQuestion) -> Estimate | None:
        try:
            target = self._all(question.target)
            given = self._all(question.given)
        except Unmapped as e:
            log.debug("microdata declines node %s: no column for %s", question.node_id, e)
            return None
        w = self.df["weight"].to_numpy(dtype=float)
        dataset = f"microdata {Path(self.path).name}"
        if question.kind == "count":
            sel = (target & given).to_numpy()
            if sel.sum() < self.min_count:
                return None
            total = float(w[sel].sum())
            rel = Z90 / math.sqrt(max(kish_n(w[sel]), 1.0))
            return make_estimate("count", total, total * max(0.05, 1 - rel), total * (1 + rel),
                                 component=NAME, source="microdata", dataset=dataset,
                                 note=f"weighted count of {int(sel.sum())} records")
        g = given.to_numpy()
        if g.sum() < self.min_given:
            return None
        both = g & target.to_numpy()
        wg = w[g]
        p = float(w[both].sum() / wg.sum())
        n_eff = kish_n(wg)
        lo, hi = wilson(p, n_eff)
        return make_estimate("fraction", p, lo, hi, component=NAME, source="microdata", dataset=dataset,
                             note=f"weighted share, {int(both.sum())} of {int(g.sum())} records, n_eff {n_eff:.0f}")
