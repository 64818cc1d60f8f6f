"""The threshold search's pieces (issue 15, speed): the profile's slope by the envelope theorem
(`Threshold.threshold_slope` and the `_dy_logpdf` hook), the fused three-parameter Weibull
sums, and the large-sample path (subsamples, then Newton on all the data)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mlekit as mk
from mlekit._families.threshold import Threshold, weibull3_sums
from mlekit._families.threshold_fit import block_sums, inner_fit, shifted, threshold_limit
from mlekit._fit.likelihood import Likelihood

FAMILIES = ["weibull3", "lognormal3", "gamma3", "loglogistic3"]
BASE_PARAMS = {"weibull3": (1.7, 4.0), "lognormal3": (1.2, 0.6), "gamma3": (2.5, 1.5),
               "loglogistic3": (3.0, 4.0)}


@pytest.mark.parametrize("name", FAMILIES)
def test_analytic_dy_logpdf_matches_the_numerical_default(name: str) -> None:
    fam = mk.get_family(name)
    assert isinstance(fam, Threshold)
    assert type(fam)._dy_logpdf is not Threshold._dy_logpdf   # the family gives its formula
    y = np.geomspace(1e-3, 30.0, 57)
    th2 = BASE_PARAMS[name]
    np.testing.assert_allclose(fam._dy_logpdf(y, th2, None), Threshold._dy_logpdf(fam, y, th2, None),
                               rtol=1e-6, atol=1e-9)


def _data(kind: str) -> mk.Data:
    x = mk.Weibull3(shape=2.3, scale=10.0, threshold=50.0).sample(400, rng=21)
    if kind == "right":
        return mk.Data.right_censored(np.minimum(x, 60.0), x < 60.0)
    if kind == "left":
        return mk.Data.left_censored(np.maximum(x, 53.0), x > 53.0)
    if kind == "interval":
        lo = np.floor(x)
        return mk.Data.interval(lo, lo + 1.0)
    if kind == "weighted":
        return mk.Data(x, weights=np.random.default_rng(2).integers(1, 4, x.size))
    return mk.Data(x)


@pytest.mark.parametrize("kind", ["exact", "right", "left", "interval", "weighted"])
@pytest.mark.parametrize("name", FAMILIES)
def test_threshold_slope_is_the_loglik_derivative_in_the_threshold(name: str, kind: str) -> None:
    fam = mk.get_family(name)
    data = _data(kind)
    m = threshold_limit(data)
    th2 = BASE_PARAMS[name]
    base = fam.base
    free = list(range(len(th2)))

    def loglik(delta: float) -> float:
        return block_sums(base, shifted(data, m, delta), th2, 0, free)[0]

    delta, h = 2.0, 1e-5
    # threshold = m - delta: d/d threshold = -d/d delta
    fd = -(loglik(delta + h) - loglik(delta - h)) / (2 * h)
    got = fam.threshold_slope(shifted(data, m, delta), th2)
    assert math.isclose(got, fd, rel_tol=1e-6, abs_tol=1e-6 * (1 + abs(fd)))


@pytest.mark.parametrize("name", FAMILIES)
def test_envelope_slope_is_the_profile_derivative(name: str) -> None:
    fam = mk.get_family(name)
    data = _data("exact")
    m = threshold_limit(data)

    def profile(delta: float) -> tuple[float, dict[str, float]]:
        r = inner_fit(fam.base, data, m, delta, {}, None)
        assert r is not None and r[4]
        return r[1], r[0]

    delta, h = 3.0, 1e-4
    _, p = profile(delta)
    th2 = tuple(p[q] for q in fam.base.param_names)
    slope = fam.threshold_slope(shifted(data, m, delta), th2)
    fd = -(profile(delta + h)[0] - profile(delta - h)[0]) / (2 * h)
    assert math.isclose(slope, fd, rel_tol=1e-4, abs_tol=1e-5)


@pytest.mark.parametrize("weighted", [False, True])
def test_weibull3_fused_sums_match_the_generic_derivatives(weighted: bool) -> None:
    fam = mk.get_family("weibull3")
    x = mk.Weibull3(shape=2.0, scale=5.0, threshold=10.0).sample(500, rng=3)
    w = np.random.default_rng(4).integers(1, 4, x.size).astype(float) if weighted else None
    th = (1.8, 5.5, 9.6)
    ll, g, H = weibull3_sums(x, w, *th)
    xr = np.repeat(x, w.astype(int)) if w is not None else x
    lik = Likelihood(mk.get_family("weibull"), mk.Data(xr - th[2]))
    ll2, g2, H2 = lik.evaluate(th[:2], 2)
    assert math.isclose(ll, ll2, rel_tol=1e-12)
    np.testing.assert_allclose(g[:2], g2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(H[:2, :2], H2, rtol=1e-9, atol=1e-9)
    # the threshold's row against central differences of the fused gradient
    h = 1e-6
    gp = weibull3_sums(x, w, th[0], th[1], th[2] + h)[1]
    gm = weibull3_sums(x, w, th[0], th[1], th[2] - h)[1]
    np.testing.assert_allclose(H[:, 2], (gp - gm) / (2 * h), rtol=1e-5, atol=1e-5)
    lp = weibull3_sums(x, w, th[0], th[1], th[2] + h)[0]
    lm = weibull3_sums(x, w, th[0], th[1], th[2] - h)[0]
    assert math.isclose(g[2], (lp - lm) / (2 * h), rel_tol=1e-6)
    # the scratch arrays give the same sums
    out = weibull3_sums(x, w, *th, work=np.empty((5, x.size)))
    assert out[0] == ll and np.array_equal(out[1], g) and np.array_equal(out[2], H)
    blk = mk.Data(x, weights=w).exact
    fused = fam._exact_sums(blk, th)
    assert fused is not None and math.isclose(fused[0], ll, rel_tol=1e-12)
    assert fam._exact_sums(blk, (1.8, 5.5, float(x.min()))) is None   # a value at the threshold


def test_large_sample_ends_with_newton_on_all_the_data_at_a_stationary_point() -> None:
    x = mk.Weibull3(shape=2.5, scale=10.0, threshold=50.0).sample(40_000, rng=5)
    res = mk.fit(x, "weibull3")
    assert res.converged
    assert "Newton steps on all the data" in res.method and res.method.endswith("+ newton")
    lik = Likelihood(mk.get_family("weibull3"), mk.Data(x))
    _, g, H = lik.evaluate(tuple(res.params.values()), 2)
    se = np.array(list(res.se.values()))
    assert np.all(np.abs(g * se) < 1e-4), g
    assert np.all(np.linalg.eigvalsh(-H) > 0)
    # the same maximum as the search on all the data without subsamples (the small-sample path)
    fixed = mk.fit(x, "weibull3", fixed={"threshold": res.params["threshold"]})
    assert math.isclose(fixed.loglik, res.loglik, rel_tol=1e-12)


def test_subsample_grid_without_interior_maximum_hands_over_to_the_next_level() -> None:
    # normal data: the log-normal's threshold is weakly identified; a small subsample's profile
    # keeps rising towards -inf while all 20,000 values have an interior maximum
    x = np.random.default_rng(20000).normal(100.0, 1.0, 20_000)
    res = mk.fit(x, "lognormal3")
    codes = [d.code for d in res.diagnostics]
    assert res.converged and "boundary" not in codes
    assert res.loglik > mk.fit(x, "normal").loglik
