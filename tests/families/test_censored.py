"""Censored and truncated fits against scipy's CensoredData fits and direct likelihoods."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
from scipy import optimize

import mlekit as mk

from .cases import dist
from .scipy_ref import CONT


def _censor(x: np.ndarray, rng: np.random.Generator, frac: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Right-censor about `frac` of the values at random times."""
    c = np.quantile(x, 1 - frac) * rng.uniform(0.6, 1.6, x.size)
    return np.minimum(x, c), x <= c


RIGHT = ["weibull", "lognormal", "gamma", "exponential", "loglogistic", "normal", "logistic",
         "gumbel", "student_t", "lomax", "rayleigh", "inverse_gaussian", "beta", "cauchy", "laplace"]


@pytest.mark.parametrize("name", RIGHT)
def test_right_censored_matches_scipy_censored_data(name: str) -> None:
    rng = np.random.default_rng(17)
    x = dist(name).sample(300, rng=4)
    t, obs = _censor(x, rng)
    if name == "beta":
        t = np.minimum(t, 0.999)
    res = mk.fit(mk.Data.right_censored(t, observed=obs), name)
    assert res.converged, res.diagnostics
    sdist, kw, conv = CONT[name]
    cd = st.CensoredData.right_censored(t, ~obs)
    with np.errstate(all="ignore"):
        ref = conv(sdist.fit(cd, **kw))
    # the censored log-likelihood computed by scipy at both estimates
    def ll(p: dict[str, float]) -> float:
        d = mk.get_family(name).with_params(**p).to_scipy()
        return float(d.logpdf(t[obs]).sum() + d.logsf(t[~obs]).sum())
    assert math.isclose(res.loglik, ll(res.params), rel_tol=1e-9)
    assert res.loglik >= ll(ref) - 1e-7 * t.size
    for p, v in res.params.items():
        assert math.isclose(v, ref[p], rel_tol=2e-3, abs_tol=2e-3), (p, v, ref[p])


