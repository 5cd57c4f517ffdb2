"""Checks every door applies to what a user hands kanon: the text of a post, and its ids.

One definition for the CLI, the API, the flows and the store, so that a text
accepted on SQLite is accepted on PostgreSQL too: PostgreSQL refuses NUL
characters, and no UTF-8 encoder accepts a lone surrogate (what invalid bytes
in a command-line argument become). Messages name the problem and a size or
an offset, never the text.
"""

from __future__ import annotations

import re

from records.errors import EmptyTextError, EncodingError, MalformedInputError, TextTooLongError

MAX_ID_CHARS = 200  # the width of the store's id, author and source columns

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def check_text(text: object, max_chars: int | None) -> str:
    """The text of a post, or a typed error that says what is wrong with it (never the text)."""
    if not isinstance(text, str):
        raise EmptyTextError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise EmptyTextError("text is empty or only whitespace")
    if max_chars is not None and len(text) > max_chars:
        raise TextTooLongError(len(text), max_chars)
    m = _SURROGATE.search(text)
    if m:
        raise EncodingError(f"text is not valid Unicode (a lone surrogate at character {m.start()}; "
                            "was it decoded from bytes that are not UTF-8?)")
    i = text.find("\x00")
    if i >= 0:
        raise EncodingError(f"text holds a NUL character (at character {i})")
    return text


def check_identifier(value: object, field: str) -> str:
    """An id, author key or source: a short printable string (the store's columns hold 200)."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedInputError(f"{field!r} must be a non-empty string")
    if len(value) > MAX_ID_CHARS:
        raise MalformedInputError(f"{field!r} has {len(value)} characters; the limit is {MAX_ID_CHARS}")
    if _CONTROL.search(value) or _SURROGATE.search(value):
        raise MalformedInputError(f"{field!r} holds control characters or invalid Unicode")
    return value
