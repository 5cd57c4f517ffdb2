import pytest

from reasoners.normalise import values


@pytest.mark.parametrize(
    "phrase, status",
    [
        ("married", "married"), ("single", "single"), ("divorced", "divorced"), ("widowed", "widowed"),
        ("my partner", "partnered"), ("my ex", "single"), ("engaged", "engaged"), ("my bf", "partnered"),
        ("my gf", "partnered"), ("my husband", "married"), ("my wife", "married"),
        ("single (never married)", "single"), ("separated", "separated"),
    ],
)
def test_relationship(phrase, status):
    assert values.relationship_status(phrase) == {"status": status}


def test_partner():
    assert values.partner("my husband", "Husband_BF") == {"status": "married", "partner_sex": "male"}
    assert values.partner("my gf", "Wife_GF") == {"status": "partnered", "partner_sex": "female"}
    assert values.partner("my partner", "Wife_GF")["partner_sex"] == "female"


@pytest.mark.parametrize(
    "phrase, pet, count",
    [("two cats", "cat", 2), ("my cat", "cat", None), ("a very stupid dog", "dog", None),
     ("has a horse", "horse", None), ("my 3 dogs and a cat", "dog", 3), ("one dog", "dog", 1), ("my cats", "cat", 2)],
)
def test_pets(phrase, pet, count):
    # A singular mention says the author has one, not exactly one: no count.
    expected = {"pet": pet} if count is None else {"pet": pet, "count": count}
    assert values.pets(phrase) == expected


@pytest.mark.parametrize(
    "phrase, relation, count",
    [("three kids", "children", 3), ("my 3 kids", "children", 3), ("a dad of two", "children", 2),
     ("three grandkids", "grandchildren", 3), ("my son", "child", 1), ("twins", "children", 2)],
)
def test_family(phrase, relation, count):
    assert values.family(phrase) == {"relation": relation, "count": count}


def test_orientation():
    assert values.orientation("I'm bi") == {"orientation": "bisexual"}
    assert values.orientation("gay guy") == {"orientation": "gay"}
    assert values.orientation("lesbian") == {"orientation": "lesbian"}
    assert values.orientation("tall") == {}


def test_nationality():
    assert values.nationality("Singaporean Chinese") == {"nationality": "SG", "ethnicity": "chinese"}
    assert values.nationality("Chinese American") == {"nationality": "US", "ethnicity": "chinese"}
    assert values.nationality("British")["nationality"] == "GB"
    assert values.nationality("black") == {"ethnicity": "black"}
    assert values.nationality("Mexican immigrant")["immigration"] == "immigrant"
    # A hyphen joins two demonyms as a space does: heritage, then citizenship.
    assert values.nationality("Turkish-Dutch")["nationality"] == "NL"


def test_education():
    assert values.education("PhD student")["level"] == "student"
    assert values.education("master's in nursing") == {"level": "master", "field": "nursing"}
    assert values.education("high school diploma")["level"] == "secondary"
    assert values.education("college grad")["level"] == "bachelor"


def test_finance():
    assert values.finance("$85k") == {"income_usd": 85_000}
    assert values.finance("250k TC") == {"income_usd": 250_000}
    assert values.finance("$30/hr")["income_usd"] == 30 * 2080
    assert values.finance("$60k in student loans") == {"debt_usd": 60_000}
    assert values.finance("$2000 rent a month") == {"housing": "rent"}
    assert values.finance("I own my home") == {"housing": "own"}
    assert values.finance("2 kids") == {}


@pytest.mark.parametrize(
    "phrase, condition",
    [("diabetes", "diabetes"), ("type 1 diabetes", "type 1 diabetes"), ("ADHD", "adhd"),
     ("depression", "depression"), ("anxiety", "anxiety"), ("autistic", "autism"), ("pregnant", "pregnancy")],
)
def test_health(phrase, condition):
    assert values.health(phrase)["condition"] == condition


def test_pregnancy_flag():
    assert values.health("20 weeks pregnant")["pregnant"] is True
    assert "pregnant" not in values.health("ADHD")
