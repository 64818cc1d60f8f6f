"""Estimates for every family: at least as good as scipy's fit, score ~ 0 at the optimum,
closed forms equal Newton, weights equal repetition, chunked statistics equal the whole."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import mlekit as mk
from mlekit._core import engine as _engine
from mlekit._fit.likelihood import Likelihood

from .cases import CASES, NONREGULAR, dist
from .scipy_ref import scipy_fit, scipy_loglik

NAMES = sorted(CASES)


def _sample(name: str, n: int, seed: int = 11) -> np.ndarray:
    return dist(name).sample(n, rng=seed)


def _trials(name: str) -> int | None:
    return 12 if name in ("binomial", "beta_binomial") else None


@pytest.mark.parametrize("name", NAMES)
def test_loglik_at_least_scipys_and_equal_to_scipys_formula(name: str) -> None:
    n = 400
    x = _sample(name, n)
    fam = CASES[name][0]
    res = mk.fit(x, fam)
    assert res.converged or name in NONREGULAR
    ref = scipy_fit(name, x) if _trials(name) is None else None
    if _trials(name) is not None:
        from .scipy_ref import discrete_fit
        ref = discrete_fit(name, x, n=12)
    ll_ref = scipy_loglik(name, ref, x, _trials(name))
    ll_mk_scipy = scipy_loglik(name, res.params, x, _trials(name))
    # mlekit's loglik (with every constant) equals scipy's formula at mlekit's estimate
    assert math.isclose(res.loglik, ll_mk_scipy, rel_tol=1e-10, abs_tol=1e-9)
    assert res.loglik >= ll_ref - 1e-9 * n, (res.params, ref)


@pytest.mark.parametrize("name", sorted(set(NAMES) - NONREGULAR))
def test_score_vanishes_at_the_optimum(name: str) -> None:
    x = _sample(name, 300, seed=5)
    res = mk.fit(x, CASES[name][0])
    lik = Likelihood(CASES[name][0], mk.Data(x))
    th = tuple(res.params[p] for p in res.param_names)
    _, g, H = lik.evaluate(th, 2)
    se = np.array([res.se[p] for p in res.param_names])
    # gradient times SE is dimensionless: the optimum is found to a tiny fraction of an SE
    assert np.all(np.abs(g * se) < 1e-5), (g, se)
    assert np.all(np.linalg.eigvalsh(-H) > 0)


@pytest.mark.parametrize("name", ["normal", "lognormal", "exponential", "gamma", "beta", "rayleigh",
                                  "inverse_gaussian", "poisson", "bernoulli", "binomial",
                                  "geometric", "negative_binomial", "laplace"])
def test_closed_forms_equal_newton(name: str) -> None:
    x = _sample(name, 500, seed=8)
    fam = CASES[name][0]
    a = mk.fit(x, fam)
    b = mk.fit(x, fam, method="newton")
    assert a.method != b.method or name == "laplace"
    for p in a.params:
        tol = 1e-4 if name == "laplace" else 1e-8
        assert math.isclose(a.params[p], b.params[p], rel_tol=tol, abs_tol=1e-10), p
        assert math.isclose(a.se[p], b.se[p], rel_tol=1e-5), p
    assert a.loglik >= b.loglik - 1e-9
    assert math.isclose(a.loglik, b.loglik, rel_tol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_integer_weights_equal_repetition(name: str) -> None:
    rng = np.random.default_rng(2)
    x = _sample(name, 150, seed=9)
    w = rng.integers(1, 4, size=x.size)
    fam = CASES[name][0]
    a = mk.fit(mk.Data(x, weights=w), fam)
    b = mk.fit(np.repeat(x, w), fam)
    assert a.n_obs == b.n_obs == w.sum()
    # threshold families: x-derivatives by differences limit the last digits (≪ 1 SE)
    rtol = 1e-5 if "threshold" in a.params else 1e-7
    for p in a.params:
        assert math.isclose(a.params[p], b.params[p], rel_tol=rtol, abs_tol=1e-10), p
        if math.isfinite(a.se[p]):
            assert math.isclose(a.se[p], b.se[p], rel_tol=1e-5), p
    assert math.isclose(a.loglik, b.loglik, rel_tol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_chunked_reduction_equals_whole(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    x = _sample(name, 1000, seed=4)
    fam = CASES[name][0]
    whole = mk.fit(x, fam)
    import mlekit._fit.likelihood as L
    monkeypatch.setattr(L, "CHUNK_ROWS", 97)
    monkeypatch.setattr(Likelihood.__init__, "__defaults__", (None, 97))
    import mlekit._fit.deferred as A
    import mlekit._fit.family_fit as F
    monkeypatch.setattr(F, "compress_counts", lambda d, min_rows=64: d)  # chunk the raw counts too
    monkeypatch.setattr(F, "compressed", lambda d: d)
    monkeypatch.setattr(A, "compressed", lambda d: d)
    chunked = mk.fit(x, fam)
    assert chunked.likelihood is not None and len(chunked.likelihood.chunks) > 5
    for p in whole.params:
        assert math.isclose(whole.params[p], chunked.params[p], rel_tol=1e-9, abs_tol=1e-12), p
    assert math.isclose(whole.loglik, chunked.loglik, rel_tol=1e-11)


def test_threaded_equals_single_threaded() -> None:
    x = dist("weibull").sample(700_000, rng=3)
    _engine.set_threads(1)
    try:
        a = mk.fit(x, "weibull")
    finally:
        _engine.set_threads(None)
    b = mk.fit(x, "weibull")
    assert a.params == b.params and a.loglik == b.loglik


def test_stats_merge_exactly() -> None:
    fam = mk.Normal()
    x = dist("normal").sample(10_001, rng=1)
    full = fam._suffstats(mk.Data(x))
    parts = [fam._suffstats(mk.Data(p)) for p in np.array_split(x, 7)]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged + p
    W, m, m2 = merged.moments["x"]
    Wf, mf, m2f = full.moments["x"]
    assert Wf == W and math.isclose(m, mf, rel_tol=1e-14) and math.isclose(m2, m2f, rel_tol=1e-12)


def test_fixed_parameters_are_excluded_and_respected() -> None:
    x = dist("gamma").sample(500, rng=2)
    res = mk.fit(x, mk.Gamma(), fixed={"shape": 4.0})
    assert res.params["shape"] == 4.0 and res.n_params == 1 and res.se["shape"] == 0.0
    assert math.isclose(res.params["scale"], x.mean() / 4.0, rel_tol=1e-12)
    assert res.ci()["shape"] == (4.0, 4.0)
    free = mk.fit(x, "gamma")
    assert free.n_params == 2 and free.loglik >= res.loglik


def test_start_is_a_guess_not_a_constraint() -> None:
    x = dist("weibull").sample(500, rng=2)
    a = mk.fit(x, "weibull")
    b = mk.fit(x, "weibull", start={"shape": 0.2, "scale": 50.0})
    for p in a.params:
        assert math.isclose(a.params[p], b.params[p], rel_tol=1e-8)


def test_non_regular_families_report_extremes() -> None:
    x = dist("uniform").sample(200, rng=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = mk.fit(x, "uniform")
    assert res.params == {"low": x.min(), "high": x.max()}
    assert all(math.isnan(res.se[p]) for p in res.params)
    assert any(d.code == "nonregular" for d in res.diagnostics)
    x = dist("pareto").sample(200, rng=3)
    res = mk.fit(x, "pareto")
    assert res.params["scale"] == x.min()
    assert math.isclose(res.params["shape"], x.size / np.log(x / x.min()).sum(), rel_tol=1e-12)
    assert math.isfinite(res.se["shape"]) and math.isnan(res.se["scale"])


@pytest.mark.parametrize("name", ["normal", "lognormal", "logistic", "gumbel", "cauchy", "loglogistic",
                                  "lomax", "student_t"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fused_sums_equal_per_observation_derivatives(name: str, weighted: bool) -> None:
    from mlekit._data.data import Block
    from mlekit._fit.likelihood import _reduce

    fam, params, _ = CASES[name]
    x = dist(name).sample(300, rng=2)
    w = np.random.default_rng(1).integers(1, 4, x.size).astype(float) if weighted else None
    th = tuple(v * 1.1 for v in params.values())
    fused = fam._exact_sums(Block(x, w), th)
    assert fused is not None
    blk = Block(x, w)
    k = len(th)
    ref = _reduce(blk, fam._d_logpdf(x, th, blk), list(range(k)), k, 2)
    assert math.isclose(fused[0], ref[0], rel_tol=1e-12)
    np.testing.assert_allclose(fused[1], ref[1], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(fused[2], ref[2], rtol=1e-10, atol=1e-10)
