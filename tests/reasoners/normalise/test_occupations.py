import csv

import pytest

from reasoners.normalise.occupations import default_occupations, normalise_occupation
from reasoners.normalise.tables import DATA_DIR


@pytest.fixture(scope="module")
def occ():
    return default_occupations()


@pytest.mark.parametrize(
    "phrase, soc",
    [
        ("RN", "29-1141"), ("nurse", "29-1141"), ("sparky", "47-2111"), ("tradie", "47-2000"),
        ("software engineer", "15-1252"), ("SWE", "15-1252"), ("dev", "15-1252"),
        ("backend engineer", "15-1252"), ("teacher", "25-2000"), ("primary school teacher", "25-2021"),
        ("cop", "33-3051"), ("sheriff", "33-3051"), ("accountant", "13-2011"), ("CPA", "13-2011"),
        ("uber driver", "53-3054"), ("barista", "35-3023"), ("medical resident", "29-1229"),
        ("GP", "29-1215"), ("solicitor", "23-1011"), ("lorry driver", "53-3032"), ("chef", "35-1011"),
        ("marine biologist", "19-1029"), ("I work as a registered nurse", "29-1141"),
        # not in the synonym list: found by fuzzy match on OEWS titles
        ("phlebotomists", "31-9097"), ("locksmith", "49-9094"), ("embalmers", "39-4011"),
    ],
)
def test_codes(occ, phrase, soc):
    result = normalise_occupation(phrase, occ)
    assert result is not None and result.soc == soc
    assert result.status == "employed"
    assert result.group and result.group.endswith("Occupations")


@pytest.mark.parametrize(
    "phrase, status",
    [("stay-at-home mom", "homemaker"), ("retired", "retired"), ("student", "student"), ("unemployed", "unemployed")],
)
def test_statuses(occ, phrase, status):
    result = normalise_occupation(phrase, occ)
    assert result.status == status and result.soc is None


@pytest.mark.parametrize("phrase, soc", [
    ("working in healthcare", "29-0000"), ("I work in tech", "15-0000"), ("in finance", "13-0000"),
    ("retail", "41-0000"), ("I work in construction", "47-0000"), ("in education", "25-0000"),
])
def test_a_sector_is_its_major_group(occ, phrase, soc):
    # a sector said alone is a broad share, never a rare unknown job
    result = normalise_occupation(phrase, occ)
    assert (result.soc, result.status) == (soc, "employed")
    # a job named inside the sector is still the job
    assert normalise_occupation("software engineer in tech", occ).soc == "15-1252"


def test_former_occupation_keeps_its_code(occ):
    result = normalise_occupation("retired nurse", occ)
    assert (result.soc, result.status) == ("29-1141", "retired")


def test_unknown_occupation(occ):
    assert normalise_occupation("astronaut", occ) is None
    assert normalise_occupation("", occ) is None


def test_every_synonym_code_is_an_oews_code(occ):
    with (DATA_DIR / "occupation_synonyms.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 300
    bad = [r["phrase"] for r in rows if r["soc"] and r["soc"] not in occ.titles]
    assert bad == []
    statuses = {r["status"] for r in rows}
    assert statuses <= {"", "retired", "student", "unemployed", "homemaker"}


@pytest.mark.parametrize("phrase, unique", [
    ("I'm the sheriff", True), ("mayor of Leeds", True), ("the county coroner", True),
    ("a deputy sheriff", False), ("the sheriff's deputy", False), ("former mayor of Boston", False),
    ("I am a mayor", False), ("the principal", False),
])
def test_unique_role(phrase, unique):
    from reasoners.normalise.occupations import unique_role

    assert unique_role(phrase) is unique
