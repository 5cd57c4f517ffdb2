"""Whose attribute a span is: the author's, a relative's, or someone else's.

A post says many things about other people ("my wife is 33 and works as a
pharmacist", "my dad (he is 68, diabetic)"). Only the author's attributes
filter the population the author belongs to; a relative's is at most a
family fact (having a wife, a father), and anyone else's is nothing. The
decision reads the clause that holds the span, up to the span: its last
subject wins. "I", "me", "we" make it the author's; "my wife", "our son",
"she", "he" someone else's. "My wife and I", "me and my son" and "I live with my bf in
Cork" are the author. A clause ends at a sentence mark, a semicolon or a line break.

Pure functions over the text and the span's offset; nothing is stored.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

Kind = Literal["author", "relative", "other"]

_RELATIVES = (
    "wife|husband|hubby|spouse|partner|bf|gf|boyfriend|girlfriend|fiance|fiancé|fiancee|fiancée|"
    "mom|mum|mother|mama|mam|ma|ammi|amma|mami|dad|father|papa|papá|pa|abba|baba|parents?|"
    "son|daughter|kid|kids|child|children|baby|sister|brother|siblings?|twin|"
    "grandma|grandmother|granny|nan|nana|grandpa|grandfather|grandad|grandparents?|grandson|granddaughter|"
    "uncle|aunt|auntie|cousin|niece|nephew|"
    "mother-in-law|father-in-law|sister-in-law|brother-in-law|in-laws|stepmom|stepdad|stepson|stepdaughter"
)
_OTHERS = (
    "friend|best friend|bff|roommate|roomie|housemate|flatmate|neighbou?r|boss|manager|coworker|co-worker|"
    "colleague|classmate|teacher|doctor|landlord|tenant|client|patient|student|ex"
)
_MODIFIER = r"(?:(?:late|ex|older|younger|little|big|elder|eldest|youngest|oldest|step|new|old|dear|\d+\s*yo)\s+)?"
_THIRD_NOUN = re.compile(
    rf"\b(?:my|our|his|her|their)\s+{_MODIFIER}(?P<rel>{_RELATIVES})\b|"
    rf"\b(?:my|our|his|her|their)\s+{_MODIFIER}(?P<other>{_OTHERS})\b",
    re.IGNORECASE,
)
_THIRD_PRONOUN = re.compile(r"\b(?:he|she|they)\b(?!['’]?(?:d|ll)\b)", re.IGNORECASE)
_FIRST = re.compile(r"\b(?:i|i['’]m|im|i['’]ve|i['’]d|i['’]ll|me|myself|we|we['’]re|we['’]ve|us)\b", re.IGNORECASE)
# The author with someone: "my wife and I", "me and my son", "my husband & I".
_JOINT = re.compile(
    rf"\b(?:my|our)\s+{_MODIFIER}(?:{_RELATIVES}|{_OTHERS})\s+(?:and|&)\s+(?:i|me|myself)\b|"
    rf"\b(?:i|me)\s+(?:and|&)\s+(?:my|our)\s+{_MODIFIER}(?:{_RELATIVES}|{_OTHERS})\b",
    re.IGNORECASE,
)
_WITH = re.compile(r"\b(?:with|alongside|beside)\s+$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;\n]")
_PARTNERS = frozenset("wife husband hubby spouse partner bf gf boyfriend girlfriend fiance fiancé fiancee fiancée".split())


class Owner(NamedTuple):
    kind: Kind
    relation: str | None = None  # the noun naming the person ("wife", "sister"), when one does

    @property
    def is_partner(self) -> bool:
        return self.relation is not None and self.relation.lower() in _PARTNERS


AUTHOR = Owner("author")


def clause_before(text: str, start: int, reach: int = 160) -> str:
    """The clause that holds ``start``, from its beginning up to ``start``."""
    window = text[max(0, start - reach):start]
    ends = list(_CLAUSE_END.finditer(window))
    # A full stop inside a number or an abbreviation ("3.5", "Co.") does not end a clause.
    ends = [m for m in ends if not (m.group() == "." and _inside_token(window, m.start()))]
    return window[ends[-1].end():] if ends else window


def owner_of(text: str, start: int) -> Owner:
    """Whose attribute the span at ``start`` is, from the last subject of its clause."""
    clause = clause_before(text, start)
    last_first = max((m.end() for m in _FIRST.finditer(clause)), default=-1)
    last_joint = max((m.end() for m in _JOINT.finditer(clause)), default=-1)
    # "I live with my bf in Cork": a person the author is with is no new subject.
    nouns = [m for m in _THIRD_NOUN.finditer(clause) if not _WITH.search(clause[:m.start()])]
    last_noun = nouns[-1] if nouns else None
    pronouns = list(_THIRD_PRONOUN.finditer(clause))
    last_pronoun = pronouns[-1].end() if pronouns else -1
    third_end = max(last_noun.end() if last_noun else -1, last_pronoun)
    if third_end < 0 or last_first > third_end or last_joint >= third_end:
        return AUTHOR
    if last_noun is not None and last_noun.end() >= last_pronoun:
        return _owner(last_noun)
    # A pronoun: the person is the one last named before it, in this clause or the text before.
    before = text[max(0, start - 400):start - len(clause) + pronouns[-1].start()] + clause[:pronouns[-1].start()]
    named = list(_THIRD_NOUN.finditer(before))
    return _owner(named[-1]) if named else Owner("other")


def _owner(m: re.Match) -> Owner:
    if m.group("rel"):
        return Owner("relative", m.group("rel").lower())
    return Owner("other", m.group("other").lower())


def _inside_token(window: str, i: int) -> bool:
    before = window[i - 1] if i > 0 else " "
    after = window[i + 1] if i + 1 < len(window) else " "
    if before.isdigit() and after.isdigit():
        return True
    # "Co.", "Dr.", "St.": a capitalised abbreviation of two or three letters.
    word = re.search(r"(\w+)$", window[:i])
    return bool(word and len(word.group(1)) <= 3 and word.group(1)[:1].isupper() and after == " "
                and i + 2 < len(window) and window[i + 2].isupper())
