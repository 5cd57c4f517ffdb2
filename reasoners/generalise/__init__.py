"""Saying a detail more broadly: one generaliser for k, the contributions, the rewrites and the page.

- ``ladders``: the tables (SOC major groups, age bands and life stages, continents);
- ``attributes``: a wider ``Attribute`` (for k with a detail widened);
- ``rewrites``: wider words for a span, and applying them to the text;
- ``llm_rewrites``: the language model's rewrites (a pinned prompt and its parse).
"""

from reasoners.generalise.attributes import generalise
from reasoners.generalise.rewrites import Candidate, apply, suggest

__all__ = ["Candidate", "apply", "generalise", "suggest"]
