"""Estimators in order: the first confident answer wins, and the provenance says who declined."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from records.errors import KanonError
from records.types import Estimate, SubQuestion
from reasoners.base import Estimator

log = logging.getLogger(__name__)


def confidence(est: Estimate) -> float:
    """How much an estimate can be trusted, from 0 (a guess) to 1 (a tight interval).

    One minus the orders of magnitude its interval spans, halved: a factor of
    ten between low and high scores 0.5; a guess scores 0.
    """
    if est.provenance.guess:
        return 0.0
    span = math.log10(max(est.high, 1e-300) / max(est.low, 1e-300)) if est.low > 0 else 3.0
    return max(0.0, min(1.0, 1.0 - span / 2.0))


@dataclass
class EstimatorChain:
    """Tries estimators in order.

    The first estimate with ``confidence >= min_confidence`` is returned; a
    less confident one is kept, and the most confident estimate found is
    returned when no estimator is confident enough. Each estimator tried
    before the winner is named in ``provenance.fallbacks`` with why it was
    passed over.
    """

    estimators: Sequence[Estimator]
    min_confidence: float = 0.5
    name: str = "chain"

    def estimate(self, question: SubQuestion) -> Estimate | None:
        tried: list[str] = []
        best: tuple[float, Estimate, int] | None = None
        for est in self.estimators:
            try:
                answer = est.estimate(question)
            except KanonError as e:
                log.warning("estimator %s failed on node %s: %s", est.name, question.node_id, e.code)
                tried.append(f"{est.name}: failed ({e.code})")
                continue
            if answer is None:
                tried.append(f"{est.name}: declined")
                continue
            conf = confidence(answer)
            if conf >= self.min_confidence:
                return self._stamp(answer, tried)
            tried.append(f"{est.name}: low confidence {conf:.2f}")
            if best is None or conf > best[0]:
                best = (conf, answer, len(tried))
        if best is None:
            return None
        _, answer, upto = best
        # Record every estimator tried except the one whose answer is used.
        fallbacks = [t for i, t in enumerate(tried) if i != upto - 1]
        return self._stamp(answer, fallbacks)

    @staticmethod
    def _stamp(answer: Estimate, tried: list[str]) -> Estimate:
        if not tried:
            return answer
        prov = answer.provenance.model_copy(update={"fallbacks": (*answer.provenance.fallbacks, *tried)})
        return answer.model_copy(update={"provenance": prov})
