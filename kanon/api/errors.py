"""Error responses: always JSON ``{"error": {"type", "message"}}``, never a traceback or the text."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from records.errors import (
    BackendError,
    EmptyTextError,
    InputError,
    KanonError,
    TextTooLongError,
    UnknownComponentError,
)


def error_response(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"type": type_, "message": message}}, status_code=status, headers=headers)


def status_for(e: KanonError) -> int:
    """The HTTP status of a kanon error: 4xx for what the caller can fix."""
    if isinstance(e, TextTooLongError):
        return 413
    if isinstance(e, EmptyTextError):
        return 422
    if getattr(e, "code", "") == "not_found":
        return 404
    if getattr(e, "code", "") == "too_many_runs":
        return 429
    if isinstance(e, (InputError, UnknownComponentError)):
        return 400
    if isinstance(e, BackendError):
        return 503
    return 500


def kanon_error_response(e: KanonError) -> JSONResponse:
    status = status_for(e)
    headers = {}
    retry_after = getattr(e, "retry_after", None)
    if status in (429, 503) and retry_after:
        headers["Retry-After"] = str(int(retry_after) + 1)
    if status == 500:
        # An unexpected kanon error: its code is useful, its message is not promised text-free
        # beyond kanon's own rules, so it is kept anyway (messages never hold user text).
        return error_response(500, e.code, e.message)
    return error_response(status, e.code, e.message, headers or None)


def validation_message(errors: list[dict[str, Any]]) -> tuple[int, str, str]:
    """(status, type, message) for pydantic request errors; field names and reasons, never values."""
    if any(err.get("type") == "json_invalid" for err in errors):
        return 400, "bad_json", "the request body is not valid JSON"
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return 422, "validation_error", "; ".join(parts)
