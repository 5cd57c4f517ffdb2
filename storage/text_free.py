"""What may be stored beside a post: its assessment, with nothing of its words.

The text lives in one column (``posts.text``), which ``forget`` deletes.
An assessment's body and factor rows are derived data and must not hold a
copy: a profiled value whose span did not normalise is the span itself, and
a model (BRANCH, chain-of-thought) writes questions and reasons that may
quote the post. ``text_free`` is applied to everything ``save_assessment``
writes, whatever reasoner produced it:

- an attribute without facets (nothing normalised) keeps its category and
  loses its value;
- any string that shares a run of ``RUN`` consecutive words with the post's
  text is replaced by ``WITHHELD``, unless the run lies inside a typed
  value kanon produced itself (a gazetteer place such as "New York City",
  an OEWS title, a condition from kanon's list), which is vocabulary, not
  the author's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["RUN", "WITHHELD", "text_free"]

RUN = 3
WITHHELD = "[withheld: words of the post]"
# Facets filled from kanon's own tables (never copied from the span).
_TYPED_FACETS = ("place", "region", "occupation", "group", "condition", "ethnicity")
_WORD = re.compile(r"\w+")


def _grams(text: str, typed: list[re.Pattern[str]]) -> set[tuple[str, ...]]:
    # A typed value reads as one token, the same in the post and in the body:
    # "in New York City" then shares no run with "live in New York City".
    for pattern in typed:
        text = pattern.sub(" kanontypedvalue ", text)
    words = _WORD.findall(text.casefold())
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def text_free(body: dict[str, Any], texts: Iterable[str]) -> dict[str, Any]:
    """``body`` (an assessment as JSON) with every copy of the posts' words withheld."""
    attributes = [a for a in body.get("attributes") or () if isinstance(a, dict)]
    values = {v for a in attributes for key in _TYPED_FACETS
              if isinstance(v := (a.get("facets") or {}).get(key), str) and v.strip()}
    typed = [re.compile(rf"(?<!\w){re.escape(v)}(?!\w)", re.IGNORECASE) for v in sorted(values, key=len, reverse=True)]
    leaking: set[tuple[str, ...]] = set()
    for t in texts:
        leaking |= _grams(t, typed)

    def clean(x: Any) -> Any:
        if isinstance(x, str):
            return WITHHELD if leaking and not _grams(x, typed).isdisjoint(leaking) else x
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    out = clean(body)
    for a in out.get("attributes") or ():
        if isinstance(a, dict) and not a.get("facets"):
            a["value"] = WITHHELD
    return out
