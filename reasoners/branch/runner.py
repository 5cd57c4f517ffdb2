"""The one runner for every LLM step: render, generate in one batch, parse, repair once, report.

For each call the runner renders the step's prompt, sends all requests of
the batch to the backend together, and parses every sample (plus an
optional ``convert`` that may raise any ``KanonError``, such as a network's
``CycleError``). A call with no usable sample gets one repair request, with
the error shown to the model, again batched; a call that still fails comes
back with a text-free reason and the caller applies its typed fallback. A
backend error is never repaired: every call of the batch fails with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from records.errors import BackendError, KanonError
from reasoners.branch.steps import Step
from reasoners.llm.base import GenerationRequest, LLMBackend, Message

log = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["Call", "Outcome", "StepRunner", "RunnerStats"]

REPAIR = (
    "That answer could not be used: {error}. "
    "Reply again with one JSON object that follows the instructions, and nothing else."
)


@dataclass(frozen=True)
class Call:
    """One prompt to run: template variables, parse context and samples wanted."""

    context: dict[str, Any] = field(repr=False)
    check: dict[str, Any] = field(default_factory=dict, repr=False)
    n: int = 1


@dataclass
class Outcome(Generic[T]):
    values: list[T]  # the parsed (and converted) samples; empty when the call failed
    error: str | None = None  # text-free: "parse_error: step 'x', field 'y': ..." or a backend code
    repaired: bool = False
    completion_tokens: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.values)


@dataclass
class RunnerStats:
    requests: int = 0
    samples: int = 0
    parse_failures: int = 0  # samples that did not parse
    repairs: int = 0  # repair requests sent
    repaired: int = 0  # calls a repair rescued
    failed: int = 0  # calls with no usable sample after repair
    backend_errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class StepRunner:
    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend
        self.stats = RunnerStats()

    def _request(self, step: Step[Any], messages: tuple[Message, ...], n: int,
                 temperature: float | None, max_tokens: int | None) -> GenerationRequest:
        return GenerationRequest(
            messages=messages,
            n=n,
            max_tokens=max_tokens or step.max_tokens,
            temperature=step.temperature if temperature is None else temperature,
            json_schema=step.schema,
            schema_name=f"kanon_{step.name}",
        )

    def _parse(self, step: Step[Any], text: str, call: Call,
               convert: Callable[[Any, Call], Any] | None) -> Any:
        out = step.parse(text, call.check)
        return convert(out, call) if convert is not None else out

    def _generate(self, requests: list[GenerationRequest]) -> tuple[list[list[Any]] | None, str | None]:
        try:
            return self.backend.generate(requests), None
        except BackendError as e:
            self.stats.backend_errors += 1
            log.warning("step batch of %d requests failed: %s", len(requests), e.code)
            return None, e.code

    def run(
        self,
        step: Step[Any],
        calls: list[Call],
        *,
        convert: Callable[[Any, Call], Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> list[Outcome[Any]]:
        if not calls:
            return []
        messages = [step.prompt.render(**c.context) for c in calls]
        requests = [self._request(step, m, c.n, temperature, max_tokens) for m, c in zip(messages, calls)]
        self.stats.requests += len(requests)
        results, backend_error = self._generate(requests)
        if results is None:
            self.stats.failed += len(calls)
            return [Outcome(values=[], error=backend_error) for _ in calls]

        outcomes: list[Outcome[Any]] = []
        to_repair: list[tuple[int, str, str]] = []  # (call index, bad text, error)
        for i, (call, completions) in enumerate(zip(calls, results)):
            values, first_bad = [], None
            tokens = sum(c.completion_tokens for c in completions)
            for c in completions:
                self.stats.samples += 1
                try:
                    values.append(self._parse(step, c.text, call, convert))
                except KanonError as e:
                    self.stats.parse_failures += 1
                    if first_bad is None:
                        first_bad = (c.text, f"{e.code}: {e.message}")
            outcomes.append(Outcome(values=values, completion_tokens=tokens))
            if not values:
                bad_text, err = first_bad if first_bad else ("", "parse_error: the answer was empty")
                to_repair.append((i, bad_text, err))

        if not to_repair:
            return outcomes
        # One repair request per failed call, all in one batch, the error shown to the model.
        repair_reqs = []
        for i, bad_text, err in to_repair:
            msgs = messages[i] + (
                Message(role="assistant", content=bad_text),
                Message(role="user", content=REPAIR.format(error=err)),
            )
            repair_reqs.append(self._request(step, msgs, calls[i].n, temperature, max_tokens))
        self.stats.repairs += len(repair_reqs)
        self.stats.requests += len(repair_reqs)
        repaired, backend_error = self._generate(repair_reqs)
        for j, (i, _, err) in enumerate(to_repair):
            out = outcomes[i]
            out.repaired = True
            if repaired is None:
                out.error = backend_error
                self.stats.failed += 1
                continue
            last_err = err
            for c in repaired[j]:
                self.stats.samples += 1
                out.completion_tokens += c.completion_tokens
                try:
                    out.values.append(self._parse(step, c.text, calls[i], convert))
                except KanonError as e:
                    self.stats.parse_failures += 1
                    last_err = f"{e.code}: {e.message}"
            if out.values:
                self.stats.repaired += 1
            else:
                out.error = last_err
                self.stats.failed += 1
        return outcomes
