"""What "said more broadly" means, written once: SOC major groups, age bands and stages, continents.

Both generalisers use these tables: ``attributes`` (an attribute's facets,
for k with a detail widened) and ``rewrites`` (the words of a span, for the
assistant's suggestions).
"""

from __future__ import annotations

# SOC 2018 major groups by the first two digits of a code: (group, a plain noun, a wider word).
SOC_GROUPS: dict[str, tuple[str, str, str]] = {
    "11": ("management", "manager", "professional"),
    "13": ("business and finance", "business and finance professional", "professional"),
    "15": ("computing and mathematics", "tech worker", "professional"),
    "17": ("architecture and engineering", "engineering professional", "professional"),
    "19": ("science", "scientist", "professional"),
    "21": ("community and social services", "social services worker", "professional"),
    "23": ("legal", "legal professional", "professional"),
    "25": ("education", "education worker", "professional"),
    "27": ("arts, media and sport", "creative professional", "professional"),
    "29": ("healthcare", "healthcare worker", "professional"),
    "31": ("healthcare support", "healthcare support worker", "worker"),
    "33": ("protective services", "protective services worker", "worker"),
    "35": ("food service", "food service worker", "worker"),
    "37": ("cleaning and maintenance", "building maintenance worker", "worker"),
    "39": ("personal care", "personal care worker", "worker"),
    "41": ("sales", "sales worker", "worker"),
    "43": ("office support", "office worker", "worker"),
    "45": ("farming and forestry", "farm worker", "worker"),
    "47": ("construction", "construction worker", "worker"),
    "49": ("installation and repair", "repair technician", "worker"),
    "51": ("production", "production worker", "worker"),
    "53": ("transport", "transport worker", "worker"),
    "55": ("military", "member of the armed forces", "worker"),
}

CONTINENTS = {
    "EU": "Europe", "AS": "Asia", "NA": "North America", "SA": "South America",
    "AF": "Africa", "OC": "Oceania", "AN": "Antarctica",
}


def soc_group(soc: str | None) -> tuple[str, str, str] | None:
    """The major group of a SOC code ("29-1141" -> healthcare), or None."""
    return SOC_GROUPS.get((soc or "")[:2])


def decade(age: int) -> int:
    return age // 10 * 10


def decade_band(low: int, high: int) -> tuple[int, int] | None:
    """The decade that holds [low, high] when it is narrower than one ("34" -> 30-39)."""
    d = decade(low)
    if high - low < 9 and high < d + 10:
        return d, d + 9
    return None


def life_stage(low: int, high: int) -> tuple[str, str] | None:
    """A life stage covering [low, high]: (adjective, predicate), e.g. ("adult", "an adult")."""
    if low >= 18:
        return "adult", "an adult"
    if low >= 13 and high <= 19:
        return "teenage", "a teenager"
    return None
