"""BRANCH (an LLM builds a Bayesian network of the disclosures) and the chain-of-thought baseline."""

from __future__ import annotations

from typing import Any

from reasoners.branch.estimate_memo import EstimateCache, EstimateStore, MemoryStore
from reasoners.branch.cot import CotReasoner
from reasoners.branch.reasoner import BranchConfig, BranchReasoner

__all__ = ["BranchConfig", "BranchReasoner", "CotReasoner", "EstimateCache", "EstimateStore", "MemoryStore",
           "register"]


def _backend(llm: Any = None, **kw: Any) -> Any:
    from reasoners.llm import backend_from_spec

    if llm is None:
        from records.errors import SettingsError

        raise SettingsError("this reasoner needs a language model: set --llm (a URL, a folder or smollm2)")
    return backend_from_spec(llm, **kw) if isinstance(llm, str) else llm


def _default_estimators() -> tuple[Any | None, Any | None]:
    """The estimator chain without priors, and the prior, when reasoners.estimators is installed."""
    try:
        from reasoners.registry import estimators
    except ImportError:
        return None, None
    stats, prior = [], None
    try:
        names = estimators.names()
    except Exception as e:  # a broken optional component must not stop the model path
        import logging

        logging.getLogger(__name__).warning("estimators unavailable for branch: %s", type(e).__name__)
        return None, None
    for name in names:
        try:
            est = estimators.create(name)
        except Exception:  # an estimator whose data is missing here is skipped
            continue
        if name.startswith("prior"):
            prior = est
        else:
            stats.append(est)
    if not stats:
        return None, prior
    try:
        from reasoners.estimators import EstimatorChain

        return EstimatorChain(stats), prior
    except Exception:
        return None, prior


def _branch(llm: Any = None, samples: int = 5, statistics: Any = None, prior: Any = None,
            **kw: Any) -> BranchReasoner:
    """``statistics=False`` turns statistics-first off; None builds the installed estimators."""
    if statistics is None and prior is None:
        statistics, prior = _default_estimators()
    elif statistics is False:
        statistics = None
    return BranchReasoner(_backend(llm, **kw), BranchConfig(samples=samples, first_samples=min(3, samples)),
                          statistics=statistics, prior=prior)


def _cot(llm: Any = None, **kw: Any) -> CotReasoner:
    return CotReasoner(_backend(llm, **kw))


def register() -> None:
    from reasoners.registry import reasoners

    reasoners.register("branch", _branch, aliases=("branch.v1",))
    reasoners.register("cot", _cot, aliases=("cot.v1",))
