"""Folding of short phrases before they are looked up in a table.

Lookups compare folded keys: lower case, accents removed, punctuation other
than the apostrophe and hyphen turned into spaces, whitespace collapsed. A
phrase and a table entry that differ only in these respects match.
"""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w'\-/&]+")
_SPACES = re.compile(r"\s+")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a couple": 2, "couple of": 2, "a pair of": 2, "twin": 2, "twins": 2,
    "both": 2, "several": 3, "a few": 3, "few": 3,
}


def strip_accents(text: str) -> str:
    if text.isascii():  # nothing to decompose; the gazetteer folds a quarter of a million names at start-up
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """The lookup key of a phrase: "Co. Mayo" -> "co mayo", "Québec" -> "quebec"."""
    if text.isascii() and text.replace(" ", "").isalpha():
        # The common case (most of the gazetteer's names), the same key at a fraction of the cost.
        return " ".join(text.lower().split())
    text = strip_accents(text).lower().replace("’", "'")
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" -'/")


def number_word(word: str) -> int | None:
    """A count written in digits or words ("3", "three", "a couple of"), else None."""
    w = word.strip().lower()
    if w.isdigit():
        return int(w)
    return _NUMBER_WORDS.get(w)


NUMBER_PATTERN = (
    r"(?:\d{1,2}|a couple of|a couple|couple of|a pair of|a few|several|both|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an|a)"
)
