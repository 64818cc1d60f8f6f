"""User-defined families (Family.from_logpdf / from_cumhaz) reproduce the built-in ones."""

from __future__ import annotations

import numpy as np
import pytest

import mlekit as mk


def weibull_cumhaz(x, shape, scale):
    return (x / scale) ** shape


WEIB = {"shape": mk.Positive, "scale": mk.Positive}


@pytest.fixture
def lifetimes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = 100.0 * rng.weibull(1.7, 300)
    c = rng.uniform(0, 200, 300)
    return t, np.minimum(t, c), t <= c


def _same(a: mk.FitResult, b: mk.FitResult, rel: float = 1e-6) -> None:
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=rel)
        assert a.se[p] == pytest.approx(b.se[p], rel=rel)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


def test_cumhaz_weibull_reproduces_builtin(lifetimes) -> None:
    t, x, obs = lifetimes
    W = mk.Family.from_cumhaz(weibull_cumhaz, params=WEIB)
    assert isinstance(W, mk.Family) and W.param_names == ("shape", "scale")
    _same(mk.fit(t, W), mk.fit(t, "weibull"))
    cens = mk.Data.right_censored(x, obs)
    a = mk.fit(cens, W)
    _same(a, mk.fit(cens, "weibull"))
    assert "numerical parameter derivatives" in a.method
    # interval- and left-censored data work too
    lo = np.floor(t / 10) * 10
    # (a lower bound of exactly 0 trips the built-in Weibull's analytic log-cdf derivative;
    # bound 0 is "left-censored" anyway)
    iv = mk.Data.interval(np.where(lo == 0, -np.inf, lo), lo + 10)
    _same(mk.fit(iv, W), mk.fit(iv, "weibull"))
    # the fitted custom family is a distribution
    d = a.dist
    assert d.sf(50.0) == pytest.approx(mk.fit(cens, "weibull").dist.sf(50.0), rel=1e-6)
    assert d.logpdf(50.0) == pytest.approx(mk.fit(cens, "weibull").dist.logpdf(50.0), rel=1e-6)
    assert d.ppf(0.5) == pytest.approx(mk.fit(cens, "weibull").dist.ppf(0.5), rel=1e-6)


def test_cumhaz_with_hazard_and_fixed(lifetimes) -> None:
    _t, x, obs = lifetimes
    W = mk.Family.from_cumhaz(weibull_cumhaz, params=WEIB,
                              hazard=lambda x, shape, scale: shape / scale * (x / scale) ** (shape - 1))
    cens = mk.Data.right_censored(x, obs)
    _same(mk.fit(cens, W, fixed={"shape": 1.5}), mk.fit(cens, "weibull", fixed={"shape": 1.5}))


def test_logpdf_family_with_cdf(rng: np.random.Generator) -> None:
    import scipy.special as sp

    def lp(x, mu, sigma):
        return mk.logpdf.normal(x, mu, sigma)

    def lc(x, mu, sigma):
        return sp.log_ndtr((x - mu) / sigma)

    N = mk.Family.from_logpdf(lp, logcdf=lc, params={"mu": mk.Real, "sigma": mk.Positive})
    y = rng.normal(3.0, 2.0, 300)
    _same(mk.fit(y, N), mk.fit(y, "normal"), rel=1e-7)
    left = mk.Data.left_censored(np.maximum(y, 1.0), y >= 1.0)
    _same(mk.fit(left, N), mk.fit(left, "normal"))
    right = mk.Data.right_censored(np.minimum(y, 5.0), y <= 5.0)
    _same(mk.fit(right, N), mk.fit(right, "normal"))


def test_logpdf_family_integrates_when_no_cdf(rng: np.random.Generator) -> None:
    N = mk.Family.from_logpdf(lambda x, mu, sigma: mk.logpdf.normal(x, mu, sigma),
                              params={"mu": mk.Real, "sigma": mk.Positive})
    y = rng.normal(0.0, 1.0, 40)
    d = mk.Data.right_censored(np.minimum(y, 0.5), y <= 0.5)
    _same(mk.fit(d, N), mk.fit(d, "normal"), rel=1e-5)


def test_discrete_logpdf_family(rng: np.random.Generator) -> None:
    P = mk.Family.from_logpdf(lambda k, rate: mk.logpdf.poisson(k, rate),
                              params={"rate": mk.Positive}, discrete=True, name="mypoisson")
    k = rng.poisson(3.0, 200).astype(float)
    _same(mk.fit(k, P), mk.fit(k, "poisson"), rel=1e-7)
    d = mk.Data.right_censored(np.minimum(k, 5), k <= 5)
    _same(mk.fit(d, P), mk.fit(d, "poisson"), rel=1e-6)


def test_bad_specs() -> None:
    with pytest.raises(mk.FamilyError, match="must match the arguments"):
        mk.Family.from_cumhaz(weibull_cumhaz, params={"k": mk.Positive, "scale": mk.Positive})
    with pytest.raises(mk.FamilyError):
        mk.Family.from_logpdf(3.0)
    W = mk.Family.from_cumhaz(weibull_cumhaz, params=WEIB)
    with pytest.raises(mk.DataError):
        mk.fit([-1.0, 2.0, 3.0], W, fixed={"shape": 1.0}) if W.support.lower == 0 else None
