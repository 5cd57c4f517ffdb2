"""Widening one attribute: a city to its country, an exact age to its decade, a job to its group.

Pure functions on ``Attribute`` records. The pipeline uses them to report,
for each disclosure, the k the author would have with that detail said more
broadly (DESIGN.md, "Risk by disclosure"); the rewriting assistant does the
same on the text itself.
"""

from __future__ import annotations

from records.types import Attribute

# SOC 2018 major groups, by the first two digits of the code.
SOC_GROUPS: dict[str, str] = {
    "11": "management", "13": "business and finance", "15": "computing and mathematics",
    "17": "architecture and engineering", "19": "science", "21": "community and social services",
    "23": "legal", "25": "education", "27": "arts, media and sport", "29": "healthcare",
    "31": "healthcare support", "33": "protective services", "35": "food service",
    "37": "cleaning and maintenance", "39": "personal care", "41": "sales", "43": "office support",
    "45": "farming and forestry", "47": "construction", "49": "installation and repair",
    "51": "production", "53": "transport", "55": "military",
}


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
        if isinstance(lo, int) and isinstance(hi, int) and hi - lo < 9:
            decade = (lo // 10) * 10
            if hi < decade + 10:
                return _with(attr, f"{decade}s", {"age_low": decade, "age_high": decade + 9}), "age -> its decade"
        return None
    if attr.category == "Occupation":
        soc = str(f.get("soc") or "")
        group = SOC_GROUPS.get(soc[:2])
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
