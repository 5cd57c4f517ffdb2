"""kanon's typed errors: one family per kind of failure, each with a stable code.

A leaf module like ``records.types``: it imports nothing of the project, so
every stage may raise these. Messages carry ids, node and field names, sizes
and limits, never post text, span text or model output: an error message
ends up in logs, HTTP responses and Prefect's database.
"""

from __future__ import annotations


class KanonError(Exception):
    """Base of every error kanon raises on purpose."""

    code: str = "kanon_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The JSON shape used by ``--json`` output, batch error lines and the API."""
        return {"type": self.code, "message": self.message}


# --- the user's input ---------------------------------------------------------


class InputError(KanonError):
    """The caller's input cannot be processed (CLI exit 2, HTTP 4xx)."""

    code = "input_error"


class EmptyTextError(InputError):
    code = "empty_text"


class TextTooLongError(InputError):
    code = "text_too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"text has {length} characters; the limit is {limit}")
        self.length = length
        self.limit = limit


class EncodingError(InputError):
    code = "bad_encoding"


class MalformedInputError(InputError):
    """A line of an input file is not what it should be (the message names the line)."""

    code = "malformed_input"


# --- the network --------------------------------------------------------------


class NetworkError(KanonError):
    """A Bayesian network is not valid; the message names the node."""

    code = "network_error"


class CycleError(NetworkError):
    code = "cycle"


class MissingParentError(NetworkError):
    code = "missing_parent"


class DuplicateNodeError(NetworkError):
    code = "duplicate_node"


class ProbabilityError(NetworkError):
    code = "bad_probability"


class PopulationError(NetworkError):
    code = "bad_population"


class MissingEstimateError(ProbabilityError):
    """A node (or one of its scenarios) has no estimate where arithmetic needs one."""

    code = "missing_estimate"


# --- model backends -----------------------------------------------------------


class BackendError(KanonError):
    """A model backend failed. ``transient`` failures may be retried."""

    code = "backend_error"
    transient = False


class BackendTimeout(BackendError):
    code = "backend_timeout"
    transient = True


class BackendRateLimited(BackendError):
    code = "backend_rate_limited"
    transient = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendUnavailable(BackendError):
    code = "backend_unavailable"
    transient = True


class ParseError(KanonError):
    """A model's answer could not be parsed into the step's typed output."""

    code = "parse_error"

    def __init__(self, step: str, field: str, reason: str) -> None:
        super().__init__(f"step {step!r}, field {field!r}: {reason}")
        self.step = step
        self.field = field


# --- components, storage, settings -------------------------------------------


class UnknownComponentError(KanonError):
    code = "unknown_component"

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")
        self.kind = kind
        self.name = name
        self.known = sorted(known)


class ModelNotFoundError(KanonError):
    code = "model_not_found"


class StorageError(KanonError):
    code = "storage_error"


class SettingsError(KanonError):
    code = "bad_settings"


class LLMRequiredError(SettingsError):
    """A reasoner that asks a language model was chosen without one (``--llm``)."""

    code = "llm_required"


class BadLines(MalformedInputError):
    """Lines of an input file that are not posts; ``errors`` holds one text-free error per line."""

    code = "malformed_input"

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(f"{len(errors)} bad line(s); nothing was stored")
        self.errors = errors
