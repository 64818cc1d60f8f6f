"""The non-parametric estimates behind the plots: ECDF, Kaplan–Meier, Turnbull."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk
from mlekit.plot import kaplan_meier, turnbull


def test_ecdf_without_censoring() -> None:
    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0])
    e = kaplan_meier(mk.Data(x))
    assert e.kind == "ecdf"
    np.testing.assert_allclose(e.x, [1, 2, 3, 5])
    np.testing.assert_allclose(e.cdf, [0.2, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(e([0.5, 1.0, 2.5, 9.0]), [0, 0.2, 0.6, 1.0])
    np.testing.assert_allclose(e.before([1.0, 2.0]), [0.0, 0.2])


def test_weights_equal_repetition() -> None:
    x = np.array([1.0, 2.0, 4.0])
    w = np.array([2.0, 1.0, 3.0])
    a = kaplan_meier(mk.Data(x, weights=w))
    b = kaplan_meier(mk.Data(np.repeat(x, w.astype(int))))
    np.testing.assert_allclose(a.cdf, b.cdf)


def test_kaplan_meier_matches_lifelines() -> None:
    lifelines = pytest.importorskip("lifelines")
    df = mk.datasets.lightbulbs()
    e = kaplan_meier(mk.datasets.lightbulbs(as_data=True))
    k = lifelines.KaplanMeierFitter().fit(df["hours"], df["failed"])
    sf = k.survival_function_.iloc[:, 0]
    ci = k.confidence_interval_
    np.testing.assert_allclose(1 - e.cdf, sf.loc[e.x].to_numpy(), atol=1e-12)
    # lifelines' default band is the log(-log) ("exponential") Greenwood band, as ours
    np.testing.assert_allclose(1 - e.upper, ci.iloc[:, 0].loc[e.x].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(1 - e.lower, ci.iloc[:, 1].loc[e.x].to_numpy(), atol=1e-12)


def test_km_hand_computed_with_ties() -> None:
    # events at 1, 2, 2; censored at 2 (deaths first), 3
    d = mk.Data.right_censored([1, 2, 2, 2, 3], observed=[1, 1, 1, 0, 0])
    e = kaplan_meier(d)
    np.testing.assert_allclose(e.x, [1, 2])
    np.testing.assert_allclose(1 - e.cdf, [4 / 5, 4 / 5 * (1 - 2 / 4)])
    np.testing.assert_allclose(e.at_risk, [5, 4])


def test_turnbull_equals_km_on_right_censored() -> None:
    d = mk.datasets.lightbulbs(as_data=True)
    km, tb = kaplan_meier(d), turnbull(d, tol=1e-13)
    np.testing.assert_allclose(tb(km.x), km(km.x), atol=1e-8)


def test_turnbull_binned_data_gives_bin_shares() -> None:
    rng = np.random.default_rng(5)
    x = rng.exponential(3.0, 400)
    lo = np.floor(x)
    d = mk.Data.interval(lo, lo + 1)  # (k, k+1]: disjoint bins
    tb = turnbull(d)
    shares = np.bincount(lo.astype(int)) / x.size
    shares = shares[shares > 0]
    np.testing.assert_allclose(np.sort(tb.mass), np.sort(shares), atol=1e-8)


def test_turnbull_is_the_npmle_kkt() -> None:
    """Self-consistency/KKT: sum_i w_i a_ij / (a_i . p) <= W, with equality where p_j > 0."""
    rng = np.random.default_rng(3)
    n = 120
    x = rng.weibull(1.5, n) * 10
    width = rng.uniform(0.5, 6, n)
    lo = np.maximum(x - width * rng.uniform(size=n), 0.0)
    hi = lo + width
    hi[rng.uniform(size=n) < 0.15] = np.inf
    exact = rng.uniform(size=n) < 0.2
    lo[exact] = hi[exact] = np.round(x[exact], 3)
    tb = turnbull(mk.Data.interval(lo, hi), tol=1e-13, maxiter=200000)
    assert tb.info["converged"]
    assert tb.mass is not None and tb.left is not None and tb.right is not None
    # containment of innermost interval j in (lo, hi] (exact rows: [x, x])
    L, R = tb.left, tb.right
    A = np.zeros((n, L.size))
    for i in range(n):
        if lo[i] == hi[i]:
            A[i] = (lo[i] == L) & (hi[i] == R)
        else:
            A[i] = (lo[i] <= L) & (hi[i] >= R) & ~((lo[i] == L) & (lo[i] == R))
    denom = A @ tb.mass
    assert np.all(denom > 0)
    grad = A.T @ (1.0 / denom)
    assert np.all(grad <= n * (1 + 1e-6))
    np.testing.assert_allclose(grad[tb.mass > 1e-6], n, rtol=1e-4)


def test_left_censored_uses_turnbull() -> None:
    d = mk.Data.left_censored([0.5, 1.0, 2.0, 3.0], observed=[0, 1, 1, 1])
    from mlekit.plot import empirical

    e = empirical(d)
    assert e.kind == "turnbull"
    assert e(10.0) == pytest.approx(1.0)
    assert e(1.0) == pytest.approx(0.5)  # the left-censored 0.5 and the 1.0
