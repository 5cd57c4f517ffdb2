"""Several spans, one detail: the mentions of an attribute, and the stretch of text a rewrite covers.

A post often says the same thing more than once ("in Lyon, France ... we live in
Lyon's 6th"). Leaving out one mention then changes nothing, and widening "Lyon"
to "France" beside ", France" reads "France, France". So advice is given per
detail: a rewrite covers the adjacent mentions together ("in Lyon, France" as one
stretch), and "leave it out" can take every mention at once.

Pure: offsets in, offsets and strings out.
"""

from __future__ import annotations

import re
from typing import Sequence

from records.types import Attribute, Disclosure
from reasoners.generalise.rewrites import apply

# What may stand between two mentions for them to read as one phrase ("Lyon, France").
_JOIN = re.compile(r"^[\s,]*$")


def other_mentions(attributes: Sequence[Attribute], i: int) -> list[int]:
    """The other disclosures that give an attribute that disclosure ``i`` gives."""
    out: set[int] = set()
    for at in attributes:
        if i in at.disclosure_ids:
            out.update(at.disclosure_ids)
    out.discard(i)
    return sorted(out)


def stretch(text: str, disclosures: Sequence[Disclosure], attributes: Sequence[Attribute], i: int) -> tuple[int, int]:
    """Offsets of disclosure ``i`` together with the mentions of its detail it runs into."""
    start, end = disclosures[i].start, disclosures[i].end
    others = sorted(other_mentions(attributes, i), key=lambda j: disclosures[j].start)
    grew = True
    while grew:
        grew = False
        for j in others:
            d = disclosures[j]
            if d.start >= end and _JOIN.match(text[end:d.start]):
                end, grew = d.end, True
            elif d.end <= start and _JOIN.match(text[d.end:start]):
                start, grew = d.start, True
            elif d.start < end and d.end > start and (d.start < start or d.end > end):
                start, end, grew = min(start, d.start), max(end, d.end), True  # overlapping
    if disclosures[i].label == "Location":
        end += _qualifier(text[end:])
    return start, end


def _qualifier(after: str) -> int:
    """Length of a place qualifier at the start of ``after`` (", France"), 0 when there is none.

    Only a qualifier that names a known place counts: "Leeds, Any tips?" is not one.
    Each ", Part" is tried from its longest run of capitalised words down.
    """
    from reasoners.normalise.places import resolve_place

    pos = 0
    while True:
        m = _PART.match(after, pos)
        if not m:
            return pos
        run: list[re.Match[str]] = []
        for w in _WORD.finditer(after, m.end()):  # lazily: the text may be long
            if run and after[run[-1].end():w.start()].strip():
                break
            if not w.group(0)[:1].isupper() or len(run) == 4:
                break
            run.append(w)
        for n in range(len(run), 0, -1):
            last = run[n - 1]
            # without a final full stop first (the sentence's), then with it ("Co.")
            for end in (last.end() - last.group(0).endswith("."), last.end()):
                if resolve_place(after[m.end():end]) is not None:
                    break
            else:
                continue
            pos = end
            break
        else:
            return pos


_PART = re.compile(r",\s*")
_WORD = re.compile(r"[\w.'-]+")


def as_one(disclosures: Sequence[Disclosure], i: int, start: int, end: int) -> Disclosure:
    """Disclosure ``i`` widened to [start, end) (for the generalisers, which read its span)."""
    return disclosures[i].model_copy(update={"start": start, "end": end})


def without(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with every span removed (overlaps merged), the seams tidied."""
    return removed(text, spans, [])[0]


def removed(text: str, spans: Sequence[tuple[int, int]],
            keep: Sequence[Disclosure]) -> tuple[str, list[Disclosure]]:
    """The text with every span removed, and the ``keep`` disclosures moved to their new offsets.

    A kept disclosure that overlaps a removed span, or whose words the tidying
    touched, is dropped: it is no longer there as it was.
    """
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    original = text
    moved = [(d, d.start, d.end) for d in keep if not any(d.start < e and d.end > s for s, e in merged)]
    for s, e in reversed(merged):  # from the end, so earlier offsets stay valid
        new = apply(text, s, e, "")
        delta = len(new) - len(text)
        moved = [(d, a + delta, b + delta) if a >= e else (d, a, b) for d, a, b in moved]
        text = new
    out = [d.model_copy(update={"start": a, "end": b}) for d, a, b in moved
           if 0 <= a < b <= len(text) and text[a:b] == original[d.start:d.end]]
    return text, out
