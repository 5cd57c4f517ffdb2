"""The contracts between the reasoning stages (one Protocol per stage)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from records.types import Attribute, Disclosure, Estimate, Network, Post, SubQuestion


@runtime_checkable
class Profiler(Protocol):
    """Turns a post's disclosures into typed, normalised attributes."""

    name: str

    def profile(self, post: Post, disclosures: list[Disclosure]) -> list[Attribute]: ...


@runtime_checkable
class Estimator(Protocol):
    """Answers a sub-question with a distribution and provenance, or declines with None."""

    name: str

    def estimate(self, question: SubQuestion) -> Estimate | None: ...


@runtime_checkable
class Reasoner(Protocol):
    """Builds a network for a set of attributes and fills its estimates.

    ``decompose`` returns a network whose nodes have questions but may lack
    estimates; ``estimate`` fills them (batched across networks, so that an
    LLM reasoner can send every sub-question of a batch together).
    """

    name: str

    def decompose(self, attributes: list[Attribute]) -> Network: ...

    def estimate(self, networks: list[Network], attributes: list[list[Attribute]]) -> list[Network]: ...
