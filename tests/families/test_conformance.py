"""Every family passes one conformance suite: scipy agreement, normalisation, tails that agree
with the density, analytic derivatives that match finite differences, sampling moments."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate

import mlekit as mk

from .cases import CASES, NONREGULAR, dist

NAMES = sorted(CASES)


def test_every_registered_family_has_a_case() -> None:
    assert sorted(f["name"] for f in mk.families()) == NAMES
    assert len(NAMES) == 37


@pytest.mark.parametrize("name", NAMES)
def test_logpdf_logcdf_logsf_match_scipy(name: str) -> None:
    d = dist(name)
    sp = d.to_scipy()
    x = np.array(CASES[name][2], dtype=float)
    ref_pdf = sp.logpmf(x) if d.discrete else sp.logpdf(x)
    np.testing.assert_allclose(d.logpdf(x), ref_pdf, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d.logcdf(x), sp.logcdf(x), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d.logsf(x), sp.logsf(x), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_density_normalises_and_cdf_integrates_density(name: str) -> None:
    d = dist(name)
    if d.discrete:
        ks = np.arange(0, 400)
        assert math.isclose(float(np.sum(d.pdf(ks))), 1.0, rel_tol=1e-10)
        for k in CASES[name][2]:
            assert math.isclose(float(d.cdf(k)), float(np.sum(d.pdf(np.arange(0, k + 1)))),
                                rel_tol=1e-10)
        return
    lo = float(d.ppf(0.0)) if math.isfinite(float(d.ppf(0.0))) else -np.inf
    hi = float(d.ppf(1.0)) if math.isfinite(float(d.ppf(1.0))) else np.inf
    pts = [float(d.ppf(q)) for q in (0.01, 0.1, 0.5, 0.9, 0.99)]
    total = 0.0
    edges = [lo, *pts, hi]
    for a, b in zip(edges[:-1], edges[1:]):
        total += integrate.quad(lambda t: float(d.pdf(t)), a, b, limit=200, epsabs=1e-13)[0]
    assert math.isclose(total, 1.0, rel_tol=1e-8)
    for x in CASES[name][2]:
        part = integrate.quad(lambda t: float(d.pdf(t)), float(d.ppf(0.5)), x, limit=200)[0]
        assert math.isclose(float(d.cdf(x)) - 0.5, part, abs_tol=1e-9)
        assert math.isclose(float(d.cdf(x)) + float(d.sf(x)), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_ppf_inverts_cdf(name: str) -> None:
    d = dist(name)
    q = np.array([0.001, 0.1, 0.37, 0.5, 0.9, 0.999])
    x = d.ppf(q)
    if d.discrete:
        assert np.all(d.cdf(x) >= q - 1e-12)
        assert np.all(d.cdf(x - 1) < q)
    else:
        np.testing.assert_allclose(d.cdf(x), q, rtol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_samples_have_the_right_moments(name: str) -> None:
    d = dist(name)
    x = d.sample(200_000, rng=1)
    assert x.shape == (200_000,)
    sp = d.to_scipy()
    if name == "cauchy":
        assert abs(np.median(x) - sp.median()) < 0.02
        return
    m, v = sp.mean(), sp.var()
    assert abs(x.mean() - m) < 5 * math.sqrt(v / x.size)
    # the variance estimate: use a generous tolerance for heavy tails
    if name not in ("student_t", "pareto", "lomax", "loglogistic"):
        assert abs(x.var() / v - 1) < 0.03
    np.testing.assert_array_equal(d.sample(10, rng=7), d.sample(10, rng=7))


def _fd_check(fam: mk.Family, kind: str, x: np.ndarray, th: tuple[float, ...],
              skip: frozenset[tuple[int, int]] = frozenset()) -> None:
    f = {"pdf": fam._logpdf, "cdf": fam._logcdf, "sf": fam._logsf}[kind]
    df = {"pdf": fam._d_logpdf, "cdf": fam._d_logcdf, "sf": fam._d_logsf}[kind]
    d = df(x, th, None)
    if d is None:
        return
    k = len(th)
    np.testing.assert_allclose(np.broadcast_to(d[0], x.shape), f(x, th, None), rtol=1e-12, atol=1e-12)
    for i in range(k):
        h = 1e-5 * max(1.0, abs(th[i]))
        tp, tm = list(th), list(th)
        tp[i] += h
        tm[i] -= h
        fd = (f(x, tuple(tp), None) - f(x, tuple(tm), None)) / (2 * h)
        np.testing.assert_allclose(np.broadcast_to(d[1][i], x.shape), fd, rtol=2e-6, atol=1e-7,
                                   err_msg=f"{fam.name} {kind} d/d{fam.param_names[i]}")
        for j in range(k):
            if (i, j) in skip:
                continue
            gp = df(x, tuple(tp), None)[1][j]
            gm = df(x, tuple(tm), None)[1][j]
            fd2 = (np.asarray(gp) - np.asarray(gm)) / (2 * h)
            np.testing.assert_allclose(np.broadcast_to(d[2][i][j], x.shape), fd2, rtol=2e-5, atol=1e-6,
                                       err_msg=f"{fam.name} {kind} d2/d{fam.param_names[i]}d{fam.param_names[j]}")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["pdf", "cdf", "sf"])
def test_analytic_derivatives_match_finite_differences(name: str, kind: str) -> None:
    fam, params, xs = CASES[name]
    th = tuple(params[p] for p in fam.param_names)
    x = np.array(xs, dtype=float)
    if kind != "pdf" and fam.discrete:
        x = x[:-1]
    # laplace's d2/dloc2 is the expected curvature by design (tested below)
    skip = frozenset({(0, 0)}) if (name == "laplace" and kind == "pdf") else frozenset()
    if "threshold" in fam.param_names:
        # threshold derivatives are differences in x - threshold: differencing them again is
        # noise; they are checked with larger steps in test_threshold.py
        t = fam.param_names.index("threshold")
        skip = frozenset((i, j) for i in range(fam.k) for j in range(fam.k) if t in (i, j))
    if name in NONREGULAR and kind != "pdf":
        x = x[1:]
    _fd_check(fam, kind, x, th, skip)


def test_laplace_expected_curvature_gives_the_textbook_se() -> None:
    rng = np.random.default_rng(3)
    x = rng.laplace(1.0, 2.0, 4001)
    res = mk.fit(x, "laplace")
    b = res.params["scale"]
    assert math.isclose(res.se["loc"], b / math.sqrt(x.size), rel_tol=1e-9)
    assert math.isclose(res.se["scale"], b / math.sqrt(x.size), rel_tol=1e-6)
    assert res.cov_type == "expected"


@pytest.mark.parametrize("df", [150.0, 1e4, 1e8, 1e15])
def test_student_t_density_is_accurate_at_large_df(df: float) -> None:
    import mpmath as mp

    mp.mp.dps = 40
    x, n = mp.mpf("0.3"), mp.mpf(df)
    exact = (mp.loggamma((n + 1) / 2) - mp.loggamma(n / 2) - mp.log(n * mp.pi) / 2
             - (n + 1) / 2 * mp.log1p(x * x / n))
    assert abs(float(exact) - mk.StudentT(mu=0.0, sigma=1.0, df=df).logpdf(0.3)) < 1e-14
    _fd_check(mk.StudentT(), "pdf", np.array([-2.0, 0.3, 3.0]), (0.0, 1.0, min(df, 1e4)))


def test_student_t_on_normal_data_never_beats_the_normal_limit() -> None:
    x = np.random.default_rng(5).normal(3.0, 2.0, 2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = mk.fit(x, "student_t")
    assert t.loglik <= mk.fit(x, "normal").loglik + 1e-9
