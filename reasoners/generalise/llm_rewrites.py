"""Rewrites by a language model, for the assistant: the prompt (pinned like every prompt) and the parse.

The prompt is ``reasoners/branch/prompts/rewrite.v1.j2``, versioned and
hashed in that folder's manifest; the caller sends it through any
``LLMBackend`` and re-scores each rewrite through the pipeline.
"""

from __future__ import annotations

import json
import re
from typing import Any

from records.types import Disclosure

MAX_LLM_REWRITES = 3
PROMPT_VERSION = 1


def rewrite_prompt(version: int = PROMPT_VERSION) -> Any:
    """The rewrite prompt (``reasoners.branch.prompts.Prompt``: ``id``, ``ref``, ``render``)."""
    from reasoners.branch.prompts import load_prompt

    return load_prompt("rewrite", version)


def rewrite_messages(prompt: Any, text: str, disclosure: Disclosure) -> Any:
    """The chat messages asking for rewrites of one disclosure of ``text``."""
    return prompt.render(label=disclosure.label, span=text[disclosure.start:disclosure.end], post=text)


def parse_rewrites(answer: str, span: str) -> list[str]:
    """Up to three distinct rewrites from a model's answer (JSON, or one per line as a fallback).

    A rewrite that repeats the span, is empty, or is far longer than the span is dropped.
    """
    found: Any = None
    m = re.search(r"\{.*\}", answer, re.S)
    if m:
        try:
            value = json.loads(m.group(0))
            found = value.get("rewrites") if isinstance(value, dict) else None
            found = found if isinstance(found, list) else []
        except json.JSONDecodeError:
            found = None
    if found is None:
        found = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line) for line in answer.splitlines()]
    out: list[str] = []
    for r in found:
        if not isinstance(r, str):
            continue
        r = r.strip().strip('"').strip()
        if not r or r.lower() == span.strip().lower() or len(r) > 2 * len(span) + 60:
            continue
        if r.lower() not in (o.lower() for o in out):
            out.append(r)
    return out[:MAX_LLM_REWRITES]
