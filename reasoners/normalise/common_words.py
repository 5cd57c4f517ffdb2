"""How common a word is in English text (wordfreq's Zipf scale: 7 for "the", 3 for "farrier"-rare, 0 unseen).

A span that is one common word ("home", "back", "Alex") is almost never a
rare property of its author: a detector caught a stray word, or a given name
that some hamlet shares. Normalisers and the unknown-value policy ask this
before reading such a span as a small place or a rare job.
"""

from __future__ import annotations

import functools

# Zipf 4.5 is about 30 per million words: "bath", "victoria", "alex", "home" are above it,
# "farrier", "falconer", "ashburton", "krosno" well below.
COMMON_ZIPF = 4.5
# A single place name alone is read as a hamlet only below this: given names and
# everyday words of Zipf 3.5 and up ("Wick", "Alex", "Florence") need a qualifier.
PLACE_NAME_ZIPF = 3.5


@functools.lru_cache(maxsize=65536)
def zipf(phrase: str) -> float:
    """The phrase's Zipf frequency in English; 0.0 when wordfreq knows nothing of it."""
    from wordfreq import zipf_frequency  # loaded on first use: most texts never ask

    return float(zipf_frequency(phrase.strip(), "en"))


def is_common(phrase: str, threshold: float = COMMON_ZIPF) -> bool:
    return bool(phrase.strip()) and zipf(phrase) >= threshold
