"""The language-model backend contract: requests in, n sampled completions out.

A request holds chat messages, which carry user text: its ``repr`` shows
only their sizes. Backends count their own usage (calls, tokens) so that a
reasoner can report the cost of a run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from records.types import fingerprint

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    content: str = Field(repr=False)

    def __repr__(self) -> str:
        return f"Message(role={self.role!r}, content={fingerprint(self.content)})"

    __str__ = __repr__


class GenerationRequest(BaseModel):
    """One prompt, sampled ``n`` times."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    messages: tuple[Message, ...]
    n: int = Field(default=1, ge=1, le=64)
    max_tokens: int = Field(default=256, ge=1)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    json_schema: dict[str, Any] | None = Field(default=None, repr=False)  # structured output, when served
    schema_name: str = "answer"
    stop: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"GenerationRequest(messages={len(self.messages)}, n={self.n}, "
            f"max_tokens={self.max_tokens}, temperature={self.temperature})"
        )

    __str__ = __repr__


class Completion(BaseModel):
    """One sampled answer. ``text`` is model output and may quote the user."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(repr=False)
    finish_reason: str | None = None
    prompt_tokens: int = 0  # the request's prompt tokens, on its first completion only
    completion_tokens: int = 0

    def __repr__(self) -> str:
        return f"Completion(text={fingerprint(self.text)}, finish_reason={self.finish_reason!r})"

    __str__ = __repr__


@dataclass
class Usage:
    """Counters a backend keeps; read them after a run (``snapshot()``)."""

    calls: int = 0  # HTTP requests or generate() passes that reached the model
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, calls: int = 0, prompt_tokens: int = 0, completion_tokens: int = 0,
            retries: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.retries += retries

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "calls": self.calls,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "retries": self.retries,
            }


@runtime_checkable
class LLMBackend(Protocol):
    """Generates ``request.n`` completions for every request, in order."""

    name: str  # registered backend name, e.g. "openai"
    model_id: str  # the model, as it goes into cache keys and provenance
    usage: Usage

    def generate(self, requests: list[GenerationRequest]) -> list[list[Completion]]: ...


def user_messages(system: str, user: str) -> tuple[Message, ...]:
    return (Message(role="system", content=system), Message(role="user", content=user))
