"""The typed records that pass between kanon's stages.

A leaf module: it imports nothing of the project but ``records.errors`` (itself a
leaf), so every stage may import it. Records are frozen pydantic models;
stages return new records and never mutate their inputs.

Any record that holds text the user wrote (a post, an attribute value, a
sub-question built from it) shows only its length and a short hash in its
``repr``: records end up in tracebacks and debug logs.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from records.errors import ProbabilityError, PopulationError

Label = Literal[
    "Age", "Age_Gender", "Appearance", "Contact", "Gender", "Husband_BF", "Wife_GF",
    "Location", "Name", "Pet", "Race_Nationality", "Relationship_Status",
    "Sexual_Orientation", "Education", "Family", "Finance", "Health",
    "Mental_Health", "Occupation",
]
LABELS: tuple[str, ...] = get_args(Label)

SourceKind = Literal[
    "rule",        # a pattern or NER rule in the detector or profiler
    "classifier",  # the trained token classifier
    "table",       # a shipped statistical table (population, age structure, occupations)
    "facts",       # a curated conditional fact with its source and year
    "microdata",   # counted from individual records with weights
    "llm",         # sampled from a language model
    "prior",       # a category prior: a guess, shown as a wide interval
    "derived",     # computed from other estimates (scenarios, generalisation)
    "reference",   # given by the caller (gold factors in evaluation)
]


def fingerprint(text: str) -> str:
    """How a text is shown anywhere it could leak: its length and a short hash."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"<{len(text)} chars #{digest}>"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(Record):
    """Where a value came from. Never holds user text."""

    component: str  # registered name@version, e.g. "census-tables.v1"
    source: SourceKind
    dataset: str | None = None  # e.g. "UN World Population Prospects 2024"
    year: int | None = None
    model: str | None = None  # model id, for classifier and llm sources
    prompt: str | None = None  # prompt id@version and hash, for llm sources
    raw_value: float | None = None  # the value before adjustment (clamping, scenario sum)
    samples: tuple[float, ...] = ()
    fallbacks: tuple[str, ...] = ()  # components tried first that declined or failed, with why
    guess: bool = False  # a category prior: the interval shows the ignorance
    note: str | None = None  # a text-free explanation ("matched occupation 29-1141")
    # A figure of another scope standing in for the question's: its own scope (an
    # ISO country code, or "world") and the country it stands in for (None: the
    # world). The interval is widened for it; the readable report says so.
    borrowed_from: str | None = None
    used_for: str | None = None


class Post(Record):
    id: str
    text: str = Field(repr=False)
    author: str | None = None
    source: str | None = None

    def __repr__(self) -> str:
        return f"Post(id={self.id!r}, text={fingerprint(self.text)}, author={self.author!r})"

    __str__ = __repr__


class Disclosure(Record):
    """A span of a post in which its author discloses something. Offsets, not text."""

    post_id: str
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    label: Label
    score: float = Field(ge=0.0, le=1.0)
    provenance: Provenance

    @model_validator(mode="after")
    def _ordered(self) -> "Disclosure":
        if self.end <= self.start:
            raise ValueError(f"span end {self.end} is not after start {self.start}")
        return self

    def text_in(self, post: Post) -> str:
        return post.text[self.start:self.end]


FacetValue = str | int | float | bool


class Attribute(Record):
    """A typed, normalised fact about the author, profiled from one or more disclosures.

    ``value`` is a short normalised phrase ("nurse", "Leeds", "34"); ``facets``
    hold its structured form (``age_low``/``age_high``, ``sex``, ``place``,
    ``country``, ``geonameid``, ``occupation``, ``soc``, ``status``, ...).
    """

    id: str
    category: Label
    value: str = Field(repr=False)
    facets: dict[str, FacetValue] = Field(default_factory=dict, repr=False)
    disclosure_ids: tuple[int, ...] = ()  # indices into the assessment's disclosures
    provenance: Provenance | None = None

    def __repr__(self) -> str:
        return f"Attribute(id={self.id!r}, category={self.category!r}, value={fingerprint(self.value)})"

    __str__ = __repr__


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and not math.isnan(x) and not math.isinf(x)


class Estimate(Record):
    """A distribution for one sub-question: a count (base population) or a fraction.

    ``value`` is the point estimate (median), ``low``/``high`` an interval
    (roughly 90%), ``samples`` optional draws. Invalid numbers raise the typed
    network errors directly (pydantic lets non-ValueError exceptions through),
    so that a bad probability is a ``ProbabilityError`` wherever it is made.
    """

    kind: Literal["count", "fraction"]
    value: float
    low: float
    high: float
    samples: tuple[float, ...] = ()
    provenance: Provenance

    @model_validator(mode="after")
    def _valid(self) -> "Estimate":
        nums = (self.value, self.low, self.high, *self.samples)
        if self.kind == "fraction":
            for x in nums:
                if not _finite(x) or not 0.0 <= x <= 1.0:
                    raise ProbabilityError(
                        f"fraction from {self.provenance.component} must be in [0, 1], got {x!r}"
                    )
        else:
            for x in nums:
                if not _finite(x) or x <= 0:
                    raise PopulationError(
                        f"count from {self.provenance.component} must be a positive number, got {x!r}"
                    )
        if not self.low <= self.value <= self.high:
            raise ProbabilityError(
                f"estimate from {self.provenance.component}: need low <= value <= high, "
                f"got {self.low!r} <= {self.value!r} <= {self.high!r}"
            )
        return self


