"""The normalisers on the attributes of the shared dev cases (a copy in tests/support/data/k_dev.jsonl).

Expected codes are written out here by hand from the case texts, not taken
from the normalisers' output.
"""

import json
from pathlib import Path

import pytest

from reasoners.normalise.ages import parse_age, parse_sex
from reasoners.normalise.occupations import normalise_occupation
from reasoners.normalise.places import resolve_place

DEV = Path(__file__).resolve().parents[2] / "support" / "data" / "k_dev.jsonl"

PLACES = {  # case -> (country, admin1 or None, level)
    "k002": ("CN", None, "country"), "k005": ("DE", None, "country"), "k009": ("NZ", "E7", "city"),
    "k011": ("ES", "29", "city"), "k013": ("US", "OH", "admin1"), "k017": ("AU", "04", "admin1"),
    "k023": ("US", None, "country"), "k028": ("US", "CA", "city"), "k031": ("US", "TX", "unknown"),
    "k038": ("US", "FL", "city"), "k044": ("IE", "C", "city"),  # Westport, from the small-places table
}
AGES = {  # case -> (low, high, sex or None)
    "k005": (20, 29, None), "k011": (50, 50, "male"), "k013": (33, 33, "male"), "k017": (27, 27, "female"),
    "k023": (28, 28, "female"), "k026": (35, 35, "female"), "k028": (28, 28, "male"), "k031": (54, 56, None),
    "k038": (74, 74, "female"), "k044": (38, 38, "female"),
}
OCCUPATIONS = {  # case -> (soc, status)
    "k013": ("29-1141", "employed"), "k017": ("47-2111", "employed"), "k023": ("15-1252", "employed"),
    "k028": ("15-1252", "employed"), "k031": ("33-3051", "employed"), "k038": (None, "retired"),
}


def _cases():
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def _attrs(case, *categories):
    return [a["value"] for a in case["attributes"] if a["category"] in categories]


def test_locations():
    for case in _cases():
        for value in _attrs(case, "Location"):
            country, admin1, level = PLACES[case["id"]]
            place = resolve_place(value)
            assert place is not None, case["id"]
            assert (place.country, place.level) == (country, level), case["id"]
            if admin1:
                assert place.admin1 == admin1, case["id"]
            if level != "unknown":
                # Plausible: within a factor of two of the case's own base population.
                base = case["factors"][0]["value"]
                assert base / 2 < place.population < base * 2, case["id"]


def test_ages_and_sexes():
    for case in _cases():
        for value in _attrs(case, "Age", "Age_Gender"):
            low, high, sex = AGES[case["id"]]
            assert parse_age(value) == (low, high), case["id"]
            if sex:
                assert parse_sex(value) == sex, case["id"]
        if case["id"] in AGES and AGES[case["id"]][2] and case["text"][:3].rstrip(",")[-1] in "FM":
            # the tag as written at the start of the post ("50M,", "27F,")
            tag = case["text"].split(",")[0].split()[0]
            assert parse_age(tag)[0] == AGES[case["id"]][0] and parse_sex(tag) == AGES[case["id"]][2]


def test_occupations():
    for case in _cases():
        for value in _attrs(case, "Occupation"):
            soc, status = OCCUPATIONS[case["id"]]
            occ = normalise_occupation(value)
            assert occ is not None and (occ.soc, occ.status) == (soc, status), case["id"]