def test_left_and_interval_censored_lognormal_against_direct_optimisation() -> None:
    rng = np.random.default_rng(5)
    x = rng.lognormal(0.5, 0.9, 400)
    lo = np.floor(x * 2) / 2
    hi = lo + 0.5
    lo[lo == 0] = -np.inf  # below the first cut point: left-censored at 0.5
    hi[x > 6] = np.inf
    lo[x > 6] = 6.0
    data = mk.Data.interval(lo, hi)
    assert data.left.size and data.right.size and data.interval_block.size
    res = mk.fit(data, "lognormal")
    cd = st.CensoredData.interval_censored(np.where(np.isinf(lo), 0.0, lo), hi)

    def nll(p: np.ndarray) -> float:
        d = st.lognorm(np.exp(p[1]), scale=np.exp(p[0]))
        F = lambda v: d.cdf(v)  # noqa: E731
        return -float(np.sum(np.log(F(cd._uncensored) if cd._uncensored.size else 0) if False else 0)
                      + np.sum(np.log(F(hi) - F(np.where(np.isinf(lo), 0.0, lo)))))

    ref = optimize.minimize(nll, [0.4, 0.0], method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    assert res.loglik >= -ref.fun - 1e-8
    assert math.isclose(res.params["mu"], ref.x[0], abs_tol=1e-5)
    assert math.isclose(res.params["sigma"], math.exp(ref.x[1]), rel_tol=1e-5)


def test_interval_with_equal_bounds_is_exact() -> None:
    x = dist("weibull").sample(200, rng=1)
    a = mk.fit(x, "weibull")
    b = mk.fit(mk.Data.interval(x, x), "weibull")
    assert a.params == b.params and a.loglik == b.loglik


def test_left_censored_detection_limit() -> None:
    rng = np.random.default_rng(2)
    conc = rng.lognormal(1.0, 1.2, 500)
    dl = 1.5
    detected = conc >= dl
    res = mk.fit(mk.Data.left_censored(np.maximum(conc, dl), observed=detected), "lognormal")
    d = lambda p: st.lognorm(p["sigma"], scale=np.exp(p["mu"]))  # noqa: E731
    ll = float(d(res.params).logpdf(conc[detected]).sum() + (~detected).sum() * d(res.params).logcdf(dl))
    assert math.isclose(res.loglik, ll, rel_tol=1e-10)
    assert abs(res.params["mu"] - 1.0) < 0.2 and abs(res.params["sigma"] - 1.2) < 0.2


def test_exponential_right_censored_closed_form() -> None:
    t = np.array([5.0, 8.0, 12.0, 3.0, 20.0, 7.0])
    obs = np.array([1, 0, 1, 1, 0, 1], bool)
    res = mk.fit(mk.Data.right_censored(t, observed=obs), "exponential")
    assert res.method == "closed-form"
    assert math.isclose(res.params["rate"], 4 / t.sum(), rel_tol=1e-14)
    assert math.isclose(res.se["rate"], math.sqrt(4) / t.sum(), rel_tol=1e-12)


def test_truncated_normal_matches_scipy_truncnorm() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(2.0, 3.0, 20000)
    x = x[(x > 0) & (x < 10)][:600]
    res = mk.fit(mk.Data(x, truncation=(0.0, 10.0)), "normal")

    def nll(p: np.ndarray) -> float:
        mu, s = p[0], math.exp(p[1])
        return -float(st.truncnorm.logpdf(x, (0 - mu) / s, (10 - mu) / s, mu, s).sum())

    ref = optimize.minimize(nll, [x.mean(), math.log(x.std())], method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    assert res.loglik >= -ref.fun - 1e-8
    assert math.isclose(res.loglik, -nll(np.array([res.params["mu"], math.log(res.params["sigma"])])),
                        rel_tol=1e-11)
    assert math.isclose(res.params["mu"], ref.x[0], abs_tol=1e-4)


def test_zero_truncated_poisson() -> None:
    rng = np.random.default_rng(1)
    k = rng.poisson(1.3, 5000)
    k = k[k > 0]
    res = mk.fit(mk.Data(k, truncation=(1, None)), "poisson")
    lam = res.params["rate"]
    # score equation of the zero-truncated Poisson: mean = lam / (1 - exp(-lam))
    assert math.isclose(k.mean(), lam / (1 - math.exp(-lam)), rel_tol=1e-9)
    ll = float(st.poisson.logpmf(k, lam).sum() - k.size * math.log1p(-math.exp(-lam)))
    assert math.isclose(res.loglik, ll, rel_tol=1e-11)


def test_discrete_right_censoring_means_at_least() -> None:
    # top-coded counts: "5 or more" recorded as right-censored at 5
    rng = np.random.default_rng(4)
    k = rng.poisson(3.0, 2000).astype(float)
    obs = k < 5
    res = mk.fit(mk.Data.right_censored(np.minimum(k, 5), observed=obs), "poisson")
    lam = res.params["rate"]
    ll = float(st.poisson.logpmf(k[obs], lam).sum() + (~obs).sum() * st.poisson.logsf(4, lam))
    assert math.isclose(res.loglik, ll, rel_tol=1e-11)
    assert abs(lam - 3.0) < 0.15


def test_intervals_reaching_past_the_support_become_one_sided() -> None:
    rng = np.random.default_rng(0)
    x = rng.weibull(1.5, 300) * 2
    lo, hi = np.floor(x), np.floor(x) + 1  # many intervals start at exactly 0
    res = mk.fit(mk.Data.interval(lo, hi), "weibull")
    assert res.converged
    lo2 = np.where(lo == 0, -np.inf, lo)
    ref = mk.fit(mk.Data.interval(lo2, hi), "weibull")
    assert math.isclose(res.loglik, ref.loglik, rel_tol=1e-12)
    for p in res.params:
        assert math.isclose(res.params[p], ref.params[p], rel_tol=1e-10)
    b = np.clip(rng.beta(2, 3, 200), 0.01, 0.99)
    lo, hi = np.floor(b * 10) / 10, np.floor(b * 10) / 10 + 0.1
    r = mk.fit(mk.Data.interval(lo, np.minimum(hi, 1.0)), "beta")
    assert r.converged
