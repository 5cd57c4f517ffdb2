"""Age phrases to inclusive year ranges, and sex from tags and words.

"34", "I'm 34", "28F", "[28F]", "(34m)", "M32", "F/29", "50M" give one year;
"in my 40s" ten; "early/mid/late 30s" three or four (early 30-33, mid 34-36,
late 37-39; "mid-50s" 54-56 as docs/architecture.md fixes it); "teenager"
13-19; "turning 40" 39-40; "born in 1992" the two ages a person born that
year has during the reference year. Phrases that state a bound or a rough
age are ranges, never one year: "over 65" 66-110, "65+" and "65 or older"
65-110, "under 30" 13-29, "fifty-something" and "20-something" ten years,
"pushing 40" 37-39, "around 40" and "40-ish" 38-42, "30-35" and "between 30
and 35" the range.
"""

from __future__ import annotations

import re
from typing import Literal

Sex = Literal["female", "male", "other"]

DEFAULT_REFERENCE_YEAR = 2024

_DECADE_WORDS = {
    "teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50,
    "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90,
}
_AGE_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "ten": 10, "eleven": 11, "twelve": 12,
}
_PART = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}

_DECADE = r"(\d)0\s*'?s"  # 40s, 40's
_DECADE_RE = re.compile(rf"\b(?:(early|mid|late)[\s-]*)?(?:{_DECADE}|({'|'.join(_DECADE_WORDS)}))")
_TEEN_RE = re.compile(r"\b(teen(?:ager)?s?|adolescent)\b")
_TURNING_RE = re.compile(r"\b(?:turning|about to turn|almost|nearly)\s+(\d{1,3})\b")
_BORN_RE = re.compile(r"\bborn\s+in\s+(?:'(\d{2})|(\d{4}))\b|\bborn\s+in\s+the\s+year\s+(\d{4})\b")
# A tag: a number beside a sex letter, in brackets or not ("28F", "M32", "F/29", "(34m)").
_TAG_RE = re.compile(r"(?<![\w$'’])(?:(\d{1,2})\s*/?\s*([fmFM])|([fmFM])\s*/?\s*(\d{1,2}))(?![\w%])")
_NUMBER_RE = re.compile(r"(?<![\w$.,])(\d{1,3})(?![\w%$.,]|,\d)")
_WORD_AGE_RE = re.compile(
    rf"\b({'|'.join(_AGE_WORDS)})(?:[\s-]({'|'.join(_UNITS)}))?\b|\b({'|'.join(_TEENS)})\b"
)
_MAX_AGE = 110
_MIN_AUTHOR_AGE = 13  # the youngest an author of a post is taken to be

# A number as digits or words ("65", "sixty-five", "forty"), for the phrases below.
_NUM = rf"(\d{{1,3}}|(?:{'|'.join(_AGE_WORDS)})(?:[\s-](?:{'|'.join(_UNITS)}))?|{'|'.join(_TEENS)})"
_OVER_RE = re.compile(rf"\b(?:over|above|older than|more than)\s+(?:the\s+age\s+of\s+)?{_NUM}\b")
_AT_LEAST_RE = re.compile(rf"\b{_NUM}\s*(?:\+|(?:years?\s+(?:old\s+)?)?(?:or|and)\s+(?:older|over|up|above)\b)")
_UNDER_RE = re.compile(rf"\b(?:under|below|younger than|less than)\s+(?:the\s+age\s+of\s+)?{_NUM}\b")
_SOMETHING_RE = re.compile(rf"\b{_NUM}[\s-]*(?:something|odd|plus-something)\b")
_PUSHING_RE = re.compile(rf"\bpushing\s+{_NUM}\b")
_ABOUT_RE = re.compile(rf"\b(?:around|about|roughly|approximately|circa|~)\s*{_NUM}\b|\b{_NUM}[\s-]*ish\b")
_RANGE_RE = re.compile(rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}\b|(?<![\w.,])(\d{{2}})\s*(?:-|–|to)\s*(\d{{2}})(?![\w%]|\s*(?:pm|am|kg|lb|cm|km|miles|hours|h)\b)")


