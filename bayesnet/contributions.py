"""Risk by disclosure: what leaving one detail out (or saying it more broadly) does to k.

Leaving an attribute out is not removing a node: the attribute may have been
merged into the base ("people living in Leeds"), and the factors after it
were conditioned on it. So the reasoner decomposes and estimates the
remaining attributes afresh (``reasoners.pipeline``), and this module turns
the resulting k values into ``Contribution`` records, with the two facts
that hold whatever Monte Carlo noise says: leaving a detail out never makes
the crowd smaller, and neither does saying it more broadly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from records.types import Contribution, KInterval

__all__ = ["contribution"]


def contribution(
    attribute_id: str,
    disclosure_ids: Sequence[int],
    base: KInterval,
    k_without: float,
    generalised: tuple[str, float] | None = None,
) -> Contribution:
    """The contribution of one attribute, given k with it (``base``), without it, and widened.

    ``generalised`` is (what was widened, k then), when the attribute has a
    wider form. Both k values are floored at ``base.k``.
    """
    if not (k_without >= 0 and math.isfinite(k_without)):
        raise ValueError(f"attribute {attribute_id!r}: k without it must be a finite count")
    k_without = max(k_without, base.k)
    k_general = None if generalised is None else max(generalised[1], base.k)
    return Contribution(
        attribute_id=attribute_id,
        disclosure_ids=tuple(disclosure_ids),
        k_without=k_without,
        factor=k_without / base.k if base.k > 0 else math.inf,
        k_generalised=k_general,
        generalised_to=None if generalised is None else generalised[0],
    )

