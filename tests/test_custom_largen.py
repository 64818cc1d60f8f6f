"""Large custom-model fits without derivatives: Newton from the subsample's fit with the
subsample's Hessian (``_fit/warmstart.py``) equals the closed-form answer and calls the
user's function far fewer times on all the data than the general Newton."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mlekit as mk
from mlekit._core.domains import Positive, Real
from mlekit._fit.problem import Problem
from mlekit._fit.warmstart import refine


def _counting_gauss(calls: dict[int, int]):  # type: ignore[no-untyped-def]
    @mk.model(sigma=mk.Positive)
    def gauss(x, mu, sigma):
        calls[len(x)] = calls.get(len(x), 0) + 1
        return -0.5 * np.log(2 * np.pi) - np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)
    return gauss


@pytest.mark.parametrize("n", [60_000, 400_000])
def test_normal_equals_closed_form_with_few_full_passes(n: int) -> None:
    x = np.random.default_rng(n).normal(-3.1, 2.5, n)
    calls: dict[int, int] = {}
    res = mk.fit(_counting_gauss(calls), data=x)
    m, s = x.mean(), x.std()
    assert res.params["mu"] == pytest.approx(m, rel=1e-11)
    assert res.params["sigma"] == pytest.approx(s, rel=1e-10)
    assert res.se["mu"] == pytest.approx(s / math.sqrt(n), rel=1e-7)
    assert res.se["sigma"] == pytest.approx(s / math.sqrt(2 * n), rel=1e-7)
    ref = mk.fit(x, "normal")
    assert res.loglik == pytest.approx(ref.loglik, rel=1e-13, abs=1e-7)
    assert res.converged and "numerical" in res.method
    # the general Newton needed ~70 calls on all rows here; this path ~25 (2 parameters)
    assert calls[n] <= 30


def test_regression_three_parameters_weights() -> None:
    rng = np.random.default_rng(7)
    n = 120_000
    x = rng.uniform(0, 10, n)
    y = 1.5 + 0.8 * x + rng.normal(0, 0.7, n)
    w = rng.integers(1, 4, n).astype(float)

    @mk.model(sigma=mk.Positive)
    def linear(x, y, a, b, sigma):
        return -np.log(sigma) - 0.5 * ((y - a - b * x) / sigma) ** 2 - 0.5 * np.log(2 * np.pi)

    res = mk.fit(linear, data={"x": x, "y": y}, weights=w)
    X = np.c_[np.ones_like(x), x]
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    r = y - X @ beta
    s2 = float(np.sum(w * r * r) / w.sum())
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ (X * w[:, None]))) * s2)
    assert [res.params["a"], res.params["b"]] == pytest.approx(beta, rel=1e-10)
    assert res.params["sigma"] == pytest.approx(math.sqrt(s2), rel=1e-10)
    assert [res.se["a"], res.se["b"]] == pytest.approx(se, rel=1e-6)
    assert res.se["sigma"] == pytest.approx(math.sqrt(s2 / (2 * w.sum())), rel=1e-6)


def test_fixed_parameter_and_exponential() -> None:
    rng = np.random.default_rng(3)
    t = rng.exponential(2.0, 80_000)

    @mk.model(rate=mk.Positive, shape=mk.Positive)
    def gam(t, rate, shape):
        from scipy.special import gammaln
        return shape * np.log(rate) - gammaln(shape) + (shape - 1) * np.log(t) - rate * t

    res = mk.fit(gam, data=t, fixed={"shape": 1.0})
    assert res.params["rate"] == pytest.approx(1 / t.mean(), rel=1e-11)
    assert res.se["rate"] == pytest.approx(res.params["rate"] / math.sqrt(t.size), rel=1e-7)


def _quadratic_problem(center: np.ndarray, info: np.ndarray) -> Problem:
    def value(th: tuple[float, ...]) -> float:
        d = np.array([th[0], math.log(th[1])]) - center
        return float(-0.5 * d @ info @ d - 0.1 * d[1] ** 3 * info[1, 1])
    return Problem(["a", "s"], [Real, Positive], {}, value)


def test_refine_converges_or_declines() -> None:
    info = np.array([[4e5, 1e5], [1e5, 2e5]])
    center = np.array([0.3, 0.1])
    prob = _quadratic_problem(center, info)
    eta0 = center + np.array([5e-3, -8e-3])
    sol = refine(prob, eta0, -info * 1.01)
    assert sol is not None and sol.converged
    assert sol.eta == pytest.approx(center, abs=1e-9)
    assert -sol.hess[0, 0] == pytest.approx(info[0, 0], rel=1e-6)
    # a Hessian of the wrong shape of curvature: no fast convergence, the caller takes over
    assert refine(prob, eta0, -np.diag([4e3, 2e7])) is None
    assert refine(prob, eta0, info) is None                      # not negative definite
    assert refine(prob, eta0, np.full((2, 2), np.nan)) is None
