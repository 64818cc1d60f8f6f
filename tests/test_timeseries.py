"""AR(1) by exact ML (vs statsmodels' exact ARIMA and JAX's exact Hessian); Markov chains."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    rng = np.random.default_rng(4)
    n = 500
    e = rng.normal(0, 1.5, n)
    y = np.empty(n)
    y[0] = 3 + e[0] / math.sqrt(1 - 0.7**2)
    for t in range(1, n):
        y[t] = 3 + 0.7 * (y[t - 1] - 3) + e[t]
    return y


def test_ar1_matches_statsmodels_exact_mle(series: np.ndarray) -> None:
    ARIMA = pytest.importorskip("statsmodels.tsa.arima.model").ARIMA
    res = mk.fit_ar1(series)
    assert list(res.params) == ["mu", "phi", "sigma"] and res.converged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = ARIMA(series, order=(1, 0, 0), trend="c").fit()
        at_ours = ARIMA(series, order=(1, 0, 0), trend="c").fit(
            start_params=[res.params["mu"], res.params["phi"], res.params["sigma"] ** 2],
            cov_type="oim")
    # statsmodels' L-BFGS stops ~1e-5 short; it reaches (and stays at) our point
    assert res.loglik >= own.llf - 1e-9
    assert res.loglik == pytest.approx(own.llf, rel=1e-9)
    assert [res.params["mu"], res.params["phi"]] == pytest.approx(own.params[:2], rel=1e-4)
    assert [res.params["mu"], res.params["phi"], res.params["sigma"] ** 2] == pytest.approx(
        at_ours.params, rel=1e-7)
    assert res.loglik == pytest.approx(at_ours.llf, rel=1e-12)
    # statsmodels' 'oim' SEs come from a numerical Hessian (good to ~1e-3 here)
    assert res.se["phi"] == pytest.approx(at_ours.bse[1], rel=2e-3)
    assert 2 * res.params["sigma"] * res.se["sigma"] == pytest.approx(at_ours.bse[2], rel=2e-3)


def test_ar1_standard_errors_exact(series: np.ndarray) -> None:
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    res = mk.fit_ar1(series)
    y = jnp.asarray(series)

    def ll(p):  # independent JAX transcription of the exact likelihood
        mu, phi, s = p
        z = y - mu
        e = z[1:] - phi * z[:-1]
        v1 = s * s / (1 - phi * phi)
        return (-0.5 * y.size * jnp.log(2 * jnp.pi) - 0.5 * jnp.log(v1) - 0.5 * z[0] ** 2 / v1
                - (y.size - 1) * jnp.log(s) - 0.5 * jnp.dot(e, e) / (s * s))
    p = jnp.array([res.params[k] for k in ("mu", "phi", "sigma")])
    assert float(ll(p)) == pytest.approx(res.loglik, rel=1e-13)
    H = np.asarray(jax.hessian(ll)(p))
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert [res.se[k] for k in ("mu", "phi", "sigma")] == pytest.approx(se, rel=1e-6)
    assert np.max(np.abs(np.asarray(jax.grad(ll)(p)))) < 1e-6


def test_iid_fit_understates_uncertainty(series: np.ndarray) -> None:
    iid = mk.fit(series, "normal")
    ar = mk.fit_ar1(series)
    assert ar.se["mu"] > 2 * iid.se["mu"]   # ~ sqrt((1+phi)/(1-phi)) = 2.4 times
    assert ar.aic < iid.aic


def test_ar1_bad_input() -> None:
    with pytest.raises(mk.DataError, match="index 2"):
        mk.fit_ar1([1.0, 2.0, np.nan, 3.0, 4.0])
    with pytest.raises(mk.DataError, match="at least 4"):
        mk.fit_ar1([1.0, 2.0])
    with pytest.raises(mk.DataError, match="constant"):
        mk.fit_ar1([1.0] * 10)


def test_markov_chain_closed_form() -> None:
    rng = np.random.default_rng(9)
    P = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    s = [0]
    for _ in range(4000):
        s.append(int(rng.choice(3, p=P[s[-1]])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = mk.fit_markov(s)
    assert "0->1" in res.params and res.n_params == 6
    Phat = res.dist.transition_matrix()
    assert np.allclose(Phat.sum(axis=1), 1.0)
    for a in range(3):
        for b in range(3):
            if P[a, b] > 0:
                assert abs(Phat[a, b] - P[a, b]) < 4 * res.se[f"{a}->{b}"]
    assert res.params["0->2"] == 0.0 and res.se["0->2"] == 0.0
    assert any(d.code == "boundary" and d.param == "0->2" for d in res.diagnostics)
    # closed form: counts / row totals; loglik = sum n_ab log p_ab
    N = res.options["counts"]
    assert res.params["1->2"] == pytest.approx(N[1, 2] / N[1].sum())
    assert res.se["1->2"] == pytest.approx(math.sqrt(Phat[1, 2] * (1 - Phat[1, 2]) / N[1].sum()))
    m = N > 0
    assert res.loglik == pytest.approx(float(np.sum(N[m] * np.log(Phat[m]))))
    st = res.dist.stationary()
    pi = np.array([st[0], st[1], st[2]])
    assert pi @ Phat == pytest.approx(pi)
    assert res.summary().to_dict()["params"]["0->0"] == pytest.approx(res.params["0->0"])


def test_markov_several_sequences_and_bad_input() -> None:
    res = mk.fit_markov(["AAB", "BBA", "AB"])
    assert res.params["A->B"] == pytest.approx(2 / 3)
    assert res.n_obs == 5
    with pytest.warns(mk.NumericalWarning, match="never left"):
        r = mk.fit_markov("AAAB")
    assert math.isnan(r.params["B->A"])
    with pytest.raises(mk.DataError, match="at least 2 states"):
        mk.fit_markov("AAAA")
    with pytest.raises(mk.DataError, match="not in states"):
        mk.fit_markov("ABC", states=["A", "B"])