class Scenario(Record):
    """One of several disjoint cases whose probabilities are summed (docs/architecture.md, the method, step 5)."""

    question: str = Field(repr=False)
    estimate: Estimate | None = None


class Node(Record):
    """One factor of k = n * prod P(node | parents).

    The base node (``role="base"``) carries a count; every other node a
    fraction conditioned on its parents. ``scenarios``, when present, replace
    the node's own estimate by the sum of theirs.
    """

    id: str
    role: Literal["base", "factor"] = "factor"
    attribute_ids: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    question: str = Field(repr=False)
    estimate: Estimate | None = None
    scenarios: tuple[Scenario, ...] = ()

    def __repr__(self) -> str:
        est = None if self.estimate is None else round(self.estimate.value, 6)
        return (
            f"Node(id={self.id!r}, role={self.role!r}, parents={self.parents!r}, "
            f"question={fingerprint(self.question)}, value={est})"
        )

    __str__ = __repr__


class Network(Record):
    """A Bayesian network of the disclosed attributes: one base node and factors."""

    nodes: tuple[Node, ...]

    @property
    def base(self) -> Node:
        for n in self.nodes:
            if n.role == "base":
                return n
        raise PopulationError("network has no base population node")

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


class KInterval(Record):
    """k with its interval, as combined from a network."""

    k: float
    k_low: float
    k_high: float
    floor_applied: bool = False  # k would be below 1; the author exists, so k >= 1
    log10_sd: float | None = None


class Contribution(Record):
    """What one attribute does to k: k without it, and k with it generalised."""

    attribute_id: str
    disclosure_ids: tuple[int, ...] = ()
    k_without: float
    factor: float  # k_without / k: by how much this attribute narrows the crowd
    k_generalised: float | None = None
    generalised_to: str | None = Field(default=None, repr=False)


class Contradiction(Record):
    """Two posts of a history that say different values of one attribute, and which one counts.

    Text-free: the posts are indices in the history's order (0 = the
    first), the disclosures indices into the assessment's disclosures (each
    carries its post and offsets). ``kind`` is ``update`` where the later
    value is a change (an age that went up, a move, a new status) and
    ``contradiction`` where both cannot have been true (two sexes, an age
    that went down).
    """

    category: str
    kind: Literal["update", "contradiction"]
    kept_post: int
    other_posts: tuple[int, ...]
    kept_disclosure_ids: tuple[int, ...] = ()
    dropped_disclosure_ids: tuple[int, ...] = ()
    reason: str


class Assessment(Record):
    """Everything kanon says about one post (or one posting history)."""

    post_id: str
    k: float
    k_low: float
    k_high: float
    floor_applied: bool = False
    disclosures: tuple[Disclosure, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    network: Network | None = None
    contributions: tuple[Contribution, ...] = ()
    detector: str
    reasoner: str
    versions: dict[str, str] = Field(default_factory=dict)  # component -> name@version, prompts
    warnings: tuple[str, ...] = ()  # text-free notes (contradictions, fallbacks, floors)
    contradictions: tuple[Contradiction, ...] = ()  # a history's superseded values, and why
    usage: dict[str, Any] = Field(default_factory=dict)  # model calls, tokens, cache hits

    @property
    def riskiest(self) -> Contribution | None:
        """The attribute whose removal would raise k the most."""
        return max(self.contributions, key=lambda c: c.factor, default=None)


class SubQuestion(Record):
    """One factor's question in structured form, as estimators receive it.

    ``target`` are the attributes the factor asks about, ``given`` the
    attributes of its parent nodes (the base population's place among them
    when the base is a parent). A base node has ``kind="count"``: how many
    people match ``target`` (usually a place; none means the world).
    ``text`` is the plain-language question shown to people and models.
    """

    node_id: str
    kind: Literal["count", "fraction"]
    target: tuple[Attribute, ...]
    given: tuple[Attribute, ...] = ()
    text: str = Field(repr=False)

    def __repr__(self) -> str:
        return (
            f"SubQuestion(node_id={self.node_id!r}, kind={self.kind!r}, "
            f"target={[a.category for a in self.target]}, given={[a.category for a in self.given]})"
        )

    __str__ = __repr__
