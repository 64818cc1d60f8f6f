"""Regression tests for the robustness review (../shared/ROBUSTNESS-REVIEW.md, issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk


# --- F1: a weight of 0 means the row is absent, in every estimator
@pytest.mark.parametrize("family,x,w", [
    ("uniform", [0.5, 1.0, 2.0, 100.0], [1, 1, 1, 0]),
    ("pareto", [0.01, 1.0, 2.0, 3.0], [0, 1, 1, 1]),
    ("normal", [0.01, 1.0, 2.0, 3.0], [0, 1, 1, 1]),
])
def test_zero_weight_is_absent_row(family: str, x: list[float], w: list[float]) -> None:
    kept = [v for v, wi in zip(x, w) if wi]
    a = mk.fit(x, family, weights=w)
    b = mk.fit(kept, family)
    assert a.params == pytest.approx(b.params, rel=1e-9)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-9)


def test_zero_weight_is_absent_row_grouped() -> None:
    x = [0.5, 1.0, 2.0, 100.0, 1.0, 2.0, 3.0]
    g = mk.fit(x, "uniform", weights=[1, 1, 1, 0, 1, 1, 1], by=[0, 0, 0, 0, 1, 1, 1])
    assert g.params.loc[0, "high"] == 2.0


def test_zero_weight_row_outside_support_is_ignored() -> None:
    res = mk.fit([-1.0, 1.0, 2.0, 3.0], "exponential", weights=[0, 1, 1, 1])
    assert res.params["rate"] == pytest.approx(0.5)


# --- F4: masked entries are missing values
def test_masked_array_mask_is_missing() -> None:
    x = np.ma.masked_array([1.0, 2.0, 3.0, 1000.0, 2.5], mask=[0, 0, 0, 1, 0])
    with pytest.raises(mk.DataError, match="missing"):
        mk.fit(x, "normal")
    assert mk.fit(x, "normal", nan_policy="omit").params["mu"] == pytest.approx(2.125)
    nomask = np.ma.masked_array([1.0, 2.0, 3.0])
    assert mk.fit(nomask, "normal").params["mu"] == pytest.approx(2.0)
