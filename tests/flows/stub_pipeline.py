"""A small pipeline with the shape of ``reasoners.pipeline.Pipeline``, for orchestration tests.

It says nothing true about k (k is a number derived from the post id): the
flow tests check storage, retries, claims and privacy, not estimates.
Options make it misbehave on purpose: ``crash_on`` raises a plain exception
(a defect) at that post, ``reject`` returns a ``ParseError`` for that post,
``transient`` makes the first N batch calls fail with ``BackendUnavailable``.
``nonce`` only makes a fresh object (pipelines are memoised by options).
"""

from __future__ import annotations

import threading

from records.errors import BackendUnavailable, KanonError, ParseError
from records.types import Assessment, Disclosure, Post, Provenance

PROV = Provenance(component="stub-detector.v1", source="rule")


class StubPipeline:
    name = "stub"

    def __init__(self, crash_on: str | None = None, reject: str | None = None,
                 transient: int = 0, version: str = "stub.v1", nonce: str | None = None) -> None:
        self.version = version
        self.versions = {"detector": "stub-detector.v1", "reasoner": "stub-reasoner.v1"}
        self.crash_on = crash_on
        self.reject = reject
        self.transient_left = transient
        self.calls = 0
        self.detected: list[str] = []  # post ids, once per detector call on them
        self._lock = threading.Lock()

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        with self._lock:
            self.detected.extend(p.id for p in posts)
        return [[Disclosure(post_id=p.id, start=0, end=min(len(p.text), 4), label="Age", score=0.5,
                            provenance=PROV)] for p in posts]

    def assess(self, posts: list[Post], disclosures: list[list[Disclosure]] | None = None,
               ) -> list[Assessment | KanonError]:
        spans = self.detect(posts) if disclosures is None else disclosures
        with self._lock:
            self.calls += 1
            if self.transient_left > 0:
                self.transient_left -= 1
                raise BackendUnavailable("model server refused the connection")
        out: list[Assessment | KanonError] = []
        for p, found in zip(posts, spans, strict=True):
            if p.id == self.crash_on:
                raise RuntimeError(f"stub crash at {p.id}")
            if p.id == self.reject:
                out.append(ParseError("estimate", "value", "not a number"))
                continue
            k = 10.0 + sum(map(ord, p.id)) % 1000
            out.append(Assessment(post_id=p.id, k=k, k_low=k / 2, k_high=k * 2,
                                  disclosures=tuple(found),
                                  detector="stub-detector.v1", reasoner="stub-reasoner.v1",
                                  versions=self.versions))
        return out


def make(**options) -> StubPipeline:
    return StubPipeline(**options)
