"""Language-model backends: OpenAI-compatible HTTP, local transformers, and the bundled SmolLM2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from records.errors import SettingsError
from reasoners.llm.base import Completion, GenerationRequest, LLMBackend, Message, Usage

__all__ = ["Completion", "GenerationRequest", "LLMBackend", "Message", "Usage", "backend_from_spec", "register"]


def _openai(base_url: str, model: str = "default", api_key: str | None = None, concurrency: int = 8,
            timeout: float = 60.0, max_retries: int = 3, **kw: Any) -> LLMBackend:
    from reasoners.llm.openai_http import OpenAIConfig, OpenAIHTTPBackend

    return OpenAIHTTPBackend(OpenAIConfig(base_url=base_url, model=model, api_key=api_key,
                                          concurrency=concurrency, timeout_s=timeout,
                                          max_retries=max_retries, **kw))


def _transformers(path: str, device: str = "auto", batch_size: int = 16, **kw: Any) -> LLMBackend:
    from reasoners.llm.local_transformers import TransformersBackend, TransformersConfig

    return TransformersBackend(TransformersConfig(path=str(path), device=device, batch_size=batch_size, **kw))


def _smollm2(device: str = "auto", batch_size: int = 16, **kw: Any) -> LLMBackend:
    from reasoners.llm.local_transformers import TransformersBackend, smollm2_config

    return TransformersBackend(smollm2_config(device=device, batch_size=batch_size, **kw))


def register() -> None:
    from reasoners.registry import llm_backends

    llm_backends.register("openai", _openai)
    llm_backends.register("transformers", _transformers)
    llm_backends.register("smollm2", _smollm2)


_HTTP_KEYS = {"model", "api_key", "concurrency", "timeout", "max_retries", "backoff_s", "backoff_max_s",
              "structured", "announce"}
_LOCAL_KEYS = {"device", "batch_size", "seed"}


def backend_from_spec(spec: str, **kw: Any) -> LLMBackend:
    """The backend for an ``--llm`` value: an http(s) URL, a model folder, or ``smollm2``.

    Keyword arguments that do not apply to the chosen kind (``device`` for a
    URL, ``api_key`` for a folder) are ignored, so the shell can pass all of them.
    """
    # The same factories as the registry's, called directly: building a
    # backend from a spec needs no other component to be registered.
    kw = {k: v for k, v in kw.items() if v is not None}
    if spec.startswith(("http://", "https://")):
        return _openai(base_url=spec, **{k: v for k, v in kw.items() if k in _HTTP_KEYS})
    local = {k: v for k, v in kw.items() if k in _LOCAL_KEYS}
    if spec == "smollm2":
        return _smollm2(**local)
    if Path(spec).is_dir():
        return _transformers(path=spec, **local)
    raise SettingsError("--llm must be an http(s) URL, an existing model folder, or 'smollm2'")
