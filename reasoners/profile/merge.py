"""Attributes merged across a posting history, with contradictions reported.

The same fact from several posts becomes one attribute citing every
disclosure. Facts that cannot both be true (two ages that do not overlap,
two cities, two sexes, two relationship statuses) stay separate and are
reported as text-free warnings a person can read, naming the posts (counted
from 1, in the history's order): "Age: post 1 and post 3 disagree".
"""

from __future__ import annotations

from records.types import Attribute

# Two ages a year apart agree: posts are written over time.
_AGE_SLACK = 1
# Categories where two different values cannot both describe the author.
_SINGLE_VALUED = {"Gender": "sex", "Relationship_Status": "status", "Sexual_Orientation": "orientation"}


def merge_attributes(
    lists: list[list[Attribute]], disclosure_counts: list[int] | None = None
) -> tuple[list[Attribute], list[str]]:
    """Merge each post's attributes into one list for the history, and list contradictions.

    Disclosure ids are shifted so that they index the history's disclosures
    in order (post 0's first); ``disclosure_counts`` gives each post's number
    of disclosures, and without it each post is taken to end at its highest
    cited disclosure. The merged attributes get fresh ids "a0", "a1", ...
    """
    merged: list[dict] = []
    offset = 0
    for n, attrs in enumerate(lists):
        for a in attrs:
            ids = tuple(i + offset for i in a.disclosure_ids)
            target = next((m for m in merged if _same(m, a)), None)
            if target is None:
                merged.append({"category": a.category, "value": a.value, "facets": dict(a.facets),
                               "ids": list(ids), "provenance": a.provenance, "posts": [n]})
            else:
                target["ids"].extend(i for i in ids if i not in target["ids"])
                if n not in target["posts"]:
                    target["posts"].append(n)
                _narrow(target, a)
        if disclosure_counts is not None:
            offset += disclosure_counts[n]
        else:
            offset += max((i for a in attrs for i in a.disclosure_ids), default=-1) + 1
    out = [
        Attribute(
            id=f"a{k}", category=m["category"], value=m["value"], facets=m["facets"],
            disclosure_ids=tuple(m["ids"]), provenance=m["provenance"],
        )
        for k, m in enumerate(merged)
    ]
    return out, _contradictions(out, {a.id: m["posts"] for a, m in zip(out, merged)})


def _same(m: dict, a: Attribute) -> bool:
    """Whether attribute ``a`` states the same fact as the merged entry ``m``."""
    if m["category"] != a.category:
        return False
    f, g = m["facets"], a.facets
    if a.category == "Age" and "age_low" in f and "age_low" in g:
        return _ages_overlap(f, g)
    if a.category == "Location" and "geonameid" in f and "geonameid" in g:
        return f["geonameid"] == g["geonameid"]
    if f or g:
        return f == dict(g)
    return m["value"] == a.value


def _narrow(m: dict, a: Attribute) -> None:
    """Keep the narrower of two agreeing ages (a decade and a year within it)."""
    if a.category != "Age" or "age_low" not in a.facets:
        return
    f = m["facets"]
    if a.facets["age_high"] - a.facets["age_low"] < f["age_high"] - f["age_low"]:
        m["facets"] = dict(a.facets)
        m["value"] = a.value


def _ages_overlap(f: dict, g: dict) -> bool:
    return f["age_low"] <= g["age_high"] + _AGE_SLACK and g["age_low"] <= f["age_high"] + _AGE_SLACK


def _contradictions(attrs: list[Attribute], posts: dict[str, list[int]]) -> list[str]:
    warnings = []
    for i, a in enumerate(attrs):
        for b in attrs[i + 1:]:
            if a.category != b.category or not a.facets or not b.facets:
                continue
            if _disagree(a, b):
                pa, pb = posts[a.id][0] + 1, posts[b.id][0] + 1
                where = f"post {pa} and post {pb}" if pa != pb else f"two statements in post {pa}"
                warnings.append(f"{a.category.replace('_', ' ').capitalize()}: {where} disagree")
    return warnings


def _disagree(a: Attribute, b: Attribute) -> bool:
    f, g = a.facets, b.facets
    if a.category == "Age":
        return "age_low" in f and "age_low" in g and not _ages_overlap(f, g)
    if a.category == "Location":
        if f.get("level") == "city" and g.get("level") == "city":
            return f.get("geonameid") != g.get("geonameid")
        return bool(f.get("country") and g.get("country") and f["country"] != g["country"])
    key = _SINGLE_VALUED.get(a.category)
    return key is not None and key in f and key in g and f[key] != g[key]

