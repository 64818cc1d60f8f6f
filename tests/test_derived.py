"""Derived quantities: estimates, delta-method SEs, and delta/profile/bootstrap intervals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import optimize, special, stats

import mlekit as mk

Z = stats.norm.ppf(0.975)
Q95 = stats.chi2.ppf(0.95, 1)


@pytest.fixture
def censored_weibull(rng: np.random.Generator) -> tuple[mk.FitResult, np.ndarray, np.ndarray]:
    t = rng.weibull(1.6, size=60) * 100.0
    c = rng.uniform(0, 200, size=60)
    y, obs = np.minimum(t, c), t <= c
    return mk.fit(mk.Data.right_censored(y, obs), "weibull"), y, obs


def test_exponential_mean(rng: np.random.Generator) -> None:
    x = rng.exponential(3.0, size=25)
    res = mk.fit(x, "exponential")
    d = res.derived("mean")
    assert d.estimate == pytest.approx(x.mean(), rel=1e-12)
    assert d.se == pytest.approx(x.mean() / math.sqrt(x.size), rel=1e-6)   # delta method
    assert d.method == "delta" and d.scale == "log"
    assert d.ci == pytest.approx((x.mean() * math.exp(-Z / 5), x.mean() * math.exp(Z / 5)), rel=1e-6)
    lo, hi = res.ci(method="profile")["rate"]
    assert res.derived("mean", method="profile").ci == pytest.approx((1 / hi, 1 / lo), rel=1e-9)
    ident = res.derived("mean", scale="identity")
    assert ident.ci == pytest.approx((d.estimate - Z * d.se, d.estimate + Z * d.se), rel=1e-12)


def test_callable_equals_named_and_parameter_profile(censored_weibull) -> None:
    res, _, _ = censored_weibull
    named = res.derived("mean")
    fn = res.derived(lambda p: p["scale"] * math.gamma(1 + 1 / p["shape"]), name="mean life")
    assert fn.name == "mean life" and fn.estimate == pytest.approx(named.estimate, rel=1e-12)
    assert fn.se == pytest.approx(named.se, rel=1e-6)
    # delta SE against the analytic gradient
    k, lam = res.params["shape"], res.params["scale"]
    g = np.array([-lam * special.gamma(1 + 1 / k) * special.digamma(1 + 1 / k) / k**2,
                  special.gamma(1 + 1 / k)])
    assert named.se == pytest.approx(math.sqrt(g @ res.cov @ g), rel=1e-6)
    # g = a parameter: the profile interval of g is the parameter's profile interval
    for p in ("shape", "scale"):
        got = res.derived(lambda q, p=p: q[p], method="profile").ci
        assert got == pytest.approx(res.ci(method="profile")[p], rel=1e-7)


def test_profile_ci_of_mean_against_reparametrised_brute_force(censored_weibull) -> None:
    res, y, obs = censored_weibull

    def ll(k: float, lam: float) -> float:
        z = y / lam
        return float(np.sum(obs * (np.log(k / lam) + (k - 1) * np.log(z))) - np.sum(z**k))

    def pl(mean: float) -> float:     # scale = mean / Gamma(1 + 1/k), maximise over the shape
        r = optimize.minimize_scalar(
            lambda lk: -ll(math.exp(lk), mean / math.gamma(1 + math.exp(-lk))),
            bounds=(-3, 3), method="bounded", options={"xatol": 1e-12})
        return -float(r.fun)

    m = res.derived("mean").estimate
    top = pl(m)
    f = lambda v: 2 * (top - pl(v)) - Q95  # noqa: E731
    want = (optimize.brentq(f, m / 3, m, xtol=1e-12), optimize.brentq(f, m, 3 * m, xtol=1e-12))
    assert res.derived("mean", method="profile").ci == pytest.approx(want, rel=1e-5)


def test_quantile_sf_cdf_hazard(censored_weibull) -> None:
    res, _, _ = censored_weibull
    k, lam = res.params["shape"], res.params["scale"]
    b10 = res.quantile(0.1)
    assert b10.estimate == pytest.approx(lam * (-math.log(0.9)) ** (1 / k), rel=1e-10)
    assert b10.ci[0] < b10.estimate < b10.ci[1]
    s, c = res.sf(80.0), res.cdf(80.0)
    assert s.estimate == pytest.approx(math.exp(-((80 / lam) ** k)), rel=1e-12)
    assert s.estimate + c.estimate == pytest.approx(1.0, rel=1e-12)
    assert s.se == pytest.approx(c.se, rel=1e-6)
    assert s.ci[0] == pytest.approx(1 - c.ci[1], rel=1e-9) and s.scale == "logit"
    assert 0 < s.ci[0] < s.ci[1] < 1
    h = res.hazard(50.0)
    assert h.estimate == pytest.approx(k / lam * (50 / lam) ** (k - 1), rel=1e-10)
    for m in ("profile",):
        sp = res.sf(80.0, method=m)
        assert sp.ci[0] == pytest.approx(1 - res.cdf(80.0, method=m).ci[1], rel=1e-5)


def test_arrays(censored_weibull) -> None:
    res, _, _ = censored_weibull
    t = np.array([20.0, 50.0, 100.0])
    s = res.sf(t)
    assert s.estimate.shape == (3,) and s.ci[0].shape == (3,)
    assert np.all(np.diff(s.estimate) < 0)
    assert s.estimate[1] == pytest.approx(res.sf(50.0).estimate, rel=1e-14)
    q = res.quantile([0.1, 0.5])
    assert q.estimate[1] == pytest.approx(res.derived("median").estimate, rel=1e-10)
    assert isinstance(s.to_dict()["estimate"], list) and "3 values" in repr(s)


def test_normal_median_is_mu_and_sd_is_sigma(rng: np.random.Generator) -> None:
    res = mk.fit(rng.normal(5, 2, size=30), "normal")
    prof = res.ci(method="profile")
    assert res.derived("median", method="profile").ci == pytest.approx(prof["mu"], rel=1e-7)
    assert res.derived("sd", method="profile").ci == pytest.approx(prof["sigma"], rel=1e-7)
    v = res.derived("var")
    assert v.estimate == pytest.approx(res.params["sigma"] ** 2, rel=1e-12)
    assert v.se == pytest.approx(2 * res.params["sigma"] * res.se["sigma"], rel=1e-6)
    assert res.derived("median").se == pytest.approx(res.se["mu"], rel=1e-6)


def test_bootstrap_method_reuses_replicates(rng: np.random.Generator) -> None:
    res = mk.fit(rng.gamma(2.0, 3.0, size=40), "gamma")
    a = res.derived("mean", method="bootstrap", n_boot=300, rng=5, quiet=True)
    b = res.derived("mean", method="bootstrap", n_boot=300, rng=5, quiet=True)
    assert a.ci == b.ci and a.method == "bootstrap"
    reps = res.options["_bootstrap_cache"][("parametric", 300, 5)]
    vals = reps.params[:, 0] * reps.params[:, 1]
    assert a.ci == pytest.approx(tuple(np.quantile(vals, [0.025, 0.975])), rel=1e-12)
    c = res.derived("mean", method="bootstrap", n_boot=300, rng=5, interval="bca", quiet=True)
    assert c.ci[0] < a.estimate < c.ci[1]


def test_boundary_and_fixed(rng: np.random.Generator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mk.fit(np.zeros(20), "bernoulli")
    d = res.derived(lambda p: p["p"], method="profile")
    assert d.ci == pytest.approx((0.0, 1 - math.exp(-Q95 / 40)), rel=1e-9)
    fx = mk.fit(rng.normal(size=20), "normal", fixed={"sigma": 1.0})
    assert fx.derived("sd").se == 0.0 and fx.derived("sd").ci == (1.0, 1.0)


def test_bad_input(rng: np.random.Generator) -> None:
    res = mk.fit(rng.weibull(1.5, size=20), "weibull")
    with pytest.raises(mk.ParameterError, match="must be one of"):
        res.derived("mode")
    with pytest.raises(mk.ParameterError, match="failed at the estimate"):
        res.derived(lambda p: p["nope"])
    with pytest.raises(mk.ParameterError, match="not finite"):
        res.derived(lambda p: math.inf)
    with pytest.raises(mk.ParameterError, match="method must be one of"):
        res.derived("mean", method="wald")
    with pytest.raises(mk.ParameterError, match="scale must be"):
        res.derived("mean", scale="sqrt")
    with pytest.raises(mk.ParameterError, match="strictly between 0 and 1"):
        res.quantile(1.0)
    with pytest.raises(mk.ParameterError, match="strictly between 0 and 1"):
        res.sf(10.0, level=1.5)
    with pytest.raises(mk.ParameterError, match="not finite"):
        mk.fit(rng.standard_cauchy(50), "cauchy").derived("mean")
    with pytest.raises(mk.ParameterError, match="a name"):
        res.derived(3.0)
    with pytest.raises(mk.ParameterError, match="takes no options"):
        res.derived("mean", n_boot=10)


@pytest.mark.parametrize("method", ["quantile", "cdf", "sf", "hazard"])
@pytest.mark.parametrize("bad", ["a", ["0.5", "x"], object()])
def test_non_numeric_arguments_get_a_named_error(method: str, bad: object) -> None:
    res = mk.fit(np.random.default_rng(0).weibull(1.5, 50) * 2.0, "weibull")
    with pytest.raises(mk.ParameterError, match=rf"^{method} takes a number or an array of "
                                                r"numbers; got .*Hint: convert"):
        getattr(res, method)(bad)
    # numbers given as numeric strings are not guessed at; real numbers still work
    assert np.isfinite(getattr(res, method)(0.5).estimate)


@pytest.mark.parametrize("family", ["gumbel", "weibull"])
def test_a_fit_without_likelihood_keeps_delta_standard_errors(family: str) -> None:
    # the bias-corrected fit has no likelihood but keeps the fit's covariance: the delta method
    # applies (its SE was NaN), profile intervals do not (NaN)
    dist = mk.Gumbel(loc=2.0, scale=1.5) if family == "gumbel" else mk.Weibull(shape=1.7, scale=3.0)
    res = mk.fit(dist.sample(40, rng=3), family).bias_corrected()
    assert res.likelihood is None
    names = list(res.params)
    cov = np.asarray(res.cov)

    def q90(th: np.ndarray) -> float:
        return float(res.dist.with_params(**dict(zip(names, th))).ppf(0.9))

    th = np.array([res.params[p] for p in names])
    grad = np.empty(len(th))
    for i in range(len(th)):
        h = 1e-6 * max(1.0, abs(th[i]))
        e = np.zeros(len(th))
        e[i] = h
        grad[i] = (q90(th + e) - q90(th - e)) / (2 * h)
    se = math.sqrt(grad @ cov @ grad)
    q = res.quantile(0.9)
    assert q.estimate == pytest.approx(q90(th), rel=1e-12)
    assert q.se == pytest.approx(se, rel=1e-6)
    z = stats.norm.ppf(0.975)
    lo, hi = q.ci
    assert math.isfinite(lo) and math.isfinite(hi)
    if q.scale == "log":   # a positive quantity: the interval on the log scale
        f = math.exp(z * se / q.estimate)
        assert (lo, hi) == pytest.approx((q.estimate / f, q.estimate * f), rel=1e-6)
    else:
        assert q.scale == "identity"
        assert (lo, hi) == pytest.approx((q.estimate - z * se, q.estimate + z * se), rel=1e-6)
    prof = res.quantile(0.9, method="profile")
    assert prof.se == pytest.approx(se, rel=1e-6) and all(math.isnan(v) for v in prof.ci)
