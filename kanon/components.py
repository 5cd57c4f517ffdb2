"""Builds kanon's components from settings: the only place that turns names into objects."""

from __future__ import annotations

import logging
import sys

from kanon.errors import ModelNotFoundError
from kanon.settings import Settings
from reasoners import registry
from reasoners.pipeline import Pipeline

log = logging.getLogger(__name__)


def build_detector(settings: Settings, name: str | None = None):
    name = registry.detectors.resolve(name or settings.detector)
    if name == "rules.v1":
        return registry.detectors.create(name)
    try:
        return registry.detectors.create(
            name, model_path=settings.detector_path, device=settings.device
        )
    except ModelNotFoundError as e:
        # The classifier is the default, but kanon must still run where no trained
        # model is available: say so and use the rules.
        print(f"kanon: {e.message}; using the rule detector", file=sys.stderr)
        return registry.detectors.create("rules.v1")


def build_reasoner(settings: Settings, name: str | None = None):
    name = registry.reasoners.resolve(name or settings.reasoner)
    kw: dict = {}
    if name in ("statistical", "independent"):
        kw = {"microdata_path": settings.microdata_path, "facts_dir": settings.facts_dir}
    else:
        kw = {"settings": settings}
    return registry.reasoners.create(name, **kw)


def build_profiler(settings: Settings):
    from reasoners.profile import RuleProfiler

    return RuleProfiler()


def build_pipeline(
    settings: Settings, *, detector: str | None = None, reasoner: str | None = None
) -> Pipeline:
    return Pipeline(
        detector=build_detector(settings, detector),
        profiler=build_profiler(settings),
        reasoner=build_reasoner(settings, reasoner),
        max_chars=settings.max_text_chars,
        draws=settings.mc_samples,
        seed=settings.seed,
    )


def pipeline_from_options(
    *, detector: str | None = None, reasoner: str | None = None, **overrides: object
) -> Pipeline:
    """The pipeline a flow builds in its worker (``flows.pipelines.DEFAULT_FACTORY``).

    Settings come from the worker's environment and ``kanon.toml`` (secrets
    included); the flow's options, which Prefect stores with the run and so
    hold only names and numbers, override them.
    """
    from kanon.settings import load_settings

    return build_pipeline(load_settings(**overrides), detector=detector, reasoner=reasoner)
