"""Attributes merged across a posting history, as of its latest post.

Posts are in order (docs/architecture.md, "Posting histories"):

1. The same fact from several posts becomes one attribute citing every
   disclosure; compatible facts refine each other ("in my thirties", then
   "35", is 35).
2. When a later post gives another value of an attribute the author has
   one of (age, place, sex, relationship status, orientation), the later
   value counts and the earlier is **superseded**: reported, not multiplied
   in (filtering on both would drive k towards 0). A change that can happen
   (an age gone up, a move, a new status) is an ``update``; one that cannot
   (an age gone down, another sex) a ``contradiction``.
3. Within one post, two such values stay (a post may say where the author
   was and is); the warning names the post.

Warnings are text-free and name the posts counted from 1 ("Age: post 3
updates post 1"); ``Contradiction`` records give the same as data.
"""

from __future__ import annotations

from records.types import Attribute, Contradiction

# Two ages a year apart agree: posts are written over time.
_AGE_SLACK = 1
# Categories where two different values cannot both describe the author.
_SINGLE_VALUED = {"Gender": "sex", "Relationship_Status": "status", "Sexual_Orientation": "orientation"}


def merge_attributes(
    lists: list[list[Attribute]], disclosure_counts: list[int] | None = None
) -> tuple[list[Attribute], list[str]]:
    """``merge_history`` without the contradiction records."""
    attrs, warnings, _ = merge_history(lists, disclosure_counts)
    return attrs, warnings


def merge_history(
    lists: list[list[Attribute]], disclosure_counts: list[int] | None = None
) -> tuple[list[Attribute], list[str], list[Contradiction]]:
    """Merge each post's attributes into one list for the history, the latest value counting.

    Disclosure ids are shifted so that they index the history's disclosures
    in order (post 0's first); ``disclosure_counts`` gives each post's number
    of disclosures, and without it each post is taken to end at its highest
    cited disclosure. The merged attributes get fresh ids "a0", "a1", ...
    """
    merged: list[dict] = []
    changes: list[Contradiction] = []
    warnings: list[str] = []
    offset = 0
    for n, attrs in enumerate(lists):
        for a in attrs:
            ids = tuple(i + offset for i in a.disclosure_ids)
            target = next((m for m in merged if _same(m, a)), None)
            if target is not None:
                target["ids"].extend(i for i in ids if i not in target["ids"])
                if n not in target["posts"]:
                    target["posts"].append(n)
                _narrow(target, a)
                continue
            earlier = next((m for m in merged if max(m["posts"]) < n and a.facets and m["facets"]
                            and _disagree_facets(a.category, m["facets"], a.facets)), None)
            if earlier is not None:
                change = _change(a.category, earlier, a, n, ids)
                changes.append(change)
                verb = "updates" if change.kind == "update" else "contradicts"
                posts = " and ".join(f"post {p + 1}" for p in change.other_posts)
                warnings.append(f"{_words(a.category)}: post {n + 1} {verb} {posts}; the latest value counts")
                earlier.update({"value": a.value, "facets": dict(a.facets), "ids": list(ids),
                                "provenance": a.provenance, "posts": [n]})
                continue
            merged.append({"category": a.category, "value": a.value, "facets": dict(a.facets),
                           "ids": list(ids), "provenance": a.provenance, "posts": [n]})
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
    return out, warnings + _contradictions(out, {a.id: m["posts"] for a, m in zip(out, merged)}), changes


# Attributes whose change over time is ordinary; another sex or orientation is not.
_CHANGES = frozenset({"Age", "Location", "Relationship_Status", "Education"})
_DEGREES = frozenset({"associate", "bachelor", "master", "doctorate"})


def _change(category: str, old: dict, new: Attribute, n: int, ids: tuple[int, ...]) -> Contradiction:
    kind = "update" if category in _CHANGES else "contradiction"
    reason = "a later post changes the value; the latest counts and the earlier is not multiplied in"
    if category == "Age":
        went_down = new.facets.get("age_high", 0) < old["facets"].get("age_low", 0)
        kind = "contradiction" if went_down else "update"
        reason = ("the age went down in a later post; the latest is kept" if went_down
                  else "the author is older in a later post; the latest age counts")
    elif category == "Location":
        reason = "the author has moved; the latest place counts"
    elif category == "Education":
        reason = "the author has finished their studies; the degree counts, not the student status"
    elif kind == "contradiction":
        reason = "two posts disagree; the latest is kept, and the earlier is not multiplied in"
    return Contradiction(category=category, kind=kind, kept_post=n, other_posts=tuple(old["posts"]),
                         kept_disclosure_ids=ids, dropped_disclosure_ids=tuple(old["ids"]), reason=reason)


def _words(category: str) -> str:
    return category.replace("_", " ").capitalize()


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
    return _disagree_facets(a.category, a.facets, b.facets)


def _disagree_facets(category: str, f: dict, g: dict) -> bool:
    if category == "Age":
        return "age_low" in f and "age_low" in g and not _ages_overlap(f, g)
    if category == "Location":
        if f.get("level") == "city" and g.get("level") == "city":
            return f.get("geonameid") != g.get("geonameid")
        return bool(f.get("country") and g.get("country") and f["country"] != g["country"])
    if category == "Education":
        # A student who later names a degree has finished: the student status is superseded.
        return f.get("level") == "student" and g.get("level") in _DEGREES
    key = _SINGLE_VALUED.get(category)
    return key is not None and key in f and key in g and f[key] != g[key]

