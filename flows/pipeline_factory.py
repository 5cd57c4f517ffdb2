"""How a flow obtains the pipeline it runs: by a factory reference, never by reading settings.

A flow receives ``pipeline`` (a ``"module:callable"`` reference) and
``options`` (a small dict of component choices: names, numbers, flags).
Both are flow-run parameters, so both are visible in Prefect: they must hold
no text and no secrets. The factory is called as ``factory(**options)`` and
returns a ``Pipeline``; the shell provides the default one,
``flows.components:pipeline_from_options``, which reads the worker's
settings (``KANON_*``, ``kanon.toml``, secrets included) and applies the
options as overrides. Tests and other deployments name their own factory.

Building a pipeline loads models, so it is done once per process and
reference (``load_pipeline`` memoises), whichever task runner asks.
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any, Protocol, runtime_checkable

from records.errors import InputError, KanonError
from records.types import Assessment, Disclosure, Post

DEFAULT_FACTORY = "flows.components:pipeline_from_options"
OptionValue = str | int | float | bool | None
MAX_OPTION_CHARS = 200  # options are names and numbers; anything longer is refused


@runtime_checkable
class Pipeline(Protocol):
    """What the flows run (built by ``flows.components``)."""

    version: str  # the pipeline version results are stored under
    versions: dict[str, str]  # component -> name@version

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]: ...

    def assess(
        self, posts: list[Post], disclosures: list[list[Disclosure]] | None = None
    ) -> list[Assessment | KanonError]:
        """With ``disclosures`` (one list per post, found earlier), the detector is not run again."""
        ...



def check_options(options: dict[str, Any] | None) -> dict[str, OptionValue]:
    """Options must be short scalars: they are stored by Prefect with the flow run."""
    clean: dict[str, OptionValue] = {}
    for key, value in (options or {}).items():
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise InputError(f"pipeline option {key!r} must be a string, number or flag")
        if isinstance(value, str) and len(value) > MAX_OPTION_CHARS:
            raise InputError(f"pipeline option {key!r} is longer than {MAX_OPTION_CHARS} characters")
        clean[str(key)] = value
    return clean


def load_pipeline(factory: str = DEFAULT_FACTORY, options: dict[str, Any] | None = None) -> Pipeline:
    """The pipeline built by ``factory(**options)``, once per process."""
    opts = check_options(options)
    return _build(factory, json.dumps(opts, sort_keys=True))


@functools.lru_cache(maxsize=8)
def _build(factory: str, options_json: str) -> Pipeline:
    module_name, sep, attr = factory.partition(":")
    if not sep or not module_name or not attr:
        raise InputError(f"pipeline factory must be 'module:callable', got {factory!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise InputError(f"pipeline factory module {module_name!r} cannot be imported") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"pipeline factory {factory!r} is not a callable")
    pipeline = fn(**json.loads(options_json))
    if not isinstance(pipeline, Pipeline):
        raise InputError(f"pipeline factory {factory!r} did not return a Pipeline")
    # Load models and tables here, once, rather than in whichever task threads reach them first
    # (concurrent first uses would each build the same tables).
    load = getattr(pipeline, "load", None)
    if callable(load):
        load()
    return pipeline
