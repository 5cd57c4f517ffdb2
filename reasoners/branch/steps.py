"""The typed LLM steps of BRANCH: each a prompt, an output schema and ``parse(text) -> Out``.

``parse`` turns a model's text into the step's typed output or raises
``ParseError(step, field)``; messages name the step and the field, never the
text. Checks that need the step's input (attribute ids, the kind of answer)
take it as ``context``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from records.errors import KanonError, ParseError
from reasoners.branch.prompts import Prompt, load_prompt

Out = TypeVar("Out", bound=BaseModel)

__all__ = [
    "Step", "DecomposeOut", "EstimateOut", "GeneraliseOut", "SplitOut", "CotOut",
    "DECOMPOSE", "ESTIMATE", "GENERALISE", "SPLIT", "COT", "extract_json",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# --- outputs -----------------------------------------------------------------


class Selection(_Out):
    use: list[str]
    ignore: list[str] = Field(default_factory=list)


class OrderedFactor(_Out):
    node: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    attributes: list[str] = Field(default_factory=list)


class DecomposeOut(_Out):
    """Four separate parts of one answer: select, order, parents, questions."""

    select: Selection
    order: list[OrderedFactor] = Field(min_length=1, max_length=20)
    parents: dict[str, list[str]] = Field(default_factory=dict)
    questions: dict[str, str]


class EstimateOut(_Out):
    value: float
    low: float | None = None
    high: float | None = None
    confidence: float | None = None


class GeneraliseOut(_Out):
    question: str = Field(min_length=5, max_length=400)
    drop_parents: list[str] = Field(default_factory=list)


class SplitOut(_Out):
    scenarios: list[str] = Field(min_length=2, max_length=4)


class CotOut(_Out):
    reasoning: str = ""
    k: float


# --- parsing -----------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def extract_json(step: str, text: str) -> Any:
    """The first JSON object in ``text`` (fences and surrounding prose tolerated)."""
    m = _FENCE.search(text)
    if m:
        text = m.group(1)
    start = text.find("{")
    if start < 0:
        raise ParseError(step, "json", "no JSON object in the answer")
    try:
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as e:
        raise ParseError(step, "json", f"invalid JSON at character {e.pos}") from None
    if not isinstance(obj, dict):
        raise ParseError(step, "json", "the answer is not a JSON object")
    return obj


def _pydantic_error(step: str, e: ValidationError) -> ParseError:
    err = e.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "answer"
    # err["msg"] describes the rule broken; err["input"] (model output) is left out.
    return ParseError(step, field, err["msg"])


@functools.cache
def _json_schema(output: type[BaseModel]) -> dict[str, Any]:
    return output.model_json_schema()


@dataclass(frozen=True)
class Step(Generic[Out]):
    """One LLM step: its prompt, output type and sampling defaults."""

    name: str
    prompt: Prompt
    output: type[Out]
    max_tokens: int = 256
    temperature: float = 0.7

    @property
    def schema(self) -> dict[str, Any]:
        # Built once per output type: pydantic's schema generation costs milliseconds,
        # and every request of every round carries it. Read-only by convention.
        return _json_schema(self.output)

    def parse(self, text: str, context: dict[str, Any] | None = None) -> Out:
        obj = extract_json(self.name, text)
        try:
            out = self.output.model_validate(obj)
        except ValidationError as e:
            raise _pydantic_error(self.name, e) from None
        check = _CHECKS.get(self.name)
        if check is not None:
            check(out, context or {})
        return out


# --- checks that need the step's input ----------------------------------------


def _check_decompose(out: DecomposeOut, ctx: dict[str, Any]) -> None:
    known = set(ctx.get("attribute_ids", ()))
    for a in out.select.use:
        if a not in known:
            raise ParseError("decompose", "select.use", "an attribute id that is not in the input")
    if not out.select.use:
        raise ParseError("decompose", "select.use", "no attribute selected")
    nodes = [f.node for f in out.order]
    if len(set(nodes)) != len(nodes):
        raise ParseError("decompose", "order", "a node id appears twice")
    covered: set[str] = set()
    for f in out.order:
        for a in f.attributes:
            if a not in known:
                raise ParseError("decompose", f"order.{f.node}", "an attribute id that is not in the input")
            if a not in out.select.use:
                raise ParseError("decompose", f"order.{f.node}", "an attribute that was not selected")
            covered.add(a)
    missing = set(out.select.use) - covered
    if missing:
        raise ParseError("decompose", "order", f"{len(missing)} selected attribute(s) in no factor")
    for n, ps in out.parents.items():
        if n not in nodes:
            raise ParseError("decompose", "parents", "a node that is not in order")
        for p in ps:
            if p not in nodes:
                raise ParseError("decompose", f"parents.{n}", "a parent that is not in order")
    for n in nodes:
        q = out.questions.get(n, "")
        if not isinstance(q, str) or len(q.strip()) < 5:
            raise ParseError("decompose", f"questions.{n}", "missing or empty question")


def _check_estimate(out: EstimateOut, ctx: dict[str, Any]) -> None:
    kind = ctx.get("kind", "fraction")
    for name in ("value", "low", "high"):
        x = getattr(out, name)
        if x is None:
            continue
        if not math.isfinite(x):
            raise ParseError("estimate", name, "not a finite number")
        if kind == "fraction" and not 0.0 <= x <= 1.0:
            raise ParseError("estimate", name, "a fraction must be between 0 and 1")
        if kind == "count" and x < 1.0:
            raise ParseError("estimate", name, "a count of people must be at least 1")
    if out.low is not None and out.low > out.value:
        raise ParseError("estimate", "low", "low must not exceed value")
    if out.high is not None and out.high < out.value:
        raise ParseError("estimate", "high", "high must not be below value")
    if out.confidence is not None and not 0.0 <= out.confidence <= 1.0:
        raise ParseError("estimate", "confidence", "must be between 0 and 1")


def _check_generalise(out: GeneraliseOut, ctx: dict[str, Any]) -> None:
    parents = set(ctx.get("parent_ids", ()))
    for p in out.drop_parents:
        if p not in parents:
            raise ParseError("generalise", "drop_parents", "an id that is not a condition of this question")


def _check_cot(out: CotOut, ctx: dict[str, Any]) -> None:
    if not math.isfinite(out.k) or out.k < 1.0:
        raise ParseError("cot", "k", "k must be a finite number of at least 1")


_CHECKS: dict[str, Any] = {
    "decompose": _check_decompose,
    "estimate": _check_estimate,
    "generalise": _check_generalise,
    "cot": _check_cot,
}

DECOMPOSE = Step("decompose", load_prompt("decompose", 1), DecomposeOut, max_tokens=600, temperature=0.0)
ESTIMATE = Step("estimate", load_prompt("estimate", 1), EstimateOut, max_tokens=64, temperature=0.7)
GENERALISE = Step("generalise", load_prompt("generalise", 1), GeneraliseOut, max_tokens=128, temperature=0.0)
SPLIT = Step("split", load_prompt("split", 1), SplitOut, max_tokens=200, temperature=0.0)
COT = Step("cot", load_prompt("cot", 1), CotOut, max_tokens=400, temperature=0.0)
