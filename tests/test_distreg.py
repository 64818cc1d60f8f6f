"""Distributional regression (formulas= on any parameter), the ZeroInflated / Hurdle / Cure
wrappers, per-row predictions and nested tests. R references: test_distreg_reference.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import mlekit as mk

pytest.importorskip("formulaic")


@pytest.fixture(scope="module")
def life() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    d = pd.DataFrame({"x": rng.normal(size=n), "batch": rng.integers(0, 2, n)})
    T = np.exp(1 + 0.5 * d.x) * rng.weibull(np.exp(np.log(1.5) + 0.5 * d.batch))
    C = rng.uniform(0, 8, n)
    d["hours"] = np.minimum(T, C)
    d["failed"] = T <= C
    d["yc"] = 1 + 2 * d.x + rng.logistic(size=n) * np.exp(0.3 * d.batch)
    return d


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 800
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    pi = 1 / (1 + np.exp(-(-0.8 + 0.9 * d.z)))
    d["y"] = rng.poisson(np.exp(0.5 + 0.4 * d.x)) * (rng.uniform(size=n) > pi)
    return d


def _weibull_ll(d: pd.DataFrame, b: np.ndarray) -> float:
    scale = np.exp(b[0] + b[1] * d.x)
    shape = np.exp(b[2] + b[3] * d.batch)
    t, e = d.hours.to_numpy(), d.failed.to_numpy()
    return float(np.sum(np.where(e, st.weibull_min.logpdf(t, shape, scale=scale),
                                 st.weibull_min.logsf(t, shape, scale=scale))))


def test_shape_formula_names_and_optimum(life: pd.DataFrame) -> None:
    r = mk.regress("hours ~ x", life, "weibull", formulas={"shape": "~ batch"}, observed="failed")
    assert list(r.params) == ["Intercept", "x", "shape:Intercept", "shape:batch"]
    assert r.options["links"] == {"scale": "log", "shape": "log"}
    b = np.array(list(r.params.values()))
    assert r.loglik == pytest.approx(_weibull_ll(life, b), rel=1e-12)
    from scipy.optimize import minimize

    pol = minimize(lambda v: -_weibull_ll(life, v), b + 0.01, method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert r.loglik >= -pol.fun - 1e-8
    # profile intervals for coefficients bracket the estimate, near the Wald ones
    prof = r.ci(method="profile")
    wald = r.ci()
    for k, (lo, hi) in prof.items():
        assert lo < r.params[k] < hi
        assert lo == pytest.approx(wald[k][0], abs=0.2 * r.se[k])


def test_sandwich_and_shared_parameter(life: pd.DataFrame) -> None:
    r = mk.regress("hours ~ x", life, "weibull", observed="failed", cov="sandwich")
    assert r.cov_type == "sandwich" and list(r.params) == ["Intercept", "x", "shape"]
    assert all(np.isfinite(v) and v > 0 for v in r.se.values())


def test_user_family_numeric_matches_builtin(life: pd.DataFrame) -> None:
    fam = mk.Family.from_logpdf(lambda x, loc, scale: st.logistic.logpdf(x, loc, scale),
                                params={"loc": mk.Real, "scale": mk.Positive})
    a = mk.regress("yc ~ x", life, fam, formulas={"scale": "~ batch"})
    b = mk.regress("yc ~ x", life, mk.Logistic(), formulas={"scale": "~ batch"})
    for k in b.params:
        assert a.params[k] == pytest.approx(b.params[k], rel=1e-6, abs=1e-8)
        assert a.se[k] == pytest.approx(b.se[k], rel=1e-4)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_any_builtin_family(life: pd.DataFrame) -> None:
    r = mk.regress("yc ~ x", life, "cauchy")
    assert list(r.params) == ["Intercept", "x", "scale"] and r.converged
    assert r.params["x"] == pytest.approx(2.0, abs=0.3)


def test_nested_regressions_lr_test(life: pd.DataFrame) -> None:
    big = mk.regress("hours ~ x", life, "weibull", formulas={"shape": "~ batch"},
                     observed="failed")
    small = mk.regress("hours ~ x", life, "weibull", observed="failed")
    t = mk.lr_test(small, big)
    assert t.df == 1 and not t.boundary
    assert t.statistic == pytest.approx(2 * (big.loglik - small.loglik))
    assert mk.lr_test(big, small).statistic == t.statistic   # either order


def test_predict_params_and_quantiles(life: pd.DataFrame) -> None:
    r = mk.regress("hours ~ x", life, "weibull", formulas={"shape": "~ batch"}, observed="failed")
    new = pd.DataFrame({"x": [0.0, 1.0], "batch": [0, 1]})
    p = r.predict(new)
    assert list(p.columns) == ["scale", "shape"]
    assert p.scale[0] == pytest.approx(np.exp(r.params["Intercept"]))
    assert p["shape"][1] == pytest.approx(np.exp(r.params["shape:Intercept"] + r.params["shape:batch"]))
    q = r.predict(new, what="quantile", q=0.1, ci="wald")
    want = st.weibull_min.ppf(0.1, p["shape"], scale=p["scale"])
    assert np.allclose(q.estimate, want, rtol=1e-10)
    assert np.all(q.lower < q.estimate) and np.all(q.estimate < q.upper)
    # the interval at x = 0, batch = 0 agrees with the delta method by hand (log scale)
    b = r.params
    g = np.array([1.0, 0.0, 0.0, 0.0])
    z = np.log(-np.log(0.9))
    k = np.exp(b["shape:Intercept"])
    g[2] = -z / k * 1.0   # d log q / d shape:Intercept = -log(-log 0.9) / shape
    g[0] = 1.0
    se = float(np.sqrt(g @ r.cov @ g))
    assert np.log(q.upper[0] / q.estimate[0]) == pytest.approx(1.959964 * se, rel=1e-4)
    s = r.predict(new, what="sf", x=2.0, ci="wald")
    assert np.all((s.lower > 0) & (s.upper < 1))
    pp = r.predict(new, ci="wald")
    assert {"scale_lower", "shape_upper"} <= set(pp.columns)
    assert len(r.predict()) == len(life)


def test_interval_censored_response_and_errors(life: pd.DataFrame) -> None:
    d = life.assign(lo=life.hours.where(life.failed, life.hours),
                    hi=life.hours.where(life.failed, np.nan))
    a = mk.regress("t ~ x", d, "weibull", lower="lo", upper="hi")
    b = mk.regress("hours ~ x", life, "weibull", observed="failed")
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
    with pytest.raises(mk.ParameterError, match="both lower= and upper="):
        mk.regress("t ~ x", d, "weibull", lower="lo")
    with pytest.raises(mk.ParameterError, match="formulas names parameters"):
        mk.regress("hours ~ x", life, "weibull", formulas={"sigma": "~ x"})
    with pytest.raises(mk.ParameterError, match="already links"):
        mk.regress("hours ~ x", life, "weibull", formulas={"scale": "~ x"})
    with pytest.raises(mk.DataError, match="collinearity"):
        mk.regress("hours ~ x", life.assign(b2=2 * life.batch), "weibull",
                   formulas={"shape": "~ batch + b2"})


def test_all_zero_and_all_one_outcomes() -> None:
    d = pd.DataFrame({"x": np.arange(10.0), "y": np.zeros(10)})
    with pytest.raises(mk.DataError, match="all-zero outcome"):
        mk.regress("y ~ x", d, "poisson")
    with pytest.raises(mk.DataError, match="all-zero outcome"):
        mk.regress("y ~ x", d, "logistic")
    with pytest.raises(mk.DataError, match="all-one outcome"):
        mk.regress("y ~ x", d.assign(y=1.0), "logistic")


# ---------------------------------------------------------------------- wrappers
def test_zero_inflated_regression_with_zero_formula(counts: pd.DataFrame) -> None:
    r = mk.regress("y ~ x", counts, mk.ZeroInflated("poisson"), formulas={"zero_prob": "~ z"})
    assert list(r.params) == ["Intercept", "x", "zero_prob:Intercept", "zero_prob:z"]
    assert r.options["links"]["zero_prob"] == "logit"
    assert r.params["zero_prob:z"] == pytest.approx(0.9, abs=0.35)
    p = r.predict(pd.DataFrame({"x": [0.0], "z": [0.0]}))
    assert p.zero_prob[0] == pytest.approx(1 / (1 + np.exp(-r.params["zero_prob:Intercept"])))
    m = r.predict(pd.DataFrame({"x": [0.0], "z": [0.0]}), what="mean")
    assert m.estimate[0] == pytest.approx((1 - p.zero_prob[0]) * p.rate[0])
    small = mk.regress("y ~ x", counts, mk.ZeroInflated("poisson"))
    t = mk.lr_test(small, r)
    assert t.df == 1 and not t.boundary


def test_zero_inflated_vs_base_regression_boundary_null(counts: pd.DataFrame) -> None:
    zi = mk.regress("y ~ x", counts, mk.ZeroInflated("poisson"))
    base = mk.regress("y ~ x", counts, "poisson")
    t = mk.lr_test(base, zi)
    assert t.boundary and t.df == 1 and "chi-bar" in t.distribution
    assert t.p_value == pytest.approx(0.5 * st.chi2.sf(t.statistic, 1))


def test_wrappers_in_fit_compare_lr_test_and_bootstrap() -> None:
    rng = np.random.default_rng(0)
    y = rng.poisson(2.0, 1500) * (rng.uniform(size=1500) > 0.3)
    zi = mk.fit(y, mk.ZeroInflated("poisson"))
    assert list(zi.params) == ["rate", "zero_prob"] and zi.converged
    assert zi.params["zero_prob"] == pytest.approx(0.3, abs=0.04)
    # the ZIP MLE by hand: mean matches, and P(0) matches the zero fraction
    r, p = zi.params["rate"], zi.params["zero_prob"]
    assert (1 - p) * r == pytest.approx(y.mean(), rel=1e-6)
    assert p + (1 - p) * np.exp(-r) == pytest.approx(np.mean(y == 0), rel=1e-6)
    h = mk.fit(y, mk.Hurdle("poisson"))
    assert h.params["zero_prob"] == pytest.approx(np.mean(y == 0), rel=1e-8)
    assert h.loglik == pytest.approx(zi.loglik, rel=1e-9)   # one free parameter each: same fit
    t = mk.lr_test(mk.fit(y, "poisson"), zi)
    assert t.boundary and t.p_value < 1e-10
    cmp = mk.compare(y, ["poisson", mk.ZeroInflated("poisson")])
    assert cmp.best.family == "zero_inflated_poisson"
    ci = zi.ci(method="bootstrap", n_boot=40, rng=1)
    assert ci["zero_prob"][0] < p < ci["zero_prob"][1]


def test_zero_inflation_at_the_boundary_is_reported() -> None:
    y = np.random.default_rng(1).poisson(2.0, 1500)
    y[np.flatnonzero(y == 0)[:40]] = 1      # fewer zeros than a Poisson has: no excess
    with pytest.warns(mk.BoundaryWarning, match="zero_prob"):
        zi = mk.fit(y, mk.ZeroInflated("poisson"))
    assert "zero_prob" in zi.on_boundary
    t = mk.lr_test(mk.fit(y, "poisson"), zi)
    assert t.statistic == 0.0 and t.p_value == 1.0


def test_wrapper_distribution_functions() -> None:
    zi = mk.ZeroInflated("poisson", rate=2.0, zero_prob=0.25)
    k = np.arange(0, 30)
    pmf = zi.pmf(k)
    assert pmf.sum() == pytest.approx(1.0)
    assert pmf[0] == pytest.approx(0.25 + 0.75 * np.exp(-2.0))
    assert zi.cdf(3) == pytest.approx(pmf[:4].sum())
    assert zi.sf(3) == pytest.approx(1 - pmf[:4].sum())
    assert zi.mean() == pytest.approx(1.5)
    hu = mk.Hurdle("negative_binomial", mean=2.0, size=1.5, zero_prob=0.4)
    pmf = hu.pmf(k)
    assert pmf[0] == pytest.approx(0.4) and pmf.sum() == pytest.approx(1.0, abs=1e-6)
    assert hu.cdf(4) == pytest.approx(pmf[:5].sum())
    assert hu.ppf(0.3) == 0.0 and hu.ppf(0.5) >= 1
    s = hu.sample(20000, rng=2)
    assert np.mean(s == 0) == pytest.approx(0.4, abs=0.015)
    cu = mk.Cure("weibull", shape=1.5, scale=2.0, cure_prob=0.3)
    assert cu.sf(1e6) == pytest.approx(0.3)
    assert cu.sf(1.0) == pytest.approx(0.3 + 0.7 * np.exp(-(0.5 ** 1.5)))
    with pytest.raises(mk.FamilyError, match="wraps a plain family"):
        mk.ZeroInflated(mk.ZeroInflated("poisson"))


def test_analytic_wrapper_derivatives_match_numeric() -> None:
    from mlekit._core.domains import Positive, UnitInterval
    from mlekit._core.numdiff import numeric_derivs

    x = np.array([0.0, 0.0, 1.0, 3.0, 7.0])
    for fam, th in ((mk.ZeroInflated("negative_binomial"), (2.5, 1.7, 0.3)),
                    (mk.Hurdle("poisson"), (1.8, 0.35)), (mk.Hurdle("negative_binomial"),
                                                            (2.5, 1.7, 0.3))):
        doms = fam.domains
        free = list(range(len(th)))
        v, g, h = fam._d_logpdf(x, th, None)
        nv, ng, nh = numeric_derivs(lambda t, f=fam: f._logpdf(x, t, None), th, doms, free)
        assert np.allclose(v, nv)
        for i in free:
            assert np.allclose(g[i], ng[i], rtol=1e-6, atol=1e-7)
            for j in free:
                assert np.allclose(h[i][j], nh[i][j], rtol=1e-4, atol=1e-5)
    cu = mk.Cure("weibull")
    t = np.array([0.5, 1.0, 4.0])
    th = (1.4, 2.0, 0.3)
    for a, b in ((cu._d_logsf, cu._logsf), (cu._d_logpdf, cu._logpdf)):
        v, g, h = a(t, th, None)
        nv, ng, nh = numeric_derivs(lambda tt, b=b: b(t, tt, None), th, (Positive, Positive,
                                                                   UnitInterval), [0, 1, 2])
        for i in range(3):
            assert np.allclose(g[i], ng[i], rtol=1e-6, atol=1e-8)
            for j in range(3):
                assert np.allclose(h[i][j], nh[i][j], rtol=1e-4, atol=1e-6)


def test_cure_model_fit_and_regression() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    x = rng.normal(size=n)
    T = np.exp(0.7 + 0.4 * x) * rng.weibull(1.5, n)
    T[rng.uniform(size=n) < 0.3] = np.inf
    C = rng.uniform(0, 10, n)
    d = pd.DataFrame({"x": x, "t": np.minimum(T, C), "e": T <= C})
    r = mk.fit(mk.Data.right_censored(d.t, observed=d.e), mk.Cure("weibull"))
    assert list(r.params) == ["shape", "scale", "cure_prob"]
    assert r.params["cure_prob"] == pytest.approx(0.3, abs=0.05)
    g = mk.regress("t ~ x", d, mk.Cure("weibull"), observed="e")
    assert list(g.params) == ["Intercept", "x", "shape", "cure_prob"]
    assert g.params["x"] == pytest.approx(0.4, abs=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = g.predict(pd.DataFrame({"x": [0.0]}), what="sf", x=1e9)
    assert s.estimate[0] == pytest.approx(g.params["cure_prob"], rel=1e-6)


def test_predict_profile_intervals(life: pd.DataFrame) -> None:
    r = mk.regress("hours ~ x", life, "weibull", formulas={"shape": "~ batch"}, observed="failed")
    new = life.head(2)
    w = r.predict(new, what="quantile", q=0.1, ci="wald")
    p = r.predict(new, what="quantile", q=0.1, ci="profile")
    assert np.allclose(p.estimate, w.estimate)
    assert np.all(p.lower < p.estimate) and np.all(p.estimate < p.upper)
    assert np.allclose(p.lower, w.lower, rtol=0.05) and np.allclose(p.upper, w.upper, rtol=0.05)
    # one coefficient's function: the row's scale at x = 0 is exp(Intercept), whose profile
    # interval is exp of the Intercept's profile interval
    s = r.predict(pd.DataFrame({"x": [0.0], "batch": [0]}), what="scale", ci="profile")
    lo, hi = r.ci(method="profile")["Intercept"]
    assert s.scale_lower[0] == pytest.approx(np.exp(lo), rel=1e-4)
    assert s.scale_upper[0] == pytest.approx(np.exp(hi), rel=1e-4)


def test_review_findings_on_regress(life: pd.DataFrame) -> None:
    """ROBUSTNESS-REVIEW F2/F5 and the crash table, for mk.regress."""
    with pytest.raises(mk.DataError, match="every response is right-censored"):
        mk.regress("hours ~ x", life, "weibull", observed=np.zeros(len(life), bool))
    with pytest.raises(mk.DataError, match="sum to 0"):
        mk.regress("hours ~ x", life, "weibull", weights=np.zeros(len(life)))
    with pytest.raises(mk.DataError, match="one entry per row"):
        mk.regress("hours ~ x", life, "weibull", observed=np.ones(3))
    with pytest.raises(mk.DataError, match="one entry per row"):
        mk.regress("hours ~ x", life, "weibull", weights=np.ones(len(life) + 5))
    with pytest.raises(mk.DataError, match="numeric design matrix"):
        mk.regress(y=life.hours, X=np.array([["a", "b"]] * len(life)), family="weibull")
    r = mk.regress("hours ~ x", life, "weibull", observed="failed")
    assert all(np.isfinite(v) for pair in r.ci(method="profile").values() for v in pair)


def test_zero_inflated_continuous_regression_separates() -> None:
    """ZeroInflated(gamma) on the gamma's mean: the zeros and the positive part separate, so the
    coefficients equal a gamma regression on the positive rows and zero_prob the zero share
    (a wrapper of a reparameterised family used to be refused, and its score was nan at 0)."""
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=n)
    y = np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2.0, np.exp(0.5 + 0.3 * x) / 2.0))
    df = pd.DataFrame({"y": y, "x": x})
    zi = mk.regress("y ~ x", df, mk.ZeroInflated("gamma"))
    pos = mk.regress("y ~ x", df[df.y > 0], "gamma")
    assert zi.converged
    for k in ("Intercept", "x", "shape"):
        assert zi.params[k] == pytest.approx(pos.params[k], rel=1e-6, abs=1e-8)
    assert zi.params["zero_prob"] == pytest.approx(np.mean(y == 0), rel=1e-6)
    assert zi.loglik == pytest.approx(pos.loglik + np.sum(y == 0) * np.log(np.mean(y == 0))
                                      + np.sum(y > 0) * np.log1p(-np.mean(y == 0)), rel=1e-9)
