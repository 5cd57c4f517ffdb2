"""Grounded estimators: tables, facts, microdata and priors, chained in order."""

from __future__ import annotations

from pathlib import Path

from reasoners.estimators.census import CensusEstimator, CensusTables
from reasoners.estimators.chain import EstimatorChain, confidence
from reasoners.estimators.facts import FactsEstimator
from reasoners.estimators.microdata import MicrodataEstimator
from reasoners.estimators.nationals import NationalsEstimator
from reasoners.estimators.occupations import OccupationEstimator, OewsTables
from reasoners.estimators.priors import PriorEstimator

__all__ = [
    "CensusEstimator", "CensusTables", "EstimatorChain", "FactsEstimator", "MicrodataEstimator", "NationalsEstimator",
    "OccupationEstimator", "OewsTables", "PriorEstimator", "confidence", "default_chain", "register",
]


def default_chain(
    microdata_path: Path | str | None = None,
    facts_dir: Path | str | None = None,
    min_confidence: float = 0.5,
) -> EstimatorChain:
    """microdata (when configured) -> census tables -> OEWS occupations -> facts -> nationals -> priors."""
    census = CensusEstimator()
    ests: list = []
    if microdata_path is not None:
        ests.append(MicrodataEstimator(Path(microdata_path)))
    ests += [
        census,
        OccupationEstimator(census=census.tables),
        FactsEstimator(extra_dirs=(Path(facts_dir),) if facts_dir else ()),
        NationalsEstimator(),
        PriorEstimator(),
    ]
    return EstimatorChain(ests, min_confidence=min_confidence)


def register() -> None:
    from reasoners.registry import estimators

    estimators.register("census-tables.v1", lambda **kw: CensusEstimator(**kw))
    estimators.register("occupations-oews.v1", lambda **kw: OccupationEstimator(**kw))
    estimators.register(
        "facts.v1", lambda facts_dir=None, **kw: FactsEstimator(extra_dirs=(Path(facts_dir),) if facts_dir else (), **kw)
    )
    estimators.register("microdata.v1", lambda microdata_path, **kw: MicrodataEstimator(Path(microdata_path), **kw))
    estimators.register("nationals.v1", lambda **kw: NationalsEstimator(**kw))
    estimators.register("priors.v1", lambda **kw: PriorEstimator(**kw))
