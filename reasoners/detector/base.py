"""The detector contract: posts in, disclosures (offsets, labels, scores) out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from records.types import Disclosure, Post


@runtime_checkable
class Detector(Protocol):
    """Finds self-disclosures. Batched: one list of disclosures per post, sorted by start."""

    name: str  # registered name@version, e.g. "rules.v1"
    labels: tuple[str, ...]

    def load(self) -> None:
        """Load models and assets (idempotent); called before the first ``detect``."""

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]: ...
