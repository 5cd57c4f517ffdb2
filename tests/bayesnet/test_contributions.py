"""Contributions: k without a detail (or with it widened) as the product reports it."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayesnet import contribution
from records.types import KInterval


def _base(k: float) -> KInterval:
    return KInterval(k=k, k_low=k / 2, k_high=k * 2, floor_applied=False)


def test_factor_is_how_much_the_detail_narrows_the_crowd():
    c = contribution("a1", (0, 2), _base(100.0), 5000.0, ("age -> its decade", 800.0))
    assert c.attribute_id == "a1" and c.disclosure_ids == (0, 2)
    assert c.k_without == 5000.0 and c.factor == pytest.approx(50.0)
    assert c.k_generalised == 800.0 and c.generalised_to == "age -> its decade"


@given(st.floats(1, 1e9), st.floats(0, 1e9), st.floats(0, 1e9))
def test_leaving_out_or_widening_never_makes_the_crowd_smaller(k, without, widened):
    c = contribution("a", (), _base(k), without, ("x", widened))
    assert c.k_without >= k and c.k_generalised >= k and c.factor >= 1.0


def test_a_bad_k_is_refused():
    with pytest.raises(ValueError):
        contribution("a", (), _base(10.0), math.nan)
