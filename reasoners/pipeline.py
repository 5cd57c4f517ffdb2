"""One pass through kanon's stages: detect, profile, decompose, estimate, combine.

The pipeline takes its components as arguments (the shell builds them from
settings) and works on batches, so that a detector or a model backend sees
many posts at once. One bad post never sinks the batch: ``assess`` returns a
``KanonError`` in that post's place.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from records.errors import InputError, KanonError
from records.text import check_text
from records.types import Assessment, Attribute, Contribution, Disclosure, KInterval, Network, Post
from reasoners.base import Profiler, Reasoner
from reasoners.detector.base import Detector
from reasoners.flags import network_flags

log = logging.getLogger(__name__)

PIPELINE_VERSION = "1"


@dataclass
class Pipeline:
    detector: Detector
    profiler: Profiler
    reasoner: Reasoner
    max_chars: int = 100_000
    draws: int = 4000  # Monte Carlo draws for k's interval
    seed: int = 0
    with_contributions: bool = True
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def versions(self) -> dict[str, str]:
        return {
            "pipeline": PIPELINE_VERSION,
            "detector": self.detector.name,
            "profiler": self.profiler.name,
            "reasoner": self.reasoner.name,
        }

    @property
    def version(self) -> str:
        """One string that changes whenever a stored result would."""
        v = self.versions
        return f"p{v['pipeline']}/{v['detector']}/{v['profiler']}/{v['reasoner']}"

    def load(self) -> None:
        """Loads what the components load lazily (models, tables), before the first post needs it."""
        self.detector.load()
        warm = getattr(self.profiler, "load", None)
        if callable(warm):
            warm()

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        ok = [p for p in posts if p.text.strip()]
        found = dict(zip((p.id for p in ok), self.detector.detect(ok))) if ok else {}
        return [found.get(p.id, []) for p in posts]

    def assess(
        self, posts: list[Post], disclosures: list[list[Disclosure]] | None = None
    ) -> list[Assessment | KanonError]:
        """Assess each post on its own.

        ``disclosures``, one list per post, are spans already found (by an
        earlier detection step over the same posts): the detector is then not
        run again. Every text is still checked (empty, too long) either way.
        """
        if disclosures is not None and len(disclosures) != len(posts):
            raise InputError(f"{len(disclosures)} disclosure lists for {len(posts)} posts")
        out: list[Assessment | KanonError | None] = [None] * len(posts)
        valid: list[int] = []
        for i, post in enumerate(posts):
            try:
                check_text(post.text, self.max_chars)
                valid.append(i)
            except KanonError as e:
                out[i] = e
        if valid:
            vposts = [posts[i] for i in valid]
            if disclosures is None:
                t0 = time.perf_counter()
                found = self.detector.detect(vposts)
                self._tick("detect", t0)
            else:
                found = [list(disclosures[i]) for i in valid]
                for post, spans in zip(vposts, found):
                    if any(d.post_id != post.id for d in spans):
                        raise InputError(f"disclosures given for post {post.id!r} belong to another post")
            results = self.assess_detected(vposts, found)
            for i, r in zip(valid, results):
                out[i] = r
        return out  # type: ignore[return-value]

    def assess_detected(
        self, posts: list[Post], disclosures: list[list[Disclosure]]
    ) -> list[Assessment | KanonError]:
        """Profile, reason and combine, given each post's disclosures."""
        t0 = time.perf_counter()
        attrs = [self.profiler.profile(p, d) for p, d in zip(posts, disclosures)]
        self._tick("profile", t0)
        return self._reason(posts, disclosures, attrs, [[] for _ in posts])

    def assess_history(self, author_id: str, posts: list[Post]) -> Assessment:
        """One assessment for everything a posting history reveals together."""
        from reasoners.profile import merge_history

        for p in posts:
            check_text(p.text, self.max_chars)
        disclosures = self.detector.detect(posts)
        per_post = [self.profiler.profile(p, d) for p, d in zip(posts, disclosures)]
        merged, warnings, contradictions = merge_history(per_post, [len(d) for d in disclosures])
        flat: list[Disclosure] = [d for ds in disclosures for d in ds]
        result = self._reason([Post(id=author_id, text=" ")], [flat], [merged], [warnings])[0]
        if isinstance(result, KanonError):
            raise result
        return result.model_copy(update={"contradictions": tuple(contradictions)})

    # --- internals -------------------------------------------------------------

    def _reason(
        self,
        posts: list[Post],
        disclosures: list[list[Disclosure]],
        attrs: list[list[Attribute]],
        warnings: list[list[str]],
    ) -> list[Assessment | KanonError]:
        import bayesnet

        t0 = time.perf_counter()
        out: list[Assessment | KanonError] = []
        # The attribute sets behind the contributions (each attribute left out, or
        # widened) depend only on the attributes, so their networks are decomposed and
        # estimated in the same rounds as the posts' own: a model backend sees two
        # large rounds per batch instead of four, and shared sub-questions once.
        jobs = self._contribution_jobs(attrs) if self.with_contributions else []
        every = attrs + [rest for *_, rest in jobs]
        decomposed = self._decompose(every)
        ok = [i for i, n in enumerate(decomposed) if isinstance(n, Network)]
        filled = self.reasoner.estimate([decomposed[i] for i in ok], [every[i] for i in ok]) if ok else []
        for i, net in zip(ok, filled):
            decomposed[i] = net
        networks, job_networks = decomposed[: len(attrs)], decomposed[len(attrs):]
        self._tick("reason", t0)

        t0 = time.perf_counter()
        intervals: list[KInterval | KanonError] = []
        for n in networks:
            if isinstance(n, KanonError):
                intervals.append(n)
                continue
            try:
                intervals.append(bayesnet.combine(n, draws=self.draws, seed=self.seed))
            except KanonError as e:
                intervals.append(e)
        self._tick("combine", t0)

        t0 = time.perf_counter()
        contribs, capped = (self._contributions(attrs, intervals, jobs, job_networks) if self.with_contributions
                            else ([[] for _ in posts], set()))
        self._tick("contributions", t0)

        for i, post in enumerate(posts):
            net, kint = networks[i], intervals[i]
            if isinstance(net, KanonError):
                out.append(net)
                continue
            if isinstance(kint, KanonError):
                out.append(kint)
                continue
            notes = list(warnings[i]) + network_flags(net)
            if kint.floor_applied:
                notes.append("k floored at 1: the disclosures together fit fewer than one person")
            if i in capped:
                notes.append("k capped at k without one detail: saying more never widens the crowd")
            out.append(
                Assessment(
                    post_id=post.id,
                    k=kint.k,
                    k_low=kint.k_low,
                    k_high=kint.k_high,
                    floor_applied=kint.floor_applied,
                    disclosures=tuple(disclosures[i]),
                    attributes=tuple(attrs[i]),
                    network=net,
                    contributions=tuple(contribs[i]),
                    detector=self.detector.name,
                    reasoner=self.reasoner.name,
                    versions=self.versions,
                    warnings=tuple(notes),
                    usage=dict(getattr(self.reasoner, "usage", {}) or {}),
                )
            )
        return out

    @staticmethod
    def _contribution_jobs(attrs: list[list[Attribute]]) -> list[tuple[int, Attribute, str, list[Attribute]]]:
        """Each attribute set to re-assess: a post's attributes without one, or with it widened."""
        from reasoners.generalise import generalise

        jobs: list[tuple[int, Attribute, str, list[Attribute]]] = []
        for i, a in enumerate(attrs):
            for attr in a:
                jobs.append((i, attr, "without", [x for x in a if x.id != attr.id]))
                wider = generalise(attr)
                if wider is not None:
                    jobs.append((i, attr, wider[1], [wider[0] if x.id == attr.id else x for x in a]))
        return jobs

    def _contributions(
        self,
        attrs: list[list[Attribute]],
        intervals: list[KInterval | KanonError],
        jobs: list[tuple[int, Attribute, str, list[Attribute]]],
        networks: list[Network | KanonError],
    ) -> tuple[list[list[Contribution]], set[int]]:
        """k without each attribute, from the networks estimated for ``jobs`` (``_contribution_jobs``).

        Also the indices whose k was capped at the smallest k without one attribute.
        """
        import bayesnet

        # Per post: attribute id -> k without it, and -> (what was widened, k then).
        without: list[dict[str, float]] = [{} for _ in attrs]
        widened: list[dict[str, tuple[str, float]]] = [{} for _ in attrs]
        for (i, attr, what, _), net in zip(jobs, networks, strict=True):
            if not isinstance(net, Network) or not isinstance(intervals[i], KInterval):
                continue
            try:
                k = bayesnet.combine(net, draws=self.draws, seed=self.seed).k
            except KanonError:
                continue
            if what == "without":
                without[i][attr.id] = k
            else:
                widened[i].setdefault(attr.id, (what, k))
        out: list[list[Contribution]] = [[] for _ in attrs]
        capped: set[int] = set()
        for i, a in enumerate(attrs):
            base = intervals[i]
            if not isinstance(base, KInterval):
                continue
            # Adding a detail never raises k. Tables estimated apart can disagree a
            # little (P(woman | nurse) against P(woman) then P(nurse | woman)), and a
            # network with one more factor can come out above the one without it:
            # then the smaller k stands, with its interval moved down as far.
            low = min(without[i].values(), default=None)
            if low is not None and low < base.k:
                ratio = low / base.k
                base = base.model_copy(update={"k": low, "k_low": max(1.0, base.k_low * ratio),
                                               "k_high": max(low, base.k_high * ratio)})
                intervals[i] = base
                capped.add(i)
            for attr in a:
                if attr.id in without[i]:
                    out[i].append(bayesnet.contribution(attr.id, attr.disclosure_ids, base, without[i][attr.id],
                                                        widened[i].get(attr.id)))
        return out, capped

    def _decompose(self, attrs: list[list[Attribute]]) -> list[Network | KanonError]:
        """One network per attribute set; batched when the reasoner can (one model round, not one per text)."""
        many = getattr(self.reasoner, "decompose_many", None)
        if many is not None:
            try:
                return list(many(attrs))
            except KanonError:
                pass  # fall back to one at a time, so that one bad set costs only itself
        out: list[Network | KanonError] = []
        for a in attrs:
            try:
                out.append(self.reasoner.decompose(a))
            except KanonError as e:
                out.append(e)
        return out

    def _tick(self, stage: str, t0: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0
