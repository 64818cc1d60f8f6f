"""The wider catalogue: the defective Gompertz, the generalised gamma's nestings, counts."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk


def test_gompertz_with_negative_shape_is_defective_and_fits() -> None:
    d = mk.Gompertz(shape=-0.5, rate=0.6)
    cure = math.exp(0.6 / -0.5)
    assert math.isclose(float(d.sf(1e8)), cure, rel_tol=1e-12)
    assert math.isinf(float(d.ppf(1.0 - cure / 2))) and math.isfinite(float(d.ppf(0.5)))
    x = d.sample(3000, rng=1)
    assert abs(np.isinf(x).mean() - cure) < 0.03
    c = 20.0
    data = mk.Data.right_censored(np.minimum(x, c), x < c)     # the cured never fail
    res = mk.fit(data, "gompertz")
    assert res.converged
    assert abs(res.params["shape"] + 0.5) < 4 * res.se["shape"]
    assert abs(float(res.dist.sf(1e9)) - cure) < 0.03
    assert mk.Gompertz(shape=-0.5, rate=0.6).mean() == math.inf


def test_gompertz_at_shape_zero_is_the_exponential() -> None:
    x = np.array([0.3, 1.2, 2.5])
    np.testing.assert_allclose(mk.Gompertz(shape=0.0, rate=0.7).logpdf(x),
                               mk.Exponential(rate=0.7).logpdf(x), rtol=1e-14)


@pytest.mark.parametrize("small", ["weibull", "lognormal", "gamma"])
def test_gengamma_nests_weibull_lognormal_gamma(small: str) -> None:
    x = mk.get_family(small).with_params(
        **{"weibull": {"shape": 1.7, "scale": 2.0}, "lognormal": {"mu": 0.4, "sigma": 0.7},
           "gamma": {"shape": 2.5, "scale": 1.1}}[small]).sample(400, rng=3)
    r = mk.fit(x, small)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = mk.fit(x, "gengamma")
    assert g.loglik >= r.loglik - 1e-7
    t = mk.lr_test(r, g)
    assert t.df == 1 and t.statistic >= -1e-7


def test_gengamma_small_q_is_continuous_with_the_lognormal() -> None:
    x = np.array([0.2, 1.0, 3.0])
    a = mk.GenGamma(mu=0.3, sigma=0.8, Q=1e-4).logpdf(x)
    b = mk.LogNormal(mu=0.3, sigma=0.8).logpdf(x)
    np.testing.assert_allclose(a, b, atol=1e-3)   # the difference is O(Q)


def test_counts_fit_with_trials_and_truncation() -> None:
    rng = np.random.default_rng(4)
    n = rng.integers(5, 20, 400)
    p = rng.beta(2.0, 3.0, 400)
    k = rng.binomial(n, p).astype(float)
    res = mk.fit(mk.Data(k, trials=n), "beta_binomial")
    assert res.converged
    same = mk.fit(k, "beta_binomial", trials=n)
    assert same.params == res.params
    with pytest.raises(mk.DataError, match="twice"):
        mk.fit(mk.Data(k, trials=n), "beta_binomial", trials=n)
    assert abs(res.params["a"] - 2.0) < 4 * res.se["a"]
    z = mk.ZTPoisson(rate=1.3).sample(2000, rng=5)
    assert z.min() >= 1
    rz = mk.fit(z, "zt_poisson")
    assert abs(rz.params["rate"] - 1.3) < 4 * rz.se["rate"]
    assert math.isclose(rz.dist.mean(), float(np.mean(z)), rel_tol=1e-6)   # the MLE matches the mean
    ls = mk.fit(mk.LogSeries(p=0.9).sample(2000, rng=6), "logseries")
    assert abs(ls.params["p"] - 0.9) < 4 * ls.se["p"]
    with pytest.raises(mk.DataError):
        mk.fit([0, 1, 2], "zt_poisson")


def test_compare_all_lists_skipped_families_with_reasons_and_keeps_a_time_budget() -> None:
    x = mk.Weibull3(shape=2.0, scale=10.0, threshold=5.0).sample(2000, rng=1)
    c = mk.compare(x, "all", gof=False)
    fitted = set(c.fits) | set(c.failed)
    assert {"weibull3", "gengamma", "burr12", "skew_normal", "gompertz"} <= fitted
    assert "count family" in c.skipped["poisson"] and "beta" in c.skipped
    assert c.best.family == "weibull3"
    quick = mk.compare(x, "all", gof=False, time_budget=0.0)
    assert len(quick.fits) == 1
    assert any("time budget" in why for why in quick.skipped.values())
    assert "skipped:" in str(quick)


def test_gengamma_grouped_fit_uses_the_analytic_derivatives_per_group() -> None:
    """Issue 11: per-group parameters got numerical derivatives (a grouped fit of 3-10 values
    cost ~1 s, 24 log-density calls per Newton step); the analytic ones now serve them, and each
    group's estimate is mk.fit's on its rows."""
    x = np.concatenate([mk.GenGamma(mu=1.0, sigma=0.5, Q=q).sample(200, rng=i)
                        for i, q in enumerate([0.5, -0.7, 1.5])])
    by = np.repeat([0, 1, 2], 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = mk.fit(x, "gengamma", by=by)
        for i in range(3):
            ref = mk.fit(x[by == i], "gengamma")
            assert g[i].method == "newton" and g[i].converged and ref.converged
            for p in ref.params:
                assert g[i].params[p] == pytest.approx(ref.params[p], rel=1e-8, abs=1e-10)
            assert g[i].loglik == pytest.approx(ref.loglik, rel=1e-10)


def test_burr12_small_sample_on_the_weibull_ridge_is_a_flagged_boundary() -> None:
    """Issue 11: three values whose maximum is the Weibull limit (d, scale -> inf) took Newton
    with numerical derivatives from 5 starts, then Nelder-Mead to its 12,000-step cap (~1 s in
    memory, 5-11 s grouped/streamed). With analytic derivatives Newton follows the ridge and
    stops at a boundary estimate, flagged, the same in memory and grouped."""
    x = np.array([1.5911273, 0.22716695, 2.1103099])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = mk.fit(x, "burr12")
        grp = mk.fit(x, "burr12", by=np.zeros(3, dtype=int))[0]
    for r in (mem, grp):
        assert r.method == "newton"
        assert any(d.code == "boundary" and d.param == "d" for d in r.diagnostics)
        assert r.params["d"] > 1e6 and all(math.isfinite(v) for v in r.params.values())
    assert grp.params["c"] == pytest.approx(mem.params["c"], rel=1e-6)
    assert grp.loglik == pytest.approx(mem.loglik, rel=1e-9)
    # the Weibull limit: the same log-likelihood as the Weibull fit
    assert mem.loglik == pytest.approx(mk.fit(x, "weibull").loglik, abs=1e-6)
