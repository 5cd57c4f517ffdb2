"""The statistical reasoner: a network built by rules, filled from grounded estimators.

``decompose`` orders the attributes so that each factor is one a statistic
exists for (docs/architecture.md, the method, step 2):

1. the most specific Location is merged into the base node (people living
   there; the world when no place is given; the country of a stated
   nationality when there is no place);
2. a unique identifier (a contact, a name or role flagged unique, a role
   only one person holds) comes next, as 1 / population; everything after it
   is conditioned on it and is certain (the author is that one person);
3. Race_Nationality, conditioned on the base;
4. an occupation with an SOC code before sex and age (P(sex | nurses) is
   known; P(nurse | sex) is not), then Gender and Age as its children;
   without one, Gender then Age, and an occupation status (retired, student)
   after them;
5. the rest, conditioned on the base, sex and age (family size also on
   relationship status, income and education also on the occupation).

``estimate`` fills every node from an ``EstimatorChain``; a node that only a
category prior could answer is generalised (its non-base parents dropped)
and asked again. ``IndependentReasoner`` builds the same nodes with every
factor conditioned on the base alone: the ablation that shows what
conditioning buys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from records.types import Attribute, Estimate, Network, Node, SubQuestion
from reasoners.estimators import EstimatorChain, default_chain
from reasoners.estimators.common import age_range, is_unique, make_estimate, sex_of, soc_of
from reasoners.questions import place_phrase, predicate, subject

log = logging.getLogger(__name__)

BASE = "base"
UNIQUE = "unique"  # the node of a unique identifier or role
GENERALISE_WIDEN = 1.5
_LEVEL_RANK = {"city": 3, "admin1": 2, "country": 1, "unknown": 0}
_REST_ORDER = (
    "Relationship_Status", "Husband_BF", "Wife_GF", "Family", "Sexual_Orientation", "Education",
    "Finance", "Health", "Mental_Health", "Pet", "Appearance", "Name", "Contact",
)


def _is_unique_role(attr: Attribute) -> bool:
    """An office one person holds in the place (the profiler flags it from the span:
    "I'm the sheriff"); the OEWS title is never enough ("Police and Sheriff's
    Patrol Officers" are many)."""
    return attr.category == "Occupation" and attr.facets.get("unique") is True


@dataclass
class _Plan:
    nodes: list[Node] = field(default_factory=list)
    attrs: dict[str, tuple[Attribute, ...]] = field(default_factory=dict)


@dataclass
class StatisticalReasoner:
    """Rules decompose; grounded estimators estimate. No language model."""

    chain: EstimatorChain | None = None
    microdata_path: Path | str | None = None
    facts_dir: Path | str | None = None
    min_confidence: float = 0.5
    independent: bool = False
    name: str = "statistical"
    # Each factor's interval is widened by this ratio on both sides: a table answers the
    # question it was built for, and the network still leaves out dependences nobody
    # disclosed (education, income, housing). Chosen on kanon's own k cases for coverage.
    structural_widen: float = 1.6

    def __post_init__(self) -> None:
        if self.chain is None:
            self.chain = default_chain(self.microdata_path, self.facts_dir, self.min_confidence)

    # --- decompose -------------------------------------------------------------

    @staticmethod
    def _split(attributes: list[Attribute]) -> list[Attribute]:
        """An Age_Gender attribute becomes an Age and a Gender attribute with the same id stem."""
        out = []
        for a in attributes:
            if a.category != "Age_Gender":
                out.append(a)
                continue
            if sex_of(a) is not None:
                out.append(a.model_copy(update={"id": f"{a.id}:gender", "category": "Gender"}))
            if age_range(a) is not None:
                out.append(a.model_copy(update={"id": f"{a.id}:age", "category": "Age"}))
        return out

    def decompose(self, attributes: list[Attribute]) -> Network:
        attrs = self._split(attributes)
        locs = [a for a in attrs if a.category == "Location"]
        loc = max(locs, key=lambda a: _LEVEL_RANK.get(str(a.facets.get("level")), 0), default=None)
        if loc is None:
            nat = next((a for a in attrs if a.category == "Race_Nationality"
                        and isinstance(a.facets.get("nationality"), str)), None)
            if nat is not None:
                loc = Attribute(id=f"{nat.id}:country", category="Location", value=str(nat.facets["nationality"]),
                                facets={"country": str(nat.facets["nationality"]).upper(), "level": "country"})
        rest = [a for a in attrs if a.category != "Location"]
        place = place_phrase(loc, short=True)
        plan = _Plan()
        base_attrs = (loc,) if loc is not None else ()
        plan.nodes.append(Node(id=BASE, role="base", attribute_ids=tuple(a.id for a in base_attrs),
                               question=f"How many people live in {place_phrase(loc)}?"))
        plan.attrs[BASE] = base_attrs
        used: set[str] = set()
        counts: dict[str, int] = {}

        def add(attr: Attribute, parents: list[str], question: str, key: str | None = None) -> str:
            key = key or attr.category.lower()
            counts[key] = counts.get(key, 0) + 1
            nid = key if counts[key] == 1 else f"{key}_{counts[key]}"
            if self.independent:
                parents = [BASE]
            plan.nodes.append(Node(id=nid, attribute_ids=(attr.id,), parents=tuple(dict.fromkeys(parents)),
                                   question=question))
            plan.attrs[nid] = (attr,)
            used.add(attr.id)
            return nid

        unique = next((a for a in rest if is_unique(a) or _is_unique_role(a)), None)
        if unique is not None:
            uid = add(unique, [BASE], f"What share of people in {place} {predicate(unique)}?",
                      key=UNIQUE)
            for a in rest:
                if a.id not in used:
                    add(a, [BASE, uid], f"Given that one person, what is the chance that they {predicate(a)}?")
            return Network(nodes=tuple(plan.nodes))

        demo: list[str] = []
        for a in [a for a in rest if a.category == "Race_Nationality"]:
            add(a, [BASE], f"What share of people in {place} {predicate(a)}?")
        job = next((a for a in rest if a.category == "Occupation" and soc_of(a) is not None), None)
        job_id = None
        if job is not None:
            job_id = add(job, [BASE], f"What share of people in {place} {predicate(job)}?")
            demo.append(job_id)
        gender = next((a for a in rest if a.category == "Gender"), None)
        if gender is not None:
            who = subject(job, place) if job is not None else f"people in {place}"
            demo.append(add(gender, [BASE, *demo], f"What share of {who} {predicate(gender)}?"))
        age = next((a for a in rest if a.category == "Age"), None)
        if age is not None:
            demo.append(add(age, [BASE, *demo], f"What share of them in {place} {predicate(age)}?"))
        for a in rest:
            if a.category == "Occupation" and a.id not in used:
                nid = add(a, [BASE, *demo], f"What share of them in {place} {predicate(a)}?")
                demo.append(nid)
                job_id = job_id or nid
        rel_id = None
        for cat in _REST_ORDER:
            for a in [x for x in rest if x.category == cat and x.id not in used]:
                parents = [BASE, *demo]
                if cat == "Family" and rel_id:
                    parents.append(rel_id)
                nid = add(a, parents, f"What share of them in {place} {predicate(a)}?")
                if cat in ("Relationship_Status", "Husband_BF", "Wife_GF") and rel_id is None:
                    rel_id = nid
        for a in rest:
            if a.id not in used:
                add(a, [BASE, *demo], f"What share of them in {place} {predicate(a)}?")
        return Network(nodes=tuple(plan.nodes))

    # --- estimate --------------------------------------------------------------

    def questions(self, network: Network, attributes: list[Attribute]) -> list[SubQuestion]:
        """One structured sub-question per node (target: its attributes; given: its parents')."""
        attrs = {a.id: a for a in self._split(attributes)}
        for a in attributes:
            attrs.setdefault(a.id, a)
        by_node: dict[str, tuple[Attribute, ...]] = {}
        for n in network.nodes:
            found = []
            for aid in n.attribute_ids:
                if aid in attrs:
                    found.append(attrs[aid])
                elif aid.endswith(":country"):  # the base made from a nationality
                    nat = attrs.get(aid.rsplit(":", 1)[0])
                    if nat is not None:
                        c = str(nat.facets.get("nationality", "")).upper()
                        found.append(Attribute(id=aid, category="Location", value=c,
                                               facets={"country": c, "level": "country"}))
            by_node[n.id] = tuple(found)
        out = []
        for n in network.nodes:
            given: list[Attribute] = []
            for p in n.parents:
                given.extend(by_node.get(p, ()))
            out.append(SubQuestion(node_id=n.id, kind="count" if n.role == "base" else "fraction",
                                   target=by_node[n.id], given=tuple(given), text=n.question))
        return out

    @staticmethod
    def _unique_estimate(base_value: float | None) -> Estimate:
        n = base_value or 1.0
        return make_estimate("fraction", 1.0 / n, 0.5 / n, min(1.0, 2.0 / n), component="statistical",
                             source="derived", note="one holder in the base population")

    def _ask(self, q: SubQuestion, base_attrs: tuple[Attribute, ...]) -> Estimate | None:
        assert self.chain is not None
        est = self.chain.estimate(q)
        if est is None or not est.provenance.guess or q.kind == "count":
            return est
        if len(q.given) <= len(base_attrs):
            return est
        # Only a prior answered: generalise (drop the non-base parents) and ask again.
        general = q.model_copy(update={"given": base_attrs})
        est2 = self.chain.estimate(general)
        if est2 is None or est2.provenance.guess:
            return est
        low, high = est2.low / GENERALISE_WIDEN, min(1.0, est2.high * GENERALISE_WIDEN)
        prov = est2.provenance.model_copy(update={
            "note": (est2.provenance.note or "") + "; generalised: conditioned on the base only",
            "fallbacks": (*est.provenance.fallbacks, f"{est.provenance.component}: guess with all parents"),
        })
        return est2.model_copy(update={"low": low, "high": high, "provenance": prov})

    def estimate(self, networks: list[Network], attributes: list[list[Attribute]]) -> list[Network]:
        out = []
        for network, attrs in zip(networks, attributes):
            qs = {q.node_id: q for q in self.questions(network, attrs)}
            base_attrs = qs[network.base.id].target
            filled: list[Node] = []
            base_value = None
            unique_ids = {n.id for n in network.nodes if n.id == UNIQUE or n.id.startswith(UNIQUE + "_")}
            for node in network.nodes:
                q = qs[node.id]
                if node.id in unique_ids:
                    est = self._unique_estimate(base_value)
                elif unique_ids & set(node.parents):
                    est = make_estimate("fraction", 1.0, 1.0, 1.0, component="statistical", source="derived",
                                        note="given one person, their other attributes are theirs")
                else:
                    est = self._widen(self._ask(q, base_attrs), node.role)
                if est is None:
                    log.info("no estimate for node %s", node.id)
                elif node.role == "base":
                    base_value = est.value
                filled.append(node.model_copy(update={"estimate": est}))
            out.append(network.model_copy(update={"nodes": tuple(filled)}))
        return out


    def _widen(self, est, role: str):
        """The estimate with its interval widened for what the network does not model."""
        w = self.structural_widen
        if est is None or w <= 1 or role == "base" or est.provenance.source in ("microdata", "derived"):
            return est
        high = min(1.0, est.high * w)
        low = min(est.low / w, est.value)
        samples = est.samples
        return est.model_copy(update={"low": low, "high": max(high, est.value), "samples": samples})


@dataclass
class IndependentReasoner(StatisticalReasoner):
    """The same nodes, every factor conditioned on the base population only."""

    independent: bool = True
    name: str = "independent"
