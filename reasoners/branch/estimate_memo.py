"""The sub-question estimate cache: a memory layer in front of a pluggable store.

Keys are sha256 digests of the normalised question, its kind, the estimate
step's prompt id@version and template hash, the model id and the sampling
parameters; values are the parsed samples only (numbers, never text). A
store is anything with ``get``/``put`` (``EstimateStore``): ``MemoryStore``
here, and an adapter over kanon's database in ``storage/estimate_cache.py`` (reasoners
does no storage I/O). A store that fails is logged by error code and treated
as a miss: a cache never fails an assessment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import OrderedDict
from typing import Any, Protocol, runtime_checkable

from records.errors import KanonError
from reasoners.branch.steps import ESTIMATE, EstimateOut

log = logging.getLogger(__name__)

__all__ = ["EstimateCache", "EstimateStore", "MemoryStore", "normalise_question"]


def normalise_question(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower()).rstrip(" ?.!")


@runtime_checkable
class EstimateStore(Protocol):
    """Where cached samples live beyond one process (or not)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any], *, model: str, prompt: str) -> None: ...


class MemoryStore:
    """The default store: a bounded dict, least recently used out first."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._data: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.max_entries = max_entries

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: str, value: dict[str, Any], *, model: str, prompt: str) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def _encode(samples: tuple[EstimateOut, ...], early: bool) -> dict[str, Any]:
    return {"samples": [s.model_dump() for s in samples], "early": early}


def _decode(value: dict[str, Any]) -> tuple[tuple[EstimateOut, ...], bool] | None:
    try:
        samples = tuple(EstimateOut.model_validate(s) for s in value["samples"])
        return (samples, bool(value.get("early", False))) if samples else None
    except (KeyError, TypeError, ValueError):
        return None  # an entry from an older layout: a miss, asked again


class EstimateCache:
    """Sampled answers by key: memory first, then the store (when one is given)."""

    def __init__(self, store: EstimateStore | None = None, max_entries: int = 100_000) -> None:
        self.memory = MemoryStore(max_entries)
        self.store = store
        self.hits = 0
        self.misses = 0
        self.store_hits = 0  # hits answered by the store, not memory
        self.store_errors = 0

    @staticmethod
    def key(question: str, kind: str, model_id: str, sampling: dict[str, Any]) -> str:
        payload = {
            "question": normalise_question(question),
            "kind": kind,
            "step": ESTIMATE.name,
            "prompt": ESTIMATE.prompt.id,
            "template": ESTIMATE.prompt.sha256,
            "model": model_id,
            "sampling": sampling,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def get(self, key: str) -> tuple[tuple[EstimateOut, ...], bool] | None:
        raw = self.memory.get(key)
        from_store = False
        if raw is None and self.store is not None:
            try:
                raw = self.store.get(key)
            except KanonError as e:
                self.store_errors += 1
                log.warning("estimate cache store unavailable: %s", e.code)
                raw = None
            from_store = raw is not None
        hit = _decode(raw) if raw is not None else None
        if hit is None:
            self.misses += 1
            return None
        self.hits += 1
        if from_store:
            self.store_hits += 1
            self.memory.put(key, raw, model="", prompt="")  # type: ignore[arg-type]
        return hit

    def put(self, key: str, samples: tuple[EstimateOut, ...], early: bool, *, model: str = "",
            prompt: str = ESTIMATE.prompt.ref) -> None:
        value = _encode(samples, early)
        self.memory.put(key, value, model=model, prompt=prompt)
        if self.store is not None:
            try:
                self.store.put(key, value, model=model, prompt=prompt)
            except KanonError as e:
                self.store_errors += 1
                log.warning("estimate cache store refused an entry: %s", e.code)

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
