"""The chain-of-thought baseline: one model call per text that states k directly.

Its network has a single base node whose count is k, so the rest of the
pipeline (combination, storage, reports) treats it like any other.
"""

from __future__ import annotations

from typing import Any

from records.types import Attribute, Estimate, Network, Node, Provenance
from reasoners.branch.fallback import guess_estimate
from reasoners.branch.runner import Call, StepRunner
from reasoners.branch.steps import COT
from reasoners.llm.base import LLMBackend

__all__ = ["CotReasoner"]

COMPONENT = "cot.v1"


class CotReasoner:
    name = COMPONENT

    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend
        self.runner = StepRunner(backend)
        self.counters = {"texts": 0, "fallbacks": 0}

    @property
    def usage(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.backend.usage.snapshot())
        out.update(self.counters)
        out.update({f"runner_{k}": v for k, v in self.runner.stats.as_dict().items()})
        return out

    def versions(self) -> dict[str, str]:
        return {"reasoner": COMPONENT, "model": self.backend.model_id, "prompt.cot": COT.prompt.ref}

    def decompose(self, attributes: list[Attribute]) -> Network:
        return Network(nodes=(Node(
            id="k", role="base", attribute_ids=tuple(a.id for a in attributes),
            question="How many living people match everything the author disclosed?",
        ),))

    def estimate(self, networks: list[Network], attributes: list[list[Attribute]]) -> list[Network]:
        self.counters["texts"] += len(networks)
        calls = [
            Call(context={"attributes": [{"category": a.category, "value": a.value} for a in attrs]})
            for attrs in attributes
        ]
        out = []
        for net, outcome in zip(networks, self.runner.run(COT, calls)):
            if outcome.ok:
                k = outcome.values[0].k
                est = Estimate(kind="count", value=k, low=k, high=k, samples=(k,), provenance=Provenance(
                    component=COMPONENT, source="llm", model=self.backend.model_id,
                    prompt=COT.prompt.ref, raw_value=k, samples=(k,),
                    fallbacks=("cot: repaired",) if outcome.repaired else (),
                ))
            else:
                self.counters["fallbacks"] += 1
                est = guess_estimate("count", (f"cot: {outcome.error}",), note="model answer unusable")
                # Unsure: lean towards risk (a small k), with the interval showing the ignorance.
                est = est.model_copy(update={"value": 1.0})
            base = net.base.model_copy(update={"estimate": est})
            out.append(Network(nodes=(base,) + tuple(n for n in net.nodes if n.role != "base")))
        return out
