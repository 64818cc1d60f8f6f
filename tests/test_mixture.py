"""Finite mixtures by EM: recovery of simulated parameters, SEs, censoring, weights, BIC."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import norm

import mlekit as mk


@pytest.fixture(scope="module")
def two_normals() -> np.ndarray:
    rng = np.random.default_rng(2)
    return np.r_[rng.normal(0, 1, 600), rng.normal(4, 0.7, 400)]


def test_recovers_simulated_normals(two_normals: np.ndarray) -> None:
    res = mk.fit_mixture(two_normals, ["normal", "normal"])
    assert list(res.params) == ["0.mu", "0.sigma", "1.mu", "1.sigma", "0.weight", "1.weight"]
    truth = {"0.mu": 0.0, "0.sigma": 1.0, "1.mu": 4.0, "1.sigma": 0.7, "0.weight": 0.6,
             "1.weight": 0.4}
    for p, v in truth.items():
        assert abs(res.params[p] - v) < 4 * res.se[p], p
    assert res.params["0.weight"] + res.params["1.weight"] == pytest.approx(1.0)
    assert res.se["0.weight"] == pytest.approx(res.se["1.weight"])
    assert res.n_params == 5 and res.converged
    assert str(res.summary()).count("weight") >= 2
    ci = res.ci()
    assert ci["1.mu"][0] < 4.0 < ci["1.mu"][1]
    # the reported point is the maximum: an independent optimiser does not improve on it
    x = two_normals

    def nll(p: np.ndarray) -> float:
        w = 1 / (1 + np.exp(-p[4]))
        return -float(np.sum(np.log(w * norm.pdf(x, p[0], np.exp(p[1]))
                                    + (1 - w) * norm.pdf(x, p[2], np.exp(p[3])))))
    p0 = np.array([res.params["0.mu"], np.log(res.params["0.sigma"]), res.params["1.mu"],
                   np.log(res.params["1.sigma"]), np.log(res.params["0.weight"] / res.params["1.weight"])])
    assert -nll(p0) == pytest.approx(res.loglik, rel=1e-12)
    opt = minimize(nll, p0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    assert -opt.fun <= res.loglik + 1e-8
    assert res.dist.cdf(2.0) == pytest.approx(
        res.params["0.weight"] * norm.cdf(2.0, res.params["0.mu"], res.params["0.sigma"])
        + res.params["1.weight"] * norm.cdf(2.0, res.params["1.mu"], res.params["1.sigma"]))


def test_integer_weights_equal_repetition(rng: np.random.Generator) -> None:
    x = np.r_[rng.normal(0, 1, 80), rng.normal(5, 1, 60)].round(1)
    vals, cnt = np.unique(x, return_counts=True)
    a = mk.fit_mixture(vals, "normal", k=2, weights=cnt)
    b = mk.fit_mixture(x, "normal", k=2)
    for p in b.params:
        assert a.params[p] == pytest.approx(b.params[p], rel=1e-6, abs=1e-9)
        assert a.se[p] == pytest.approx(b.se[p], rel=1e-4)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


def test_censored_weibull_mixture(rng: np.random.Generator) -> None:
    y = np.r_[rng.weibull(1.5, 400) * 10, rng.weibull(4.0, 400) * 40]
    c = rng.uniform(0, 60, y.size)
    d = mk.Data.right_censored(np.minimum(y, c), y <= c)
    res = mk.fit_mixture(d, ["weibull", "weibull"])
    truth = {"0.shape": 1.5, "0.scale": 10.0, "1.shape": 4.0, "1.scale": 40.0, "0.weight": 0.5}
    for p, v in truth.items():
        assert abs(res.params[p] - v) < 4 * res.se[p], p


def test_mixed_families_and_bad_input(rng: np.random.Generator) -> None:
    x = np.r_[rng.lognormal(0, 0.3, 300), rng.gamma(20, 0.5, 300)]
    res = mk.fit_mixture(x, ["lognormal", "gamma"])
    assert set(res.params) >= {"0.mu", "1.shape", "1.weight"}
    assert res.family == "mixture(lognormal, gamma)"
    with pytest.raises(mk.ParameterError, match="k="):
        mk.fit_mixture(x, "normal")
    with pytest.raises(mk.DataError):
        mk.fit_mixture([-1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], ["weibull", "weibull"])
    with pytest.raises(mk.DataError, match="parameters"):
        mk.fit_mixture([1.0, 2.0, 3.0], ["normal", "normal"])


@pytest.mark.slow
def test_bic_chooses_two_components(two_normals: np.ndarray) -> None:
    res = mk.fit_mixture(two_normals, "normal", k=range(1, 4))
    assert len(res.dist.comps) == 2
    bic = res.options["bic"]
    assert bic[2] < bic[1] and bic[2] < bic[3]
    assert any(d.code == "model-choice" for d in res.diagnostics)


def test_huge_k_is_refused_before_any_work() -> None:
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(mk.DataError, match="needs more than"):
        mk.fit_mixture(x, "normal", k=10**9)
    with pytest.raises(mk.ParameterError, match="positive integer"):
        mk.fit_mixture(x, "normal", k=0)
    with pytest.raises(mk.DataError, match="needs more than"):
        mk.fit_mixture(x, "normal", k=range(1, 10**9))
