"""Error responses: always JSON ``{"error": {"type", "message"}}``, never a traceback or the text.

Nor any other value the caller sent: a message names the field and the rule
it broke, never what was in it (an unknown reasoner's name, an extra field's
key), so that nothing a client wrote comes back in logs, proxies or pages.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from records.errors import (
    BackendError,
    EmptyTextError,
    InputError,
    KanonError,
    LLMRequiredError,
    TextTooLongError,
    UnknownComponentError,
)


def error_response(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"type": type_, "message": message}}, status_code=status, headers=headers)


def status_for(e: KanonError) -> int:
    """The HTTP status of a kanon error: 4xx for what the caller can fix."""
    if isinstance(e, (TextTooLongError, EmptyTextError)):
        return 422  # a field outside its schema (maxLength, minLength); 413 is for the body
    if getattr(e, "code", "") == "not_found":
        return 404
    if getattr(e, "code", "") == "too_many_runs":
        return 429
    if isinstance(e, (InputError, UnknownComponentError, LLMRequiredError)):
        return 400  # a reasoner this server cannot run is the caller's to change
    if isinstance(e, BackendError):
        return 503
    return 500


def public_message(e: KanonError) -> str:
    """The message a client sees: a kanon error's own, less any value the caller supplied."""
    if isinstance(e, UnknownComponentError):
        return f"unknown {e.kind}; known: {', '.join(e.known)}"
    if isinstance(e, LLMRequiredError):
        return "this reasoner needs a language model and this server has none configured (KANON_LLM)"
    return e.message


def kanon_error_response(e: KanonError) -> JSONResponse:
    status = status_for(e)
    headers = {}
    retry_after = getattr(e, "retry_after", None)
    if status in (429, 503) and retry_after:
        headers["Retry-After"] = str(int(retry_after) + 1)
    if status == 500:
        # An unexpected kanon error: its code is useful, its message is not promised text-free
        # beyond kanon's own rules, so it is kept anyway (messages never hold user text).
        return error_response(500, e.code, public_message(e))
    return error_response(status, e.code, public_message(e), headers or None)


def validation_message(errors: list[dict[str, Any]]) -> tuple[int, str, str]:
    """(status, type, message) for pydantic request errors; field names and reasons, never values."""
    if any(err.get("type") == "json_invalid" for err in errors):
        return 400, "bad_json", "the request body is not valid JSON"
    parts = []
    for err in errors[:5]:
        loc = [p for p in err.get("loc", ()) if p != "body"]
        if err.get("type") == "extra_forbidden":
            # the key is the caller's own text: say what is wrong, not what it was
            parts.append(f"{'.'.join(map(str, loc[:-1])) or 'body'}: a field this endpoint does not accept")
            continue
        parts.append(f"{'.'.join(map(str, loc)) or 'body'}: {err.get('msg', 'invalid')}")
    return 422, "validation_error", "; ".join(parts)