def parse_age(phrase: str, reference_year: int = DEFAULT_REFERENCE_YEAR) -> tuple[int, int] | None:
    """The inclusive age range a phrase states, or None when it states none."""
    text = phrase.lower().replace("’", "'")
    m = _BORN_RE.search(text)
    if m:
        if m.group(1):
            two = int(m.group(1))
            # '92 is 1992 and '05 is 2005 when the reference year is 2024.
            year = (2000 if two <= reference_year % 100 else 1900) + two
        else:
            year = int(m.group(2) or m.group(3))
        age = reference_year - year
        if 0 < age <= _MAX_AGE:
            return (age - 1, age)
        return None
    m = _TURNING_RE.search(text)
    if m:
        age = int(m.group(1))
        if 0 < age <= _MAX_AGE:
            return (age - 1, age)
    bounded = _bounded(text)
    if bounded:
        return bounded
    m = _DECADE_RE.search(text)
    if m:
        part, digit, word = m.group(1), m.group(2), m.group(3)
        base = int(digit) * 10 if digit else _DECADE_WORDS[word]
        if base == 10:  # "teens"
            return (13, 19) if not part else {"early": (13, 15), "mid": (15, 17), "late": (17, 19)}[part]
        if part:
            lo, hi = _PART[part]
            return (base + lo, base + hi)
        return (base, base + 9)
    m = _TAG_RE.search(phrase)
    if m:
        return _one(int(m.group(1) or m.group(4)))
    if _TEEN_RE.search(text):
        return (13, 19)
    m = _NUMBER_RE.search(text)
    if m:
        return _one(int(m.group(1)))
    m = _WORD_AGE_RE.search(text)
    if m:
        if m.group(3):
            return _one(_TEENS[m.group(3)])
        return _one(_AGE_WORDS[m.group(1)] + (_UNITS[m.group(2)] if m.group(2) else 0))
    return None


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _TEENS:
        return _TEENS[word]
    tens, _, unit = word.replace("-", " ").partition(" ")
    return _AGE_WORDS[tens] + (_UNITS[unit] if unit else 0)


def _span(lo: int, hi: int) -> tuple[int, int] | None:
    lo, hi = max(lo, 1), min(hi, _MAX_AGE)
    return (lo, hi) if lo <= hi and 0 < lo <= _MAX_AGE else None


def _bounded(text: str) -> tuple[int, int] | None:
    """A bound or a rough age: a range, since one year would claim more than was said."""
    m = _RANGE_RE.search(text)
    if m:
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        lo, hi = _number(a), _number(b)
        if lo < hi <= _MAX_AGE and hi - lo <= 20:  # "30-35", not a score or a year span
            return (lo, hi)
    m = _OVER_RE.search(text)
    if m:
        return _span(_number(m.group(1)) + 1, _MAX_AGE)
    m = _AT_LEAST_RE.search(text)
    if m:
        return _span(_number(m.group(1)), _MAX_AGE)
    m = _UNDER_RE.search(text)
    if m:
        return _span(_MIN_AUTHOR_AGE, _number(m.group(1)) - 1)
    m = _SOMETHING_RE.search(text)
    if m:
        base = _number(m.group(1))
        return _span(base, base + 9) if base % 10 == 0 else None
    m = _PUSHING_RE.search(text)
    if m:
        age = _number(m.group(1))
        return _span(age - 3, age - 1)
    m = _ABOUT_RE.search(text)
    if m:
        age = _number(m.group(1) or m.group(2))
        return _span(age - 2, age + 2)
    return None


def _one(age: int) -> tuple[int, int] | None:
    return (age, age) if 0 < age <= _MAX_AGE else None


# --- sex -------------------------------------------------------------------------

_OTHER_WORDS = (
    "nonbinary", "non-binary", "non binary", "enby", "genderqueer", "genderfluid",
    "gender fluid", "agender", "nb",
)
# Checked before the plain words: "trans woman" is a woman, "trans man" a man.
_TRANS = (
    (re.compile(r"\btrans(?:gender)?[\s-]*(?:woman|women|girl|female|lady)\b|\bmtf\b|\bm2f\b"), "female"),
    (re.compile(r"\btrans(?:gender)?[\s-]*(?:man|men|guy|boy|male|dude)\b|\bftm\b|\bf2m\b"), "male"),
)
_FEMALE = (
    "woman", "women", "female", "girl", "gal", "lady", "mom", "mum", "mother", "mama", "wife",
    "daughter", "sister", "aunt", "grandma", "grandmother", "granny", "she", "her", "housewife",
    "mommy", "mummy", "girlfriend", "fiancee", "widow", "actress", "waitress", "chick",
)
_MALE = (
    "man", "men", "male", "guy", "dude", "boy", "bloke", "lad", "gentleman", "dad", "father",
    "husband", "son", "brother", "uncle", "grandpa", "grandfather", "he", "him", "daddy",
    "boyfriend", "fiance", "widower", "bro",
)
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)?")


def parse_sex(phrase: str) -> Sex | None:
    """The author's sex from a tag ("28F", "M32") or a word ("guy", "trans woman", "nonbinary")."""
    text = phrase.lower().replace("’", "'")
    if any(re.search(rf"\b{re.escape(w)}\b", text) for w in _OTHER_WORDS):
        return "other"
    for pattern, sex in _TRANS:
        if pattern.search(text):
            return sex  # type: ignore[return-value]
    m = _TAG_RE.search(phrase)
    if m:
        return "female" if (m.group(2) or m.group(3)).lower() == "f" else "male"
    for word in _WORD_RE.findall(text):
        stem = word[:-1] if word.endswith("s") and word[:-1] in _FEMALE + _MALE else word
        if stem in _FEMALE:
            return "female"
        if stem in _MALE:
            return "male"
    return None
