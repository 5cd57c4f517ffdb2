"""BRANCH: a language model decomposes the disclosures into a network; kanon combines.

``decompose`` asks the model (one batched call for many texts) for the four
parts of a network (selection, order, parents, sub-questions), validates it
with ``bayesnet`` and falls back to the rule-built network. ``estimate``
answers every factor of every network of a batch: statistics first (the
estimator chain without priors), then the model for the rest — identical
questions once, cached, sampled in two rounds (the second only where the
first samples disagree), combined as a median in log space, generalised
when the spread stays too wide — and the category prior where the model's
answer cannot be used. Every estimate says where it came from.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from records.errors import KanonError
from records.types import Attribute, Estimate, Network, Node, Provenance, Scenario, SubQuestion
from reasoners.branch.estimate_memo import EstimateCache, normalise_question
from reasoners.branch.guard import bound_count, bound_k, keep_every_attribute, population_bound
from reasoners.branch.fallback import COMPONENT, chain_network, default_rule_reasoner, guess_estimate
from reasoners.branch.runner import Call, StepRunner
from reasoners.branch.samples import aggregate, log10 as _log10
from reasoners.branch.steps import DECOMPOSE, ESTIMATE, GENERALISE, SPLIT, DecomposeOut, EstimateOut, GeneraliseOut, SplitOut
from reasoners.llm.base import LLMBackend

log = logging.getLogger(__name__)

__all__ = ["BranchConfig", "BranchReasoner", "EstimateCache", "normalise_question", "aggregate"]


@dataclass(frozen=True)
class BranchConfig:
    samples: int = 5  # samples per sub-question
    first_samples: int = 3  # the first round; the rest only where these disagree
    agree_log10: float = 0.1  # first samples within this (log10) agree: stop early
    max_spread_log10: float = 1.0  # samples wider than this (log10) are generalised
    max_generalise: int = 1  # rounds of generalisation per factor
    split: bool = True  # a share whose samples stay too wide is first split into disjoint scenarios
    temperature: float = 0.7  # sampling temperature for estimates
    use_statistics: bool = True  # ask the estimator chain before the model
    statistics_max_span_log10: float = 1.0  # a statistic wider than this (low..high) is left to the model
    decompose_max_tokens: int | None = None  # None: the step's default (600)
    estimate_max_tokens: int | None = None  # None: the step's default (64)


@dataclass
class _Job:
    """One factor to estimate."""

    net: int
    node: Node
    kind: str
    question: str
    fallbacks: tuple[str, ...] = ()
    estimate: Estimate | None = None
    new_question: str | None = None
    new_parents: tuple[str, ...] | None = None
    spread: float = 0.0  # log10 spread of the samples behind ``estimate``
    scenarios: tuple[Scenario, ...] = ()  # disjoint cases whose shares are summed (the split step)


@dataclass
class _Sampled:
    samples: list[EstimateOut] = field(default_factory=list)
    error: str | None = None
    early: bool = False
    cached: bool = False


class BranchReasoner:
    name = COMPONENT

    def __init__(
        self,
        backend: LLMBackend,
        config: BranchConfig | None = None,
        *,
        statistics: Any | None = None,  # an Estimator: the chain without priors
        prior: Any | None = None,  # an Estimator: the category prior
        rule_reasoner: Any | None = None,  # a Reasoner whose decompose() is the fallback network
        cache: EstimateCache | None = None,
    ) -> None:
        self.backend = backend
        self.config = config or BranchConfig()
        if not 1 <= self.config.first_samples <= self.config.samples:
            raise ValueError("first_samples must be between 1 and samples")
        self.statistics = statistics
        self.prior = prior
        self.rule_reasoner = rule_reasoner if rule_reasoner is not None else default_rule_reasoner()
        self.cache = cache if cache is not None else EstimateCache()
        self.runner = StepRunner(backend)
        self._decompose_notes: dict[Network, tuple[str, ...]] = {}
        self.counters = {
            "texts": 0, "factors": 0, "statistics_answers": 0, "llm_questions": 0,
            "deduplicated": 0, "early_stops": 0, "split": 0, "generalised": 0, "fallbacks": 0,
            "network_fallbacks": 0,
        }

    # --- usage ---------------------------------------------------------------

    @property
    def usage(self) -> dict[str, Any]:
        """Model calls, tokens, cache hits and what the method did, for the whole run so far."""
        out: dict[str, Any] = dict(self.backend.usage.snapshot())
        out.update(self.counters)
        out.update({f"runner_{k}": v for k, v in self.runner.stats.as_dict().items()})
        out.update(cache_hits=self.cache.hits, cache_misses=self.cache.misses,
                   cache_hit_rate=round(self.cache.hit_rate, 4), cache_store_hits=self.cache.store_hits)
        return out

    def versions(self) -> dict[str, str]:
        return {
            "reasoner": COMPONENT,
            "model": self.backend.model_id,
            **{f"prompt.{s.name}": s.prompt.ref for s in (DECOMPOSE, ESTIMATE, GENERALISE, SPLIT)},
        }

    # --- decompose -----------------------------------------------------------

    def decompose(self, attributes: list[Attribute]) -> Network:
        return self.decompose_many([attributes])[0]

    def decompose_many(self, attribute_sets: list[list[Attribute]]) -> list[Network]:
        """One network per attribute set; every model call of the batch goes out together."""
        self.counters["texts"] += len(attribute_sets)
        nets: list[Network | None] = [None] * len(attribute_sets)
        calls, where = [], []
        for i, attrs in enumerate(attribute_sets):
            if not attrs:
                nets[i] = chain_network([])
                continue
            calls.append(Call(
                context={"attributes": [{"id": a.id, "category": a.category, "value": a.value} for a in attrs]},
                check={"attribute_ids": [a.id for a in attrs]},
            ))
            where.append(i)
        outcomes = self.runner.run(DECOMPOSE, calls, convert=_to_network,
                                   max_tokens=self.config.decompose_max_tokens)
        for i, out in zip(where, outcomes):
            if out.ok:
                net, kept = keep_every_attribute(out.values[0], attribute_sets[i])
                nets[i] = net
                notes = (("decompose: repaired",) if out.repaired else ()) + kept
                if notes:
                    self._decompose_notes[net] = notes
                continue
            reason = f"decompose: {out.error}"
            net, how = self._rule_network(attribute_sets[i])
            self.counters["network_fallbacks"] += 1
            self._decompose_notes[net] = (reason, f"decompose -> {how}")
            nets[i] = net
        return [n for n in nets if n is not None]

    def _rule_network(self, attributes: list[Attribute]) -> tuple[Network, str]:
        if self.rule_reasoner is not None:
            try:
                return self.rule_reasoner.decompose(attributes), "rule network (statistical)"
            except KanonError as e:
                log.info("rule network failed: %s", e.code)
        return chain_network(attributes), "rule network (chain)"

    # --- estimate ------------------------------------------------------------

    def estimate(self, networks: list[Network], attributes: list[list[Attribute]]) -> list[Network]:
        jobs: list[_Job] = []
        for i, net in enumerate(networks):
            notes = self._decompose_notes.get(net, ())
            for node in net.nodes:
                if node.estimate is None and not node.scenarios:
                    kind = "count" if node.role == "base" else "fraction"
                    jobs.append(_Job(net=i, node=node, kind=kind, question=node.question, fallbacks=notes))
        self.counters["factors"] += len(jobs)

        # 1. Statistics first.
        llm_jobs = []
        for job in jobs:
            est = self._from_statistics(job, networks[job.net], attributes[job.net])
            if est is not None:
                job.estimate = est
                self.counters["statistics_answers"] += 1
            else:
                llm_jobs.append(job)

        # 2. The model for the rest, then generalisation where samples stay too spread.
        self._estimate_with_model(llm_jobs, networks, rounds_left=self.config.max_generalise)

        # 3. No model count beyond the place it counts (or the world): the statistics bound
        # the model even where not asked to answer (a bound is no answer).
        for job in llm_jobs:
            if job.kind == "count" and job.estimate is not None and job.estimate.provenance.source == "llm":
                places = [a for a in attributes[job.net] if a.id in job.node.attribute_ids]
                bound, where = population_bound(self.statistics, places, job.question)
                job.estimate = bound_count(job.estimate, bound, where)

        # 4. Attach.
        by_net: dict[int, dict[str, _Job]] = {}
        for job in jobs:
            by_net.setdefault(job.net, {})[job.node.id] = job
        out = []
        for i, net in enumerate(networks):
            done = by_net.get(i, {})
            nodes = []
            for node in net.nodes:
                job = done.get(node.id)
                if job is None:
                    nodes.append(node)
                    continue
                update: dict[str, Any] = {"estimate": job.estimate}
                if job.new_question is not None:
                    update["question"] = job.new_question
                if job.new_parents is not None:
                    update["parents"] = job.new_parents
                if job.scenarios:
                    update["scenarios"] = job.scenarios
                nodes.append(node.model_copy(update=update))
            out.append(bound_k(Network(nodes=tuple(nodes)), self.statistics, attributes[i]))
        return out

    def _from_statistics(self, job: _Job, net: Network, attrs: list[Attribute]) -> Estimate | None:
        if self.statistics is None or not self.config.use_statistics:
            return None
        by_id = {a.id: a for a in attrs}
        target = tuple(by_id[a] for a in job.node.attribute_ids if a in by_id)
        given_ids = [a for p in job.node.parents for a in net.node(p).attribute_ids]
        given = tuple(by_id[a] for a in dict.fromkeys(given_ids) if a in by_id)
        sq = SubQuestion(node_id=job.node.id, kind=job.kind, target=target, given=given, text=job.question)
        try:
            est = self.statistics.estimate(sq)
        except KanonError as e:
            log.info("statistics declined node %s: %s", job.node.id, e.code)
            return None
        if est is None or est.kind != job.kind or est.provenance.guess:
            return None
        if est.low > 0 and math.log10(max(est.high, 1e-300) / est.low) > self.config.statistics_max_span_log10:
            return None  # too unsure to stand in for the model (a chain returns its best guess)
        if job.fallbacks:
            est = est.model_copy(update={"provenance": est.provenance.model_copy(
                update={"fallbacks": job.fallbacks + est.provenance.fallbacks})})
        return est

    def _sampling(self) -> dict[str, Any]:
        c = self.config
        return {"samples": c.samples, "first": c.first_samples, "agree": c.agree_log10,
                "temperature": c.temperature, "max_tokens": c.estimate_max_tokens or ESTIMATE.max_tokens}

    def _sample(self, questions: list[tuple[str, str]]) -> dict[tuple[str, str], _Sampled]:
        """Sample every distinct (question, kind): cache, then two batched rounds."""
        c = self.config
        results: dict[tuple[str, str], _Sampled] = {}
        todo: list[tuple[str, str]] = []
        keys: dict[tuple[str, str], str] = {}
        for q, kind in questions:
            key = EstimateCache.key(q, kind, self.backend.model_id, self._sampling())
            keys[(q, kind)] = key
            hit = self.cache.get(key)
            if hit is not None:
                results[(q, kind)] = _Sampled(samples=list(hit[0]), early=hit[1], cached=True)
            else:
                todo.append((q, kind))
        self.counters["llm_questions"] += len(todo)

        def run(items: list[tuple[str, str]], n: int) -> None:
            calls = [Call(context={"question": q, "kind": k}, check={"kind": k}, n=n) for q, k in items]
            outs = self.runner.run(ESTIMATE, calls, temperature=c.temperature, max_tokens=c.estimate_max_tokens)
            for item, out in zip(items, outs):
                r = results.setdefault(item, _Sampled())
                r.samples.extend(out.values)
                if not out.ok and not r.samples:
                    r.error = out.error

        run(todo, c.first_samples)
        more = []
        for item in todo:
            r = results[item]
            if not r.samples:
                continue
            logs = [_log10(s.value) for s in r.samples]
            if len(r.samples) >= c.first_samples and max(logs) - min(logs) <= c.agree_log10:
                r.early = c.first_samples < c.samples
                self.counters["early_stops"] += int(r.early)
            elif len(r.samples) < c.samples and c.samples > c.first_samples:
                more.append(item)
        if more:
            run(more, c.samples - c.first_samples)
        for item in todo:
            r = results[item]
            if r.samples:
                self.cache.put(keys[item], tuple(r.samples), r.early, model=self.backend.model_id,
                               prompt=ESTIMATE.prompt.ref)
        return results

    def _estimate_with_model(self, jobs: list[_Job], networks: list[Network], rounds_left: int,
                             split: bool = True) -> None:
        if not jobs:
            return
        distinct = list(dict.fromkeys((normalise_question(j.question), j.kind) for j in jobs))
        first_text = {}
        for j in jobs:
            first_text.setdefault((normalise_question(j.question), j.kind), j.question)
        self.counters["deduplicated"] += len(jobs) - len(distinct)
        sampled = self._sample([(first_text[d], d[1]) for d in distinct])
        by_norm = {(normalise_question(q), k): v for (q, k), v in sampled.items()}

        too_wide = []
        for job in jobs:
            r = by_norm[(normalise_question(job.question), job.kind)]
            if not r.samples:
                job.estimate = self._fallback(job, f"estimate: {r.error}")
                continue
            value, low, high, spread = aggregate(job.kind, r.samples)
            job.spread = spread
            notes = []
            if r.early:
                notes.append("stopped early")
            if r.cached:
                notes.append("cached")
            if job.new_question is not None:
                notes.append("generalised")
            job.estimate = Estimate(
                kind=job.kind, value=value, low=low, high=high,
                samples=tuple(min(s.value, 1.0) if job.kind == "fraction" else s.value for s in r.samples),
                provenance=Provenance(
                    component=COMPONENT, source="llm", model=self.backend.model_id,
                    prompt=ESTIMATE.prompt.ref, raw_value=value,
                    samples=tuple(s.value for s in r.samples), fallbacks=job.fallbacks,
                    note=f"{len(r.samples)} samples, log10 spread {spread:.2f}"
                         + (f"; {', '.join(notes)}" if notes else ""),
                ),
            )
            if spread > self.config.max_spread_log10 and rounds_left > 0 and job.kind == "fraction":
                too_wide.append(job)
        if too_wide and split and self.config.split:
            too_wide = self._split(too_wide, networks)
        if too_wide:
            self._generalise(too_wide, networks, rounds_left)

    def _split(self, jobs: list[_Job], networks: list[Network]) -> list[_Job]:
        """Split each too-wide share into disjoint scenarios and sum them; returns the jobs left unsettled.

        A split holds when every scenario was answered by the model within the
        spread allowed and their shares add up to at most 1 (disjoint cases of
        one population); otherwise the factor goes on to generalisation.
        """
        outs = self.runner.run(SPLIT, [Call(context={"question": j.question}) for j in jobs])
        left, tried = [], []
        for job, out in zip(jobs, outs):
            if not out.ok:
                left.append(job)
                continue
            parts: SplitOut = out.values[0]
            subs = [_Job(net=job.net, node=job.node, kind="fraction", question=q, fallbacks=job.fallbacks)
                    for q in dict.fromkeys(q.strip() for q in parts.scenarios)]
            tried.append((job, subs))
        if not tried:
            return left
        # One batch for every scenario of every factor; no nested split or generalisation.
        self._estimate_with_model([s for _, subs in tried for s in subs], networks, rounds_left=0, split=False)
        for job, subs in tried:
            ests = [s.estimate for s in subs]
            usable = len(subs) >= 2 and all(
                e is not None and e.provenance.source == "llm" and s.spread <= self.config.max_spread_log10
                for s, e in zip(subs, ests))
            total = sum(e.value for e in ests if e is not None)
            if not usable or total > 1.0 + 1e-9:
                left.append(job)
                continue
            self.counters["split"] += 1
            job.scenarios = tuple(Scenario(question=s.question, estimate=s.estimate) for s in subs)
            low = sum(e.low for e in ests if e is not None)
            high = min(1.0, sum(e.high for e in ests if e is not None))
            job.estimate = Estimate(
                kind="fraction", value=total, low=min(low, total), high=max(high, total),
                provenance=Provenance(
                    component=COMPONENT, source="derived", model=self.backend.model_id,
                    prompt=SPLIT.prompt.ref, raw_value=total, fallbacks=job.fallbacks,
                    note=f"sum of {len(subs)} scenarios (samples too spread, log10 {job.spread:.2f})",
                ),
            )
        return left

    def _generalise(self, jobs: list[_Job], networks: list[Network], rounds_left: int) -> None:
        """Ask for an easier question (drop a parent, widen a value) and estimate it again."""
        calls = []
        for job in jobs:
            net = networks[job.net]
            parents = job.new_parents if job.new_parents is not None else job.node.parents
            calls.append(Call(
                context={"question": job.question, "kind": job.kind,
                         "parents": [{"id": p, "question": net.node(p).question} for p in parents]},
                check={"parent_ids": list(parents)},
            ))
        retry = []
        for job, out in zip(jobs, self.runner.run(GENERALISE, calls)):
            if not out.ok:
                continue  # keep the wide estimate; its spread is its honesty
            g: GeneraliseOut = out.values[0]
            parents = job.new_parents if job.new_parents is not None else job.node.parents
            wide = job.estimate
            clone = _Job(net=job.net, node=job.node, kind=job.kind, question=g.question,
                         fallbacks=job.fallbacks, new_question=g.question,
                         new_parents=tuple(p for p in parents if p not in g.drop_parents))
            retry.append((job, clone, wide))
        if not retry:
            return
        self.counters["generalised"] += len(retry)
        self._estimate_with_model([c for _, c, _ in retry], networks, rounds_left - 1, split=False)
        for job, clone, wide in retry:
            if clone.estimate is not None and clone.estimate.provenance.source == "llm":
                job.estimate = clone.estimate
                job.question, job.new_question, job.new_parents = clone.question, clone.new_question, clone.new_parents

    def _fallback(self, job: _Job, reason: str) -> Estimate:
        """The category prior (or a wide guess) when the model's answer cannot be used."""
        self.counters["fallbacks"] += 1
        fallbacks = job.fallbacks + (reason,)
        if self.prior is not None:
            sq = SubQuestion(node_id=job.node.id, kind=job.kind, target=(), text=job.question)
            try:
                est = self.prior.estimate(sq)
            except KanonError:
                est = None
            if est is not None and est.kind == job.kind:
                return est.model_copy(update={"provenance": est.provenance.model_copy(
                    update={"fallbacks": fallbacks + est.provenance.fallbacks})})
        return guess_estimate(job.kind, fallbacks, note="model answer unusable; wide guess")


def _to_network(out: DecomposeOut, call: Call) -> Network:
    """The model's four parts as a network, validated by bayesnet (cycles, parents, one base)."""
    nodes = []
    for i, f in enumerate(out.order):
        nodes.append(Node(
            id=f.node,
            role="base" if i == 0 else "factor",
            attribute_ids=tuple(f.attributes),
            parents=tuple(out.parents.get(f.node, ())),
            question=out.questions[f.node].strip(),
        ))
    net = Network(nodes=tuple(nodes))
    try:
        from bayesnet.validate import validate
    except ImportError:  # bayesnet not installed: the step's own checks stand
        return net
    validate(net)
    return net
