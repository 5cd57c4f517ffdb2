import pytest

from reasoners.normalise.ages import parse_age, parse_sex


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("34", (34, 34)), ("I'm 34", (34, 34)), ("34 year old", (34, 34)), ("28F", (28, 28)),
        ("[28F]", (28, 28)), ("(34m)", (34, 34)), ("M32", (32, 32)), ("F/29", (29, 29)),
        ("in my 40s", (40, 49)), ("in my forties", (40, 49)), ("early 30s", (30, 33)),
        ("mid-50s", (54, 56)), ("Mid-50s", (54, 56)), ("late 20s", (27, 29)), ("teenager", (13, 19)),
        ("teen", (13, 19)), ("twenties", (20, 29)), ("50M", (50, 50)), ("turning 40", (39, 40)),
        ("born in '92", (31, 32)), ("born in 1992", (31, 32)), ("50-year-old man", (50, 50)),
        ("thirty five", (35, 35)),
    ],
)
def test_age_ranges_and_single_years(phrase, expected):
    assert parse_age(phrase) == expected


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("over 65", (66, 110)), ("Over 65", (66, 110)), ("older than 50", (51, 110)), ("65+", (65, 110)),
        ("65 or older", (65, 110)), ("70 years or older", (70, 110)), ("over sixty", (61, 110)),
        ("under 30", (13, 29)), ("younger than 25", (13, 24)), ("fifty-something", (50, 59)),
        ("twenty-something", (20, 29)), ("20-something", (20, 29)), ("30 something", (30, 39)),
        ("pushing 40", (37, 39)), ("pushing forty", (37, 39)), ("around 40", (38, 42)),
        ("about 35", (33, 37)), ("40-ish", (38, 42)), ("30-35", (30, 35)), ("between 30 and 35", (30, 35)),
        ("mid-thirties", (34, 36)), ("late fifties", (57, 59)),
    ],
)
def test_age_phrases_are_ranges_not_one_year(phrase, expected):
    assert parse_age(phrase) == expected


def test_birth_year_follows_the_reference_year():
    assert parse_age("born in 1992", reference_year=2030) == (37, 38)
    assert parse_age("born in '05", reference_year=2024) == (18, 19)


@pytest.mark.parametrize("phrase", ["", "no age here", "$250k", "born in 2090", "999"])
def test_no_age(phrase):
    assert parse_age(phrase) is None


@pytest.mark.parametrize("phrase", ["1990-2005", "scored 10-90", "35-year-old"])
def test_not_mistaken_for_a_range(phrase):
    got = parse_age(phrase)
    assert got is None or got[1] - got[0] <= 1, got


@pytest.mark.parametrize(
    "phrase, sex",
    [
        ("28F", "female"), ("M32", "male"), ("(34m)", "male"), ("F/29", "female"), ("woman", "female"),
        ("guy", "male"), ("girl", "female"), ("lady", "female"), ("dude", "male"), ("mom", "female"),
        ("dad", "male"), ("wife", "female"), ("husband", "male"), ("trans woman", "female"),
        ("trans man", "male"), ("nonbinary", "other"), ("non-binary", "other"), ("Woman in my twenties", "female"),
    ],
)
def test_sex(phrase, sex):
    assert parse_sex(phrase) == sex


@pytest.mark.parametrize("phrase", ["I'm 34", "34", "in my 40s", "human"])
def test_no_sex(phrase):
    assert parse_sex(phrase) is None
