"""Registries of swappable components, one table per kind, by versioned name.

Each package registers its components in one explicit ``register()``
function (never at import time); ``register_all()`` calls them once. Names
carry a version (``rules.v1``, ``minilm-bio.v1``, ``census-tables.v1``): a
change of behaviour gets a new ``.vN`` and old names stay while stored
results cite them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from records.errors import UnknownComponentError

T = TypeVar("T")


class Registry(Generic[T]):
    """A table of factories for one kind of component."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, factory: Callable[..., T], *, aliases: tuple[str, ...] = ()) -> None:
        if name in self._factories:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._factories[name] = factory
        for a in aliases:
            self._aliases[a] = name

    def resolve(self, name: str) -> str:
        """The registered name for ``name`` or one of its aliases."""
        register_all()
        if name in self._factories:
            return name
        if name in self._aliases:
            return self._aliases[name]
        raise UnknownComponentError(self.kind, name, list(self._factories) + list(self._aliases))

    def create(self, name: str, **config: Any) -> T:
        return self._factories[self.resolve(name)](**config)

    def names(self) -> list[str]:
        register_all()
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        try:
            self.resolve(str(name))
        except UnknownComponentError:
            return False
        return True


detectors: Registry[Any] = Registry("detector")
estimators: Registry[Any] = Registry("estimator")
llm_backends: Registry[Any] = Registry("llm backend")
reasoners: Registry[Any] = Registry("reasoner")

_lock = threading.Lock()
_registered = False
# Modules that expose a ``register()``; each adds its own components. A module
# that is missing (an optional part not yet installed) is skipped.
_PROVIDERS: tuple[str, ...] = (
    "reasoners.detector",
    "reasoners.estimators",
    "reasoners.llm",
    "reasoners.statistical",
    "reasoners.branch",
)


def register_all() -> None:
    """Register every built-in component once (guarded against running twice)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        import importlib

        for mod_name in _PROVIDERS:
            try:
                mod = importlib.import_module(mod_name)
            except ModuleNotFoundError as e:
                if e.name and mod_name.startswith(e.name):
                    continue
                raise
            register = getattr(mod, "register", None)
            if register is not None:
                register()
        _registered = True
