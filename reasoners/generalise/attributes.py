"""Widening one attribute: a city to its country, an exact age to its decade, a job to its group.

Pure functions on ``Attribute`` records. The pipeline uses them to report,
for each disclosure, the k the author would have with that detail said more
broadly ("risk by disclosure", docs/architecture.md); ``rewrites`` does the
same on the words of the text, from the same tables (``ladders``).
"""

from __future__ import annotations

from records.types import Attribute
from reasoners.generalise.ladders import decade_band, soc_group

def generalise(attr: Attribute) -> tuple[Attribute, str] | None:
    """A broader version of ``attr`` and a text-free description, or None when there is none."""
    f = attr.facets
    if attr.category == "Location":
        level = f.get("level")
        country = f.get("country")
        if level in ("city", "region", "unknown") and f.get("admin1_population"):
            facets = {k: v for k, v in f.items() if k in ("country", "admin1", "country_population", "admin1_population")}
            facets.update(level="admin1", population=f["admin1_population"], place=str(f.get("admin1", "")))
            return _with(attr, f"{country}-{f.get('admin1')}", facets), "place -> its first-level division"
        if level in ("city", "admin1", "region", "unknown") and country and f.get("country_population"):
            facets = {"country": country, "country_population": f["country_population"], "level": "country",
                      "population": f["country_population"], "place": str(country)}
            return _with(attr, str(country), facets), "place -> its country"
        return None
    if attr.category == "Age":
        lo, hi = f.get("age_low"), f.get("age_high")
        band = decade_band(lo, hi) if isinstance(lo, int) and isinstance(hi, int) else None
        if band:
            return _with(attr, f"{band[0]}s", {"age_low": band[0], "age_high": band[1]}), "age -> its decade"
        return None
    if attr.category == "Occupation":
        soc = str(f.get("soc") or "")
        found = soc_group(soc)
        group = found[0] if found else None
        if group and len(soc) > 2:
            facets = {k: v for k, v in f.items() if k in ("status",)}
            facets.update(soc=soc[:2] + "-0000", group=group, occupation=f"{group} worker")
            return _with(attr, f"{group} worker", facets), "occupation -> its major group"
        return None
    if attr.category in ("Husband_BF", "Wife_GF"):
        return _with(attr, "partnered", {"status": "partnered"}, category="Relationship_Status"), "partner -> 'my partner'"
    return None


def _with(attr: Attribute, value: str, facets: dict, category: str | None = None) -> Attribute:
    return attr.model_copy(update={"value": value, "facets": facets, **({"category": category} if category else {})})
