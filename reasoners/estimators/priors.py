"""The last resort: a wide distribution per category, flagged as a guess ("priors.v1").

The point values sit on the low side of what is plausible (docs/architecture.md: lean to
a smaller k when unsure, so that the risk is not understated); the interval
shows the ignorance. A unique identifier (a contact, a full name flagged
``unique``) is about one person in the place: 1 / population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records.types import Estimate, SubQuestion
from reasoners.estimators.common import categories, is_unique, location_of, make_estimate
from reasoners.normalise.common_words import is_common

NAME = "priors.v1"
DATASET = "category prior (kanon)"

# category -> (value, low, high). Low-side guesses; see the module docstring.
PRIORS: dict[str, tuple[float, float, float]] = {
    "Age": (0.012, 0.003, 0.15),  # one year of age ~1.2%; a decade ~15%
    "Gender": (0.45, 0.01, 0.55),
    "Location": (0.001, 1e-6, 0.05),
    "Occupation": (0.002, 1e-5, 0.05),
    "Relationship_Status": (0.2, 0.02, 0.6),
    "Husband_BF": (0.3, 0.05, 0.6),
    "Wife_GF": (0.3, 0.05, 0.6),
    "Family": (0.1, 0.005, 0.5),
    "Pet": (0.1, 0.005, 0.5),
    "Health": (0.03, 0.0005, 0.3),
    "Mental_Health": (0.04, 0.002, 0.3),
    "Sexual_Orientation": (0.03, 0.005, 0.9),
    "Race_Nationality": (0.05, 0.001, 0.9),
    "Education": (0.15, 0.01, 0.6),
    "Finance": (0.05, 0.002, 0.5),
    "Appearance": (0.05, 0.001, 0.5),
    "Name": (0.002, 1e-5, 0.03),  # one first name among people of the same sex
    "Contact": (1e-7, 1e-10, 1e-5),
}
# A disclosure whose span no normaliser understood: (value, low, high).
UNNORMALISED = (0.5, 0.02, 1.0)
# The unknown-value policy: a span of an identifying category that reads as
# a property of the author (a job stated as one, a condition) but that no
# table knows is, if anything, rarer than the known values (farriers,
# glassblowers, rare diseases): a rare share, with the reason. Spans that
# do not read so (narrative the detector caught) keep UNNORMALISED.
UNKNOWN_VALUE: dict[str, tuple[float, float, float, str]] = {
    "Occupation": (3e-4, 2e-5, 2e-2, "an occupation kanon's tables do not know: unknown occupations are rare"),
    "Health": (5e-3, 1e-4, 1e-1, "a condition not in kanon's list: rarer than the listed ones"),
    "Mental_Health": (1e-2, 5e-4, 1.5e-1, "a mental-health condition not in kanon's list"),
    # A named programme, school or stage of study ("law at the Nacional", "semester 2"):
    # students of one subject at one level are a few percent of their age group.
    "Education": (2e-2, 1e-3, 0.3, "a course of study kanon's tables do not know: one subject at one level"),
}
_STATED = re.compile(
    r"^(?:(?:i\s*(?:'m|am|work as|work in|worked as|have|was diagnosed with|suffer from|live with)|"
    r"as|my job is|by trade,?)\s+(?:a|an|the)?\s*)?(?:[\w'’/-]+\s*){1,4}$",
    re.IGNORECASE,
)
# A first-person statement of work with an object: "I work underground as a winch
# operator", "I drive the tram", "I teach English". Up to eight words.
_WORK_STATED = re.compile(
    r"^(?:i|we)\s*(?:'m\s+|am\s+)?(?:now\s+|still\s+|currently\s+)?"
    r"(?:work|worked|working|drive|drove|teach|taught|run|own|fly|build|make|repair|fix|farm|fish|keep|"
    r"operate|captain|skipper|crew)\b(?:\s+[\w'’/-]+){1,7}$",
    re.IGNORECASE,
)
# What a work statement may end on that says nothing of the work itself.
_WORK_VAGUE = re.compile(
    r"\b(?:full|part)[ -]?time$|\b(?:from home|nights|days|shifts|hard|a lot|too much|overtime|remotely)$",
    re.IGNORECASE,
)
_EDUCATION_WORD = re.compile(
    r"\b(?:stud\w*|estudi\w*|semester|semestre|kuliah|degree|diploma|bachelor'?s?|master'?s?|phd|doctora\w*|"
    r"universit\w*|college|course|programme|program|apprentice\w*|undergrad\w*|postgrad\w*|year \d|\d\w* year)\b",
    re.IGNORECASE,
)
# Work said with nothing of what it is ("working", "I'm employed", "a job"): a status, not a rare job.
_BARE_WORK = re.compile(
    r"^(?:(?:i|we)\b)?(?:\s|'m|am|at|work|worked|working|employed|a job|jobs?|full[ -]?time|part[ -]?time)*$",
    re.IGNORECASE,
)
# Words a detector's span ends on when it stopped too late ("I drive the tram for the").
_TRAILING = re.compile(r"(?:\s+(?:the|a|an|for|at|in|of|with|to|as|since|and|i|my|on))+$", re.IGNORECASE)


def unknown_value(category: str, span: str) -> tuple[float, float, float, str] | None:
    """The policy's share for an unnormalised span of ``category``, or None for noise.

    The decision is about the span, not the category: a short phrase that
    states the property ("I'm a farrier", "glassblower", "I have FMF"), a
    first-person statement of work with an object ("I work underground as a
    winch operator"), or a phrase naming a course of study ("kuliah semester
    2") filters; a longer stretch of narrative, or work said with nothing of
    what it is ("I work full time"), does not.
    """
    policy = UNKNOWN_VALUE.get(category)
    text = _TRAILING.sub("", span.strip())
    if policy is None or not text:
        return None
    if category == "Education":
        return policy if _EDUCATION_WORD.search(text) and 2 <= len(text.split()) <= 8 else None
    if category == "Occupation" and (_WORK_VAGUE.search(text) or _BARE_WORK.match(text)):
        return None
    if len(text.split()) == 1 and is_common(text):
        return None  # one everyday word alone ("home", "it"): a stray word, not a rare property
    if _STATED.match(text):
        return policy
    if category == "Occupation" and _WORK_STATED.match(text) and not _WORK_VAGUE.search(text):
        return policy
    return None
COUNT_PRIOR = (50_000.0, 2_000.0, 2_000_000.0)  # an unresolved place: a town, on the small side


@dataclass
class PriorEstimator:
    name: str = NAME

    def estimate(self, question: SubQuestion) -> Estimate | None:
        if question.kind == "count":
            v, lo, hi = COUNT_PRIOR
            return make_estimate("count", v, lo, hi, component=NAME, source="prior", dataset=DATASET,
                                 guess=True, note="unresolved place")
        if not question.target:
            return None
        if any(is_unique(a) for a in question.target):
            loc = location_of(question)
            pop = loc.facets.get("population") if loc is not None else None
            n = float(pop) if isinstance(pop, (int, float)) and not isinstance(pop, bool) and pop > 0 else 1e7
            v = 1.0 / n
            return make_estimate("fraction", v, v / 10, min(1.0, v * 100), component=NAME, source="prior",
                                 dataset=DATASET, guess=True, note="unique identifier: about one person")
        if len(question.target) == 1 and not question.target[0].facets and (
                policy := unknown_value(question.target[0].category, question.target[0].value)) is not None:
            v, lo, hi, why = policy
            return make_estimate("fraction", v, lo, hi, component=NAME, source="prior", dataset=DATASET,
                                 guess=True, note=why)
        if all(not a.facets for a in question.target):
            # The span could not be normalised: often narrative the detector
            # caught ("my first half marathon"), sometimes a real filter. Keep
            # the point near "no filter" and let the interval reach far down.
            v, lo, hi = UNNORMALISED
            return make_estimate("fraction", v, lo, hi, component=NAME, source="prior", dataset=DATASET,
                                 guess=True, note="span not normalised: noise or an unknown filter")
        value, low, high = 1.0, 1.0, 1.0
        for cat in sorted(categories(question.target)):
            v, lo, hi = PRIORS.get(cat, (0.05, 0.001, 0.5))
            value, low, high = value * v, low * lo, high * hi
        return make_estimate("fraction", value, low, high, component=NAME, source="prior", dataset=DATASET,
                             guess=True, note="category prior")
