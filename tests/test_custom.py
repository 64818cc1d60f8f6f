"""Custom likelihoods with @mk.model: the seed's example, derivatives, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import mlekit as mk
from conftest import SEED_FIVE


@mk.model(sigma=mk.Positive)
def gauss(x, mu, sigma):
    return -0.5 * np.log(2 * np.pi) - np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)


def _closed(x: np.ndarray) -> tuple[float, float, float, float]:
    m, s, n = x.mean(), x.std(), x.size
    return m, s, s / math.sqrt(n), s / math.sqrt(2 * n)


def test_seed_reference_example() -> None:
    res = mk.fit(gauss, data=SEED_FIVE)
    m, s, se_m, se_s = _closed(np.array(SEED_FIVE))
    assert round(res.params["mu"], 2) == 2.24 and round(res.params["sigma"], 2) == 0.40
    assert res.params["mu"] == pytest.approx(m, rel=1e-10)
    assert res.params["sigma"] == pytest.approx(s, rel=1e-9)
    assert res.se["mu"] == pytest.approx(se_m, rel=1e-7)
    assert res.se["sigma"] == pytest.approx(se_s, rel=1e-7)
    assert res.loglik == pytest.approx(mk.fit(SEED_FIVE, "normal").loglik, rel=1e-12)
    assert isinstance(res, mk.FitResult) and res.family == "gauss" and res.converged
    assert "numerical" in res.method
    ci = res.ci()
    assert ci["mu"][0] < 2.24 < ci["mu"][1]
    text = str(res.summary())
    assert "gauss(mu, sigma)" in text and "sigma" in text
    assert res.summary().to_dict()["params"]["mu"] == pytest.approx(2.24)


@pytest.mark.parametrize("n", [100_000, 1_000_000])
def test_large_n_where_scipy_default_fails(n: int) -> None:
    x = np.random.default_rng(n).normal(2.24, 0.4, n)
    res = mk.fit(gauss, data=x)
    m, s, se_m, se_s = _closed(x)
    assert res.params["mu"] == pytest.approx(m, rel=1e-9)
    assert res.params["sigma"] == pytest.approx(s, rel=1e-8)
    assert res.se["mu"] == pytest.approx(se_m, rel=1e-6)
    assert res.se["sigma"] == pytest.approx(se_s, rel=1e-6)
    # the seed's pattern: scipy's default minimize on the same NLL does not succeed
    def nll(p: np.ndarray) -> float:
        mu, sigma = p
        return -float(np.sum(gauss.fn(x, mu, sigma)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sp = minimize(nll, [0.0, 1.0])
    assert not sp.success


def test_start_fixed_and_total_return(rng: np.random.Generator) -> None:
    x = rng.normal(1.0, 2.0, 200)
    res = mk.fit(gauss, data=x, start={"mu": 0.0})
    assert res.params["mu"] == pytest.approx(x.mean(), rel=1e-9)
    fx = mk.fit(gauss, data=x, fixed={"mu": 0.0})
    assert fx.params["sigma"] == pytest.approx(math.sqrt(np.mean(x**2)), rel=1e-9)
    assert fx.n_params == 1 and fx.se["mu"] == 0.0

    @mk.model(sigma=mk.Positive)
    def total(x, mu, sigma):
        return float(np.sum(mk.logpdf.normal(x, mu, sigma)))
    t = mk.fit(total, data=x)
    assert t.params["sigma"] == pytest.approx(x.std(), rel=1e-8)


def test_several_arrays_and_design_sketch(rng: np.random.Generator) -> None:
    x = rng.uniform(0, 10, 400)
    y = 1.5 + 0.8 * x + rng.normal(0, 0.7, 400)

    @mk.model(sigma=mk.Positive)
    def linear(x, y, a, b, sigma):
        return mk.logpdf.normal(y, a + b * x, sigma)
    res = mk.fit(linear, data={"x": x, "y": y})
    X = np.c_[np.ones_like(x), x]
    beta, rss = np.linalg.lstsq(X, y, rcond=None)[:2]
    s2 = rss[0] / x.size
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ X)) * s2)
    assert [res.params["a"], res.params["b"]] == pytest.approx(beta, rel=1e-8)
    assert [res.se["a"], res.se["b"]] == pytest.approx(se, rel=1e-6)
    assert res.params["sigma"] == pytest.approx(math.sqrt(s2), rel=1e-8)


def test_analytic_derivatives(rng: np.random.Generator) -> None:
    def g(x, rate):
        return [x.size / rate - x.sum()]

    def h(x, rate):
        return [[-x.size / rate**2]]

    @mk.model(rate=mk.Positive, grad=g, hess=h)
    def expo(x, rate):
        return np.log(rate) - rate * x
    x = rng.exponential(2.0, 300)
    res = mk.fit(expo, data=x)
    assert res.method == "newton (analytic gradient and Hessian)"
    assert res.params["rate"] == pytest.approx(1 / x.mean(), rel=1e-12)
    assert res.se["rate"] == pytest.approx(res.params["rate"] / math.sqrt(300), rel=1e-10)

    @mk.model(rate=mk.Positive, grad=g)
    def expo_g(x, rate):
        return np.log(rate) - rate * x
    r2 = mk.fit(expo_g, data=x)
    assert "Hessian by differences of the gradient" in r2.method
    assert r2.se["rate"] == pytest.approx(res.se["rate"], rel=1e-7)


def test_weights_and_sandwich(rng: np.random.Generator) -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    w = np.array([1, 3, 2, 1, 1])
    a = mk.fit(gauss, data=x, weights=w)
    b = mk.fit(gauss, data=np.repeat(x, w))
    assert a.params["mu"] == pytest.approx(b.params["mu"], rel=1e-10)
    assert a.se["sigma"] == pytest.approx(b.se["sigma"], rel=1e-7)
    y = rng.normal(0, 1, 500)
    s = mk.fit(gauss, data=y, cov="sandwich")
    f = mk.fit(y, "normal", cov="sandwich")
    assert s.cov_type == "sandwich"
    assert s.se["mu"] == pytest.approx(f.se["mu"], rel=1e-6)
    assert s.se["sigma"] == pytest.approx(f.se["sigma"], rel=1e-5)


def test_nan_at_start_named_with_reproducer() -> None:
    @mk.model
    def bad(x, mu, sigma):
        return -np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)
    with pytest.raises(mk.ParameterError, match=r"NaN/inf.*Reproduce: bad\(data, mu=0, sigma=-1\)"), \
            np.errstate(all="ignore"):
        mk.fit(bad, data=SEED_FIVE, start={"mu": 0.0, "sigma": -1.0})


def test_missing_domain_warns_when_search_hits_nan(rng: np.random.Generator) -> None:
    @mk.model
    def nodomain(x, mu, sigma):
        with np.errstate(invalid="ignore"):
            return -np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)
    x = rng.normal(5.0, 0.05, 50)
    with pytest.warns(mk.NumericalWarning, match=r"declare @mk.model\(sigma=mk.Positive\)"):
        res = mk.fit(nodomain, data=x, start={"mu": 0.0, "sigma": 1.0})
    assert any(d.code == "nan-region" for d in res.diagnostics)


def test_wrong_shapes_and_keys() -> None:
    @mk.model
    def shaped(x, mu):
        return np.zeros((2, 3))
    with pytest.raises(mk.ParameterError, match="shape"):
        mk.fit(shaped, data=SEED_FIVE)
    with pytest.raises(mk.DataError, match="data keys must be arguments of gauss"):
        mk.fit(gauss, data={"y": SEED_FIVE})
    with pytest.raises(mk.ParameterError, match="not an argument"):
        mk.model(tau=mk.Positive)(lambda x, mu: x)
    with pytest.raises(mk.ParameterError, match="names a parameter"):
        mk.fit(gauss, data=SEED_FIVE, start={"nu": 1.0})
    with pytest.raises(mk.DataError, match="NaN"):
        mk.fit(gauss, data=[1.0, np.nan, 2.0])
    r = mk.fit(gauss, data=[1.0, np.nan, 2.0, 4.0], nan_policy="omit")
    assert r.n_obs == 3


def test_non_identifiable_named() -> None:
    @mk.model(sigma=mk.Positive)
    def sum_only(x, a, b, sigma):
        return mk.logpdf.normal(x, a + b, sigma)
    with pytest.warns(mk.NumericalWarning, match="a and b are not separately identifiable"):
        res = mk.fit(sum_only, data=SEED_FIVE)
    assert math.isnan(res.se["a"])

    @mk.model(sigma=mk.Positive)
    def unused(x, mu, sigma, c):
        return mk.logpdf.normal(x, mu, sigma)
    with pytest.warns(mk.NumericalWarning, match="does not depend on c"):
        mk.fit(unused, data=SEED_FIVE)


def test_strict_raises() -> None:
    @mk.model(sigma=mk.Positive)
    def unused(x, mu, sigma, c):
        return mk.logpdf.normal(x, mu, sigma)
    with pytest.raises(mk.ConvergenceError):
        mk.fit(unused, data=SEED_FIVE, strict=True)


def test_multistart_recovers_from_bad_start(rng: np.random.Generator) -> None:
    x = rng.standard_cauchy(400) * 2.0 + 10.0

    @mk.model(scale=mk.Positive)
    def cauchy(x, loc, scale):
        return mk.logpdf.cauchy(x, loc, scale)
    res = mk.fit(cauchy, data=x, start={"loc": 1e4, "scale": 1e-3})
    ref = mk.fit(x, "cauchy")
    assert res.params["loc"] == pytest.approx(ref.params["loc"], rel=1e-7)
    assert res.loglik == pytest.approx(ref.loglik, rel=1e-10)


def test_jax_path_exact(rng: np.random.Generator) -> None:
    pytest.importorskip("jax")
    import jax.numpy as jnp

    @mk.model(sigma=mk.Positive)
    def jgauss(x, mu, sigma):
        return -0.5 * jnp.log(2 * jnp.pi) - jnp.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)
    res = mk.fit(jgauss, data=SEED_FIVE)
    _m, s, se_m, se_s = _closed(np.array(SEED_FIVE))
    assert res.method == "newton (exact derivatives by JAX)"
    assert res.params["sigma"] == pytest.approx(s, rel=1e-12)
    assert res.se["sigma"] == pytest.approx(se_s, rel=1e-12)
    # mk.logpdf follows the array type, so diff="jax" works on it too
    lin = mk.model(lambda x, mu, sigma: mk.logpdf.normal(x, mu, sigma), sigma=mk.Positive,
                   diff="jax")
    r2 = mk.fit(lin, data=SEED_FIVE)
    assert r2.se["mu"] == pytest.approx(se_m, rel=1e-12)


def test_logpdf_helpers_match_scipy() -> None:
    import scipy.stats as st
    x = np.array([0.3, 1.0, 2.5])
    k = np.array([0.0, 2.0, 5.0])
    lp = mk.logpdf
    assert lp.normal(x, 1, 2) == pytest.approx(st.norm(1, 2).logpdf(x))
    assert lp.gamma(x, 2.5, 1.5) == pytest.approx(st.gamma(2.5, scale=1.5).logpdf(x))
    assert lp.weibull(x, 1.7, 2.0) == pytest.approx(st.weibull_min(1.7, scale=2.0).logpdf(x))
    assert lp.student_t(x, 4, 1, 2) == pytest.approx(st.t(4, 1, 2).logpdf(x))
    assert lp.lognormal(x, 0.2, 0.7) == pytest.approx(st.lognorm(0.7, scale=np.exp(0.2)).logpdf(x))
    assert lp.beta(np.array([0.2, 0.5]), 2, 3) == pytest.approx(st.beta(2, 3).logpdf([0.2, 0.5]))
    assert lp.poisson(k, 2.2) == pytest.approx(st.poisson(2.2).logpmf(k))
    assert lp.negative_binomial(k, 3.0, 2.0) == pytest.approx(
        st.nbinom(2.0, 2.0 / 5.0).logpmf(k))
    assert lp.binomial(k, 6, 0.3) == pytest.approx(st.binom(6, 0.3).logpmf(k))
    assert lp.bernoulli(np.array([0.0, 1.0]), 0.3) == pytest.approx(np.log([0.7, 0.3]))
    assert lp.bernoulli_logit(np.array([0.0, 1.0]), 0.5) == pytest.approx(
        st.bernoulli(1 / (1 + np.exp(-0.5))).logpmf([0, 1]))
    assert lp.exponential(x, 2.0) == pytest.approx(st.expon(scale=0.5).logpdf(x))
    assert lp.geometric(k, 0.3) == pytest.approx(st.geom(0.3, loc=-1).logpmf(k))
