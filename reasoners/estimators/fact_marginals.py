"""Facts for both sexes, from a table's rows for women and for men.

Many tables give a share by age *and* sex (married among women of 40–44, and
among men). A question that knows the age but not the sex then matched only
the table's row for all ages, its age parent not conditioned on: for
"in my 40s, married" that is 0.51 (everyone over 15) where 0.85 holds, and
adding "woman" then *raised* the share, so saying more widened the crowd.
The two sexes' rows, averaged, are the answer for both sexes (the sexes are
near equal in number at the ages these tables cover); the interval is
widened for the weighting left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reasoners.estimators.facts import Fact

WIDEN_SEX_AVERAGE = 1.1


def both_sexes(facts: list[Fact]) -> list[Fact]:
    """A fact without its sex condition for each female/male pair that has no such row already."""

    def rest(f: Fact) -> tuple:
        return tuple(sorted(repr(c) for c in f.given if c.category != "Gender"))

    have = {(repr(f.target), rest(f), f.scope) for f in facts if not any(c.category == "Gender" for c in f.given)}
    pairs: dict[tuple, dict[str, Fact]] = {}
    for f in facts:
        sex = [c for c in f.given if c.category == "Gender"]
        if len(sex) != 1 or len(sex[0].tests) != 1 or sex[0].tests[0].facet != "sex":
            continue
        key = (repr(f.target), rest(f), f.scope, f.group.rsplit("|", 1)[-1])
        pairs.setdefault(key, {})[str(sex[0].tests[0].value)] = f
    out = []
    for key, by_sex in pairs.items():
        if set(by_sex) != {"female", "male"} or key[:3] in have:
            continue
        w, m = by_sex["female"], by_sex["male"]
        value = (w.value + m.value) / 2
        low = min(value, (w.low + m.low) / 2 / WIDEN_SEX_AVERAGE)
        high = max(value, min(1.0, (w.high + m.high) / 2 * WIDEN_SEX_AVERAGE))
        given = tuple(c for c in w.given if c.category != "Gender")
        out.append(replace(
            w, id=f"{w.id}+{m.id}", given=given, value=value, low=low, high=high,
            note=(w.note + "; " if w.note else "") + "both sexes: the mean of the rows for women and men",
            group=w.group + "|both sexes",  # the women's rows' bands stay one group
        ))
    return out
