"""Builds kanon's components from settings: the only place that turns names into objects."""

from __future__ import annotations

import logging
import sys

from records.errors import LLMRequiredError, ModelNotFoundError
from flows.settings import Settings
from reasoners import registry
from reasoners.pipeline import Pipeline

log = logging.getLogger(__name__)


def build_detector(settings: Settings, name: str | None = None):
    # None means "the configured one"; "" names nothing and is refused by the registry
    name = registry.detectors.resolve(settings.detector if name is None else name)
    if name == "rules.v1":
        return registry.detectors.create(name)
    try:
        return registry.detectors.create(
            name, model_path=settings.detector_path, encoder_path=settings.encoder_path, device=settings.device,
            runtime=settings.detector_runtime, precision=settings.detector_precision, cache_dir=settings.cache_dir,
        )
    except ModelNotFoundError as e:
        # The classifier is the default, but kanon must still run where no trained
        # model is available: say so and use the rules.
        print(f"kanon: {e.message}; using the rule detector", file=sys.stderr)
        return registry.detectors.create("rules.v1")


LLM_REASONERS = ("branch", "cot")


def build_reasoner(settings: Settings, name: str | None = None, *, announce: bool = True):
    """The reasoner ``name`` (default: ``settings.reasoner``), built from settings.

    ``branch`` and ``cot`` need ``settings.llm``; ``announce`` says on stderr
    when their text will leave the machine (once per run: pass False for the
    second reasoner of a comparison).
    """
    name = registry.reasoners.resolve(settings.reasoner if name is None else name)
    if name in LLM_REASONERS:
        return _llm_reasoner(settings, name, announce=announce)
    kw: dict = {}
    if name in ("statistical", "independent"):
        kw = {"microdata_path": settings.microdata_path, "facts_dir": settings.facts_dir}
    return registry.reasoners.create(name, **kw)


def build_llm_backend(settings: Settings, *, announce: bool = True):
    """The language-model backend of ``settings.llm``: an OpenAI-compatible URL, a folder, or smollm2."""
    from reasoners.llm import backend_from_spec
    from reasoners.llm.openai_http import is_local_url

    spec = settings.llm
    if not spec:
        raise LLMRequiredError("this reasoner needs a language model: give --llm "
                               "(an OpenAI-compatible URL, a local model folder, or smollm2)")
    remote = spec.startswith(("http://", "https://")) and not is_local_url(spec)
    if remote and announce:
        from urllib.parse import urlparse

        print(f"kanon: text will be sent to a remote language model at {urlparse(spec).hostname}",
              file=sys.stderr)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return backend_from_spec(
        spec, model=settings.llm_model or "default", api_key=key, concurrency=settings.llm_concurrency,
        timeout=settings.llm_timeout_s, max_retries=settings.llm_max_retries,
        announce=False,  # said here, at build time, once
        device=settings.device, seed=settings.seed,
    )


def build_statistics(settings: Settings):
    """The statistical reasoner's estimators, split into the chain without priors and the prior."""
    from reasoners.estimators import EstimatorChain, PriorEstimator, default_chain

    chain = default_chain(settings.microdata_path, settings.facts_dir)
    stats = [e for e in chain.estimators if not isinstance(e, PriorEstimator)]
    prior = next((e for e in chain.estimators if isinstance(e, PriorEstimator)), None)
    return EstimatorChain(stats, min_confidence=chain.min_confidence), prior


def _llm_reasoner(settings: Settings, name: str, *, announce: bool):
    from reasoners.branch import BranchConfig, BranchReasoner, CotReasoner, EstimateCache

    backend = build_llm_backend(settings, announce=announce)
    if name == "cot":
        return CotReasoner(backend)
    from storage.estimate_cache import store_for

    statistics, prior = build_statistics(settings)
    samples = settings.llm_samples
    config = BranchConfig(samples=samples, first_samples=min(3, samples),
                          use_statistics=settings.llm_statistics)
    return BranchReasoner(backend, config, statistics=statistics, prior=prior,
                          cache=EstimateCache(store=store_for(settings.database_url)))


def build_profiler(settings: Settings):
    from reasoners.profile import RuleProfiler

    return RuleProfiler()


def build_pipeline(
    settings: Settings, *, detector: str | None = None, reasoner: str | None = None, announce: bool = True
) -> Pipeline:
    return Pipeline(
        detector=build_detector(settings, detector),
        profiler=build_profiler(settings),
        reasoner=build_reasoner(settings, reasoner, announce=announce),
        max_chars=settings.max_text_chars,
        draws=settings.mc_samples,
        seed=settings.seed,
    )


def pipeline_from_options(
    *, detector: str | None = None, reasoner: str | None = None, **overrides: object
) -> Pipeline:
    """The pipeline a flow builds in its worker (``flows.pipeline_factory.DEFAULT_FACTORY``).

    Settings come from the worker's environment and ``kanon.toml`` (secrets
    included); the flow's options, which Prefect stores with the run and so
    hold only names and numbers, override them.
    """
    from flows.settings import load_settings

    return build_pipeline(load_settings(**overrides), detector=detector, reasoner=reasoner)
