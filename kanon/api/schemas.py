"""The API's documented shapes: requests, responses and errors, as the OpenAPI document shows them.

The routes answer with the JSON of ``kanon.report`` (the same as ``kanon
assess --json``); the response models here describe its fields for clients
and for schema checks, and allow more (a field added later breaks no client).
Every status a route can return is listed with its body (``responses_for``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# --- requests -------------------------------------------------------------------------


# not empty, not only spaces, no NUL (refused alike on SQLite and PostgreSQL)
TEXT_RULES = {"minLength": 1, "allOf": [{"pattern": r"\S"}, {"pattern": r"^[^\x00]*$"}]}


class AssessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The limits are checked by kanon's own text check (typed errors: empty_text,
    # text_too_long); the schema states them so that a client knows them in advance.
    text: str = Field(description="The text to assess (the newest post, with a history).",
                      json_schema_extra=TEXT_RULES)
    history: list[str] | None = Field(
        default=None, description="Earlier texts by the same author, assessed together with `text`.",
    )
    reasoner: str | None = Field(default=None, max_length=64, description="The reasoner (default: the server's)")
    store: bool = Field(default=False, description="Keep the text and its assessment in kanon's store.")


class RewriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The text to rewrite.", json_schema_extra=TEXT_RULES)
    span_ids: list[int] | None = Field(
        default=None, max_length=50, description="Disclosure ids (from /v1/assess); default: the riskiest one."
    )
    reasoner: str | None = Field(default=None, max_length=64, description="The reasoner (default: the server's)")


def with_server_limits(doc: dict[str, Any], *, max_chars: int, max_history: int, reasoners: list[str]) -> dict[str, Any]:
    """The OpenAPI document with this server's own limits: text length, history size, reasoners.

    They depend on its settings (a reasoner that needs a model is listed only
    when the server has one), so they are written in when the document is made.
    """
    schemas = doc.get("components", {}).get("schemas", {})
    text_item = {"type": "string", **TEXT_RULES, "maxLength": max_chars}
    for name in ("AssessRequest", "RewriteRequest"):
        props = schemas.get(name, {}).get("properties", {})
        if "text" in props:
            props["text"]["maxLength"] = max_chars
        if "reasoner" in props:
            props["reasoner"]["anyOf"] = [{"type": "string", "enum": reasoners}, {"type": "null"}]
            props["reasoner"].pop("maxLength", None)
        if "history" in props:
            props["history"]["anyOf"] = [{"type": "array", "items": text_item, "maxItems": max_history - 1},
                                         {"type": "null"}]
    assess = schemas.get("AssessRequest")
    if assess is not None:
        # store keeps single texts only: a history with store=true is refused (400)
        assess["not"] = {"required": ["history", "store"],
                         "properties": {"history": {"type": "array", "minItems": 1}, "store": {"const": True}}}
    return doc


# --- responses ------------------------------------------------------------------------


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    type: str = Field(description="A stable code: empty_text, validation_error, unauthorized, busy, ...")
    message: str = Field(description="What is wrong, in words; never the text or another value sent")


class ErrorBody(BaseModel):
    error: ErrorDetail


class DisclosureRisk(_Open):
    disclosure_id: int
    label: str
    label_name: str = Field(description="The label in words, for people: 'partner (husband or boyfriend)'")
    k_without: float = Field(description="k of the text with this disclosure left out (what the removal rewrite gives)")
    factor: float = Field(description="k_without / k (at least 1): how much it narrows the crowd")
    attribute_ids: list[str]
    also_in: list[int] = Field(description="Other disclosures that give the same detail ('Lyon' said twice)")
    k_without_all: float | None = Field(None, description="k with every mention of the detail left out; only with also_in")
    factor_all: float | None = Field(None, description="k_without_all / k; only with also_in")


class Risk(_Open):
    level: str = Field(description="very high, high, moderate or low")
    meaning: str
    thresholds: dict[str, float] = Field(description="The largest k of each level")


class Assessment(_Open):
    k: float = Field(description="How many people in the world match everything disclosed (at least 1)")
    k_low: float
    k_high: float
    floor_applied: bool
    summary: str
    risk: Risk
    disclosures: list[dict[str, Any]]
    attributes: list[dict[str, Any]]
    factors: list[dict[str, Any]]
    contributions: list[dict[str, Any]]
    riskiest: dict[str, Any] | None
    detector: str
    reasoner: str
    warnings: list[str]
    contradictions: list[dict[str, Any]] = Field(
        default_factory=list,
        description="A history's superseded values: attribute, kind (update or contradiction), the post kept, "
                    "the other posts, where each was said (post id and offsets) and why")
    disclosure_risk: list[DisclosureRisk]


class Alternative(_Open):
    kind: str = Field(description="abstraction (wider words) or removal")
    scope: str = Field(description="'this mention' (with adjacent mentions of the same detail) or 'every mention'")
    replacement: str
    text: str = Field(description="The whole text with this rewrite")
    k: float
    k_low: float
    k_high: float


class Rewrite(_Open):
    disclosure_id: int
    label: str
    label_name: str
    start: int
    end: int
    factor: float
    alternatives: list[Alternative]


class Rewrites(_Open):
    k: float
    k_low: float
    k_high: float
    summary: str
    llm: bool | dict[str, Any] = Field(description="false without a language model; else its model and prompt")
    rewrites: list[Rewrite]
    reasoner: str
    detector: str


class Health(BaseModel):
    status: str
    pipeline: str | None = Field(description="The version of the pipeline answering (null while it loads)")


class RunAccepted(BaseModel):
    run_id: str = Field(description="The Prefect flow run id (or, with the thread runner, a run id of the API's)")
    status: str
    poll_url: str
    runner: str = Field(description="prefect (a flow run of assess_history) or thread (Prefect not reachable)")


class RunStatus(BaseModel):
    run_id: str
    status: str = Field(description="pending, running, done or failed")
    runner: str
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None


# --- statuses -------------------------------------------------------------------------

_ERROR_STATUSES: dict[int, str] = {
    400: "Bad JSON, an unknown reasoner, a reasoner this server has no model for, or another client mistake",
    401: "Missing or wrong API key",
    404: "No such run (unknown, expired, or its result was read), or no disclosure by a span id given",
    413: "Body too long (api_max_body_bytes)",
    422: "Empty or too long a text, or a field of the wrong type",
    429: "Rate limited, or too many failed authentications; see Retry-After",
    503: "At capacity (the work queue is full); see Retry-After",
}


def responses_for(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses ``statuses``, each with the error body."""
    return {s: {"model": ErrorBody, "description": _ERROR_STATUSES[s]} for s in statuses}
