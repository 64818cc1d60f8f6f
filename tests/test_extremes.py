"""GEV and generalised Pareto: the shape -> 0 limit, parameter-dependent supports, fits near
the support's edge, short records, the shape diagnostics, censoring, return levels."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import scipy.stats as st

import mlekit as mk
from mlekit._families.extreme import _Y
from mlekit._fit.likelihood import Likelihood


def _quiet_fit(*args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mk.fit(*args, **kwargs)


# ---------------------------------------------------------------------------- shape -> 0
@pytest.mark.parametrize("eps", [1e-6, 1e-9, 1e-13, 0.0, -1e-13, -1e-9, -1e-6])
def test_gev_is_continuous_with_the_gumbel(eps: float) -> None:
    """At shape = 0 the GEV is the Gumbel to rounding level; near 0 it departs from it by the
    first-order term shape * d/dshape (analytic, at 0) and a second-order remainder only."""
    x = np.array([-3.0, -0.5, 0.0, 0.7, 2.0, 6.0, 15.0])
    th0 = (0.5, 1.3, 0.0)
    gum = mk.Gumbel(loc=0.5, scale=1.3)
    g0 = mk.GEV(loc=0.5, scale=1.3, shape=0.0)
    for f in ("logpdf", "logcdf", "logsf"):
        assert np.max(np.abs(getattr(g0, f)(x) - getattr(gum, f)(x))) < 1e-12
    q = np.array([1e-6, 0.1, 0.5, 0.99, 1 - 1e-9])
    assert np.max(np.abs(g0.ppf(q) - gum.ppf(q))) < 1e-12
    g = mk.GEV(loc=0.5, scale=1.3, shape=eps)
    fam = mk.GEV()
    tol = 1e-12 + 1e5 * eps * eps
    for f, df in (("logpdf", fam._d_logpdf), ("logcdf", fam._d_logcdf), ("logsf", fam._d_logsf)):
        slope = df(x, th0, None)[1][2]
        first = getattr(gum, f)(x) + eps * slope
        assert np.max(np.abs(getattr(g, f)(x) - first)) < tol, f
    b = -np.log(-np.log(q))
    assert np.max(np.abs(g.ppf(q) - (gum.ppf(q) + eps * 1.3 * b * b / 2))) < tol


@pytest.mark.parametrize("eps", [1e-13, 0.0, -1e-13, 1e-7])
def test_gpd_is_continuous_with_the_exponential(eps: float) -> None:
    x = np.array([0.0, 0.01, 0.5, 2.0, 9.0, 40.0])
    ex = mk.Exponential(rate=1 / 2.5)
    g = mk.GeneralizedPareto(scale=2.5, shape=eps)
    fam = mk.GeneralizedPareto()
    tol = 1e-12 + 1e4 * eps * eps
    for f, df in (("logpdf", fam._d_logpdf), ("logsf", fam._d_logsf), ("logcdf", fam._d_logcdf)):
        xs = x[1:] if f == "logcdf" else x
        first = getattr(ex, f)(xs) + eps * df(xs, (2.5, 0.0), None)[1][1]
        assert np.max(np.abs(getattr(g, f)(xs) - first)) < tol, f
    q = np.array([0.01, 0.5, 0.99])
    b = -np.log1p(-q)
    assert np.max(np.abs(g.ppf(q) - (ex.ppf(q) + eps * 2.5 * b * b / 2))) < tol


def test_series_branch_joins_the_closed_form_smoothly() -> None:
    """y(z, xi) and its xi derivatives on both sides of |xi z| = 0.1 (series / closed form)."""
    z = np.array([1.0])
    for u in (0.0999999, 0.1000001, -0.0999999, -0.1000001):
        Y = _Y(z, np.array([u]), 2)
        exact = math.log1p(u) / u
        assert abs(Y.y[0] - exact) < 1e-15
        d1 = (u / (1 + u) - math.log1p(u)) / u**2
        assert abs(Y.y_xi[0] - d1) < 1e-13
    # derivative at xi = 0: -z^2/2, second: 2 z^3 / 3
    Y = _Y(np.array([2.0]), np.array([0.0]), 2)
    assert Y.y[0] == 2.0 and abs(Y.y_xi[0] + 2.0) < 1e-15 and abs(Y.y_xixi[0] - 16 / 3) < 1e-14


def test_derivatives_at_shape_zero_match_finite_differences() -> None:
    from tests.families.test_conformance import _fd_check

    _fd_check(mk.GEV(), "pdf", np.array([-2.0, 0.1, 1.0, 5.0]), (0.3, 1.2, 0.0))
    _fd_check(mk.GEV(), "sf", np.array([-2.0, 0.1, 1.0, 5.0]), (0.3, 1.2, 0.0))
    _fd_check(mk.GeneralizedPareto(), "pdf", np.array([0.0, 0.1, 1.0, 5.0]), (1.2, 0.0))
    _fd_check(mk.GeneralizedPareto(), "cdf", np.array([0.1, 1.0, 5.0]), (1.2, 0.0))


# ---------------------------------------------------------------------------- supports
def test_support_depends_on_the_parameters() -> None:
    g = mk.GEV(loc=0.0, scale=1.0, shape=0.5)        # lower end -2
    assert g.logpdf(-2.5) == -math.inf and g.cdf(-2.5) == 0.0 and g.sf(-2.5) == 1.0
    assert math.isfinite(g.logpdf(-1.9))
    w = mk.GEV(loc=0.0, scale=1.0, shape=-0.5)       # upper end 2
    assert w.logpdf(2.5) == -math.inf and w.cdf(2.5) == 1.0 and w.sf(2.5) == 0.0
    assert w.ppf(1.0) == pytest.approx(2.0) and g.ppf(0.0) == pytest.approx(-2.0)
    p = mk.GeneralizedPareto(scale=2.0, shape=-0.25)  # upper end 8
    assert p.logpdf(8.5) == -math.inf and p.sf(8.5) == 0.0 and p.ppf(1.0) == pytest.approx(8.0)
    assert p.logpdf(0.0) == pytest.approx(-math.log(2.0))


def test_scipy_mapping_uses_scipys_signs() -> None:
    g = mk.GEV(loc=1.0, scale=2.0, shape=0.3).to_scipy()
    assert g.dist.name == "genextreme" and g.args[0] == -0.3
    p = mk.GeneralizedPareto(scale=2.0, shape=0.3).to_scipy()
    assert p.dist.name == "genpareto" and p.args[0] == 0.3
    x = np.linspace(0.1, 8, 9)
    np.testing.assert_allclose(mk.GeneralizedPareto(scale=2.0, shape=0.3).logpdf(x),
                               st.genpareto.logpdf(x, 0.3, 0, 2.0), rtol=1e-12)


def test_aliases() -> None:
    assert mk.get_family("gpd").name == "genpareto"
    assert mk.get_family("genextreme").name == "gev"
    assert {"gev", "genpareto"} <= {f["name"] for f in mk.families()}


# ---------------------------------------------------------------------------- fitting
def test_fit_beats_scipy_and_finds_the_optimum() -> None:
    x = mk.GEV(loc=10, scale=2, shape=0.15).sample(500, rng=4)
    res = mk.fit(x, "gev")
    c, loc, scale = st.genextreme.fit(x)
    assert res.loglik >= float(np.sum(st.genextreme.logpdf(x, c, loc, scale))) - 1e-9
    lik = Likelihood(mk.GEV(), mk.Data(x))
    _, g, _ = lik.evaluate(tuple(res.params.values()), 2)
    se = np.array(list(res.se.values()))
    assert np.all(np.abs(g * se) < 1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_short_records_never_explode_silently(seed: int) -> None:
    x = mk.GEV(loc=20, scale=3, shape=-0.1).sample(12, rng=seed)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = mk.fit(x, "gev")
    codes = {d.code for d in res.diagnostics}
    assert math.isfinite(res.loglik)
    if res.params["shape"] < -0.5:
        assert codes & {"nonregular-shape", "unbounded-likelihood"}
        assert w
    else:
        assert res.converged
        assert abs(res.params["shape"]) < 2


def test_fit_close_to_the_support_edge_stays_inside() -> None:
    """Bounded data (a short upper tail): the MLE's end point sits just above the maximum;
    Newton never steps outside the support (the log-likelihood stays finite)."""
    x = mk.GEV(loc=0.0, scale=1.0, shape=-0.45).sample(400, rng=2)
    res = _quiet_fit(x, "gev")
    p = res.params
    end = p["loc"] - p["scale"] / p["shape"]
    assert end > x.max()
    assert math.isfinite(res.loglik) and res.converged
    y = mk.GeneralizedPareto(scale=1.0, shape=-0.4).sample(300, rng=3)
    r2 = _quiet_fit(y, "gpd")
    assert -r2.params["scale"] / r2.params["shape"] > y.max() and r2.converged


def test_nonregular_shape_is_named() -> None:
    x = mk.GEV(loc=0.0, scale=1.0, shape=-0.7).sample(300, rng=5)
    with pytest.warns(mk.NumericalWarning, match="asymptotics"):
        res = mk.fit(x, "gev")
    d = [d for d in res.diagnostics if d.code in ("nonregular-shape", "unbounded-likelihood")]
    assert d and d[0].param == "shape"


def test_unbounded_likelihood_names_the_remedy() -> None:
    x = mk.GeneralizedPareto(scale=1.0, shape=-1.5).sample(200, rng=6)
    with pytest.warns(Warning) as rec:
        res = mk.fit(x, "gpd")
    msgs = " ".join(str(r.message) for r in rec)
    codes = {d.code for d in res.diagnostics}
    assert "unbounded-likelihood" in codes, (res.params, codes)
    assert "fix the shape" in msgs and "more data" in msgs


def test_fixed_shape_is_not_flagged() -> None:
    x = mk.GEV(loc=0.0, scale=1.0, shape=0.1).sample(100, rng=7)
    res = mk.fit(x, "gev", fixed={"shape": -0.8})
    assert res.params["shape"] == -0.8 and res.converged
    assert not [d for d in res.diagnostics if "shape" in d.code]


def test_right_censored_gpd_and_weights() -> None:
    y = mk.GeneralizedPareto(scale=2.0, shape=0.2).sample(400, rng=8)
    cap = 8.0
    obs = y < cap
    res = mk.fit(mk.Data.right_censored(np.minimum(y, cap), observed=obs), "genpareto")
    assert res.converged and abs(res.params["shape"] - 0.2) < 3 * res.se["shape"]
    vals, counts = np.unique(np.round(y, 1), return_counts=True)
    rw = mk.fit(vals, "gpd", weights=counts)
    rr = mk.fit(np.repeat(vals, counts), "gpd")
    assert rw.params["shape"] == pytest.approx(rr.params["shape"], rel=1e-8)


def test_lr_tests_nest_gumbel_and_exponential() -> None:
    x = mk.GEV(loc=0.0, scale=1.0, shape=0.0).sample(200, rng=9)
    lr = mk.lr_test(mk.fit(x, "gumbel"), mk.fit(x, "gev"))
    assert lr.df == 1 and lr.statistic >= 0
    y = mk.GeneralizedPareto(scale=1.0, shape=0.0).sample(200, rng=9)
    lr2 = mk.lr_test(mk.fit(y, "exponential"), mk.fit(y, "gpd"))
    assert lr2.df == 1 and lr2.statistic >= -1e-9


def test_compare_all_includes_gev_and_gpd() -> None:
    x = mk.GEV(loc=5.0, scale=1.0, shape=0.1).sample(80, rng=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "gev" in mk.compare(x - 10, "all")          # real-valued (some negative)
        assert "genpareto" in mk.compare(np.abs(x - 5), "all")  # non-negative


def test_grouped_gev() -> None:
    rng = np.random.default_rng(11)
    labels = np.repeat(["a", "b", "c"], 60)
    x = np.concatenate([mk.GEV(loc=m, scale=1.0, shape=0.1).sample(60, rng=rng)
                        for m in (0.0, 5.0, 10.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = mk.fit(x, "gev", by=labels)
    for lab in "abc":
        one = _quiet_fit(x[labels == lab], "gev")
        row = g.params.loc[lab] if hasattr(g.params, "loc") else g[lab].params
        for p in ("loc", "scale", "shape"):
            assert row[p] == pytest.approx(one.params[p], rel=1e-6, abs=1e-8)


# ---------------------------------------------------------------------------- return levels
def test_return_level_is_the_quantile_and_invariant() -> None:
    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(100, rng=12)
    res = mk.fit(x, "gev")
    d = res.return_level(100, method="delta")
    assert d.estimate == pytest.approx(float(res.dist.ppf(0.99)), rel=1e-12)
    q = res.quantile(0.99, scale="identity")
    assert d.se == pytest.approx(q.se, rel=1e-5)
    prof = res.return_level(100)
    assert prof.ci[0] < d.estimate < prof.ci[1]
    gen = res.quantile(0.99, method="profile", scale="identity")
    assert prof.ci[0] == pytest.approx(gen.ci[0], rel=1e-4)
    assert prof.ci[1] == pytest.approx(gen.ci[1], rel=1e-4)
    many = res.return_level([10, 50, 100])
    assert np.all(np.diff(many.estimate) > 0) and many.ci[0].shape == (3,)
    assert res.return_period(d.estimate).estimate == pytest.approx(100.0, rel=1e-9)


def test_return_level_near_shape_zero_and_for_gumbel() -> None:
    x = mk.GEV(loc=10, scale=2, shape=0.0).sample(100, rng=13)
    gev = mk.fit(x, "gev", fixed=None)
    assert math.isfinite(gev.return_level(100).ci[1])
    gum = mk.fit(x, "gumbel")
    r = gum.return_level(100)
    assert r.estimate == pytest.approx(float(gum.dist.ppf(0.99)))
    assert r.ci[0] < r.estimate < r.ci[1]


def test_gpd_return_level_counts_exceedances() -> None:
    y = mk.GeneralizedPareto(scale=2.0, shape=0.1).sample(200, rng=14)
    res = mk.fit(y, "gpd")
    d = res.return_level(50)
    assert d.estimate == pytest.approx(float(res.dist.ppf(1 - 1 / 50)), rel=1e-12)
    assert d.ci[0] < d.estimate < d.ci[1]


def test_profile_return_level_is_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # the profile interval's cost in likelihood evaluations (99 when written; its time is in
    # docs/benchmarks.md, from bench/bench_extremes.py): a warm-started profile, not a search
    from mlekit._fit.likelihood import Likelihood

    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(100, rng=15)
    res = mk.fit(x, "gev")
    calls = [0]
    evaluate = Likelihood.evaluate

    def counted(self: Likelihood, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        return evaluate(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Likelihood, "evaluate", counted)
    d = res.return_level(100)
    assert d.ci[0] < d.estimate < d.ci[1]
    assert 0 < calls[0] <= 200


def test_return_level_argument_errors() -> None:
    res = mk.fit(mk.GEV(loc=0, scale=1, shape=0).sample(50, rng=1), "gev")
    with pytest.raises(mk.ParameterError, match="> 1"):
        res.return_level(0.5)
    with pytest.raises(mk.ParameterError, match="method"):
        res.return_level(100, method="bootstrap")


def test_logpdf_helpers_for_extremes() -> None:
    x = np.array([-2.0, 0.0, 1.0, 5.0, 50.0])
    for xi in (-0.3, 0.0, 1e-12, 0.4):
        np.testing.assert_allclose(mk.logpdf.gev(x, 1.0, 2.0, xi),
                                   mk.GEV(loc=1.0, scale=2.0, shape=xi).logpdf(x), rtol=1e-10)
        y = np.abs(x)
        np.testing.assert_allclose(mk.logpdf.genpareto(y, 2.0, xi),
                                   mk.GeneralizedPareto(scale=2.0, shape=xi).logpdf(y), rtol=1e-10)


@pytest.mark.parametrize("shape", [-0.3, 0.0, 1e-4, 1e-3, 0.004, 0.2, 0.6])
@pytest.mark.parametrize("weighted", [False, True])
def test_gev_fused_sums_match_per_observation_derivatives(shape: float, weighted: bool) -> None:
    """The fused GEV (loglik, grad, hess) used by the fast Newton and the likelihood equals the
    sums of the per-observation analytic derivatives, on both sides of the series cut-off."""
    from mlekit._data.data import Data
    from mlekit._families.extreme import GEV

    x = mk.GEV(loc=10.0, scale=2.0, shape=shape).sample(5000, rng=3)
    w = np.random.default_rng(4).uniform(0.5, 2.0, x.size) if weighted else None
    blk = Data(x, weights=w).exact
    th = (10.05, 2.03, shape)
    fam = GEV()
    fused = fam._exact_sums(blk, th)
    assert fused is not None
    v, g, H = fam._d_logpdf(blk.x, th, blk)
    ll = blk.wsum_of(v)
    gg = np.array([blk.wsum_of(a) for a in g])
    HH = np.array([[blk.wsum_of(a) for a in row] for row in H])
    assert fused[0] == pytest.approx(ll, rel=1e-13)
    np.testing.assert_allclose(fused[1], gg, rtol=1e-9, atol=1e-9 * np.abs(gg).max())
    np.testing.assert_allclose(fused[2], HH, rtol=1e-9)
    # a value outside the support: no fused sums (the general path returns -inf)
    assert fam._exact_sums(blk, (10.0, 2.0, -5.0)) is None


# ---------------------------------------------------------------- bounded profile search
def _count_profile_fits(monkeypatch: Any) -> dict[str, int]:
    from mlekit._inference import extremes as ex

    count = {"fits": 0}
    real = ex.newton

    def counted(*a: Any, **k: Any) -> Any:
        count["fits"] += 1
        return real(*a, **k)

    monkeypatch.setattr(ex, "newton", counted)
    return count


@pytest.mark.parametrize("seed", [0, 1, 6])
def test_profile_return_level_cost_is_bounded(monkeypatch: Any, seed: int) -> None:
    """Seven points from a GEV with shape -0.499 (issue 11: 21 s): flat and irregular profiles
    (the shape -1 edge, another branch of the nuisance) cost at most MAX_PROFILE_FITS Newton
    runs per end, and an end the budget did not settle says so."""
    from mlekit._inference import extremes as ex

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = mk.GEV(loc=0, scale=1, shape=-0.499).sample(7, rng=seed)
        res = mk.fit(x, "gev")
    count = _count_profile_fits(monkeypatch)
    T = [2.0, 10.0, 100.0, 1000.0]
    d = res.return_level(T)
    assert count["fits"] <= 2 * len(T) * ex.MAX_PROFILE_FITS
    if not res.converged:          # the shape ran to -1: no maximum, no profile
        assert count["fits"] == 0 and "did not converge" in d.note
        assert np.all(np.isnan(np.asarray(d.ci[0])))
        return
    assert count["fits"] > 0
    lo, hi = (np.asarray(v) for v in d.ci)
    assert np.all(lo <= np.asarray(d.estimate)) and np.all(np.asarray(d.estimate) <= hi)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) and "profile points" in d.note:
        assert "±inf" in d.note


def test_profile_return_level_far_branch_not_a_bracket() -> None:
    """The upper end for T = 100 on seven points: the profile deviance levels off below the
    cutoff (an open end), and a Newton run landing on another branch of the nuisance (deviance
    54 with the slope pointing back) is not taken for the crossing (it was: 79.97)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = mk.GEV(loc=0, scale=1, shape=-0.499).sample(7, rng=0)
        res = mk.fit(x, "gev")
    assert res.return_level(100).ci[1] > 100


def test_return_levels_warm_start_between_periods(monkeypatch: Any) -> None:
    """Each period's search starts from the end found for the previous one (its level under
    the next period lies inside the deviance region, near the end): fewer profile fits, the
    same interval."""
    from mlekit._inference import extremes as ex

    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(2000, rng=1)
    res = mk.fit(x, "gev")
    T = np.geomspace(1.5, 1e4, 12)
    count = _count_profile_fits(monkeypatch)
    warm = res.return_level(T)
    n_warm = count["fits"]
    real_end = ex._end
    monkeypatch.setattr(ex, "_end", lambda *a, **k: real_end(*a[:6]))
    count["fits"] = 0
    cold = res.return_level(T)
    assert n_warm < count["fits"]
    for a, b in zip(warm.ci, cold.ci):
        np.testing.assert_allclose(a, b, rtol=1e-8)
    assert not warm.note


# ------------------------------------------------------- the GEV and GPD sides of one level loop
def test_gpd_return_level_guards() -> None:
    """The GPD side's own guards: a positive finite rate; a period longer than the mean time
    between exceedances (at any position in ``T``, either method); no profile interval (NaN,
    no note) where the shape is fixed or there is no likelihood (the bias-corrected fit), the
    delta interval still there; a fit that did not converge says so."""
    from mlekit._inference.extremes import gpd_return_level

    y = mk.GeneralizedPareto(scale=2.0, shape=0.2).sample(150, rng=14)
    res = mk.fit(y, "gpd")
    for bad in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(mk.ParameterError, match="the exceedance rate must be positive"):
            gpd_return_level(res, 10, rate=bad)
    for method in ("profile", "delta"):
        with pytest.raises(mk.ParameterError, match=r"^T = 1\.5 blocks is shorter than the mean "
                           r"time between exceedances \(1/rate = 2\); give a longer period\.$"):
            gpd_return_level(res, [4, 1.5], rate=0.5, method=method)
    assert math.isfinite(gpd_return_level(res, 2.0001, rate=0.5).ci[1])
    for no_profile in (_quiet_fit(y, "gpd", fixed={"shape": 0.2}), res.bias_corrected()):
        d = no_profile.return_level([10, 100])
        assert np.all(np.isnan(d.ci[0])) and np.all(np.isnan(d.ci[1])) and d.note == ""
        assert np.all(np.isfinite(d.se)) and d.method == "profile"
        delta = no_profile.return_level([10, 100], method="delta")
        np.testing.assert_array_equal(delta.estimate, d.estimate)
        np.testing.assert_array_equal(delta.se, d.se)
        assert np.all(np.asarray(delta.ci[0]) < np.asarray(delta.estimate))
    stuck = _quiet_fit(mk.GeneralizedPareto(scale=1, shape=-0.9).sample(10, rng=0), "gpd")
    assert not stuck.converged
    d = stuck.return_level([10, 100])
    assert np.all(np.isnan(d.ci[0])) and "did not converge" in d.note
    assert np.all(np.isfinite(d.estimate))


def test_gev_return_level_guards() -> None:
    """The GEV side has no guard of its own in the loop: every period > 1 has a level and a
    profile interval, with or without a rate (none: a GEV period counts blocks); a fixed shape
    goes to the quantile at ``1 - 1/T`` instead; a fit that did not converge
    says so. (No likelihood, the bias-corrected fit: the delta-method SE on its covariance,
    below.)"""
    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(80, rng=12)
    res = mk.fit(x, "gev")
    d = res.return_level([1.0001, 100.0])
    assert np.all(np.isfinite(d.ci[0])) and np.all(np.isfinite(d.ci[1])) and not d.note
    np.testing.assert_allclose(d.estimate, res.dist.ppf(1.0 - 1.0 / np.array([1.0001, 100.0])),
                               rtol=1e-12)
    fixed = _quiet_fit(x, "gev", fixed={"shape": 0.1})
    q = fixed.quantile(0.99, scale="identity", method="profile")
    f = fixed.return_level(100)
    assert (f.estimate, f.se, f.ci) == (q.estimate, q.se, q.ci) and f.name == "return_level(100)"
    nolik = res.bias_corrected().return_level(100)
    assert nolik.estimate == pytest.approx(float(res.bias_corrected().dist.ppf(0.99)), rel=1e-12)
    assert math.isnan(nolik.ci[0]) and math.isnan(nolik.ci[1])
    for seed in range(6):
        stuck = _quiet_fit(mk.GEV(loc=0, scale=1, shape=-0.9).sample(15, rng=seed), "gev")
        assert not stuck.converged
        d = stuck.return_level([10, 100])
        assert np.all(np.isnan(d.ci[1])) and "did not converge" in d.note
        delta = stuck.return_level(100, method="delta")
        assert delta.note == "" and delta.estimate == d.estimate[1]


def _names_of(T: Any) -> str:
    """What a return level of the periods ``T`` is called, written out independently."""
    flat = [float(v) for v in np.ravel(T)]
    if np.ndim(T) == 0:
        return f"return_level({flat[0]:g})"
    shown = ", ".join(f"{v:g}" for v in flat[:3]) + (", …" if len(flat) > 3 else "")
    return f"return_level({shown})"


def test_return_levels_are_named_by_their_periods_on_every_path() -> None:
    """The name says the periods the user passed — scalar, list (more than three: the first
    three and "…"), 2-D — on the GEV/GPD's own levels and where the level is the fitted
    quantile at ``1 - 1/T`` (a fixed GEV shape, other families), for both methods (was
    ``return_level(0.9, 0.98, 0.99)`` for ``[10, 50, 100]`` on the quantile path)."""
    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(60, rng=12)
    fits = {"gev": mk.fit(x, "gev"), "gev fixed": _quiet_fit(x, "gev", fixed={"shape": 0.1}),
            "gumbel": mk.fit(x, "gumbel"),
            "gpd": mk.fit(mk.GeneralizedPareto(scale=2.0, shape=0.1).sample(60, rng=14), "gpd")}
    periods = [50, 12.5, [10, 50, 100], [10, 20, 50, 100], np.array([[10.0, 20.0], [50.0, 100.0]])]
    for key, res in fits.items():
        for T in periods:
            for method in ("delta", "profile"):
                d = res.return_level(T, method=method)
                assert d.name == _names_of(T), (key, T, method)
                assert d.to_dict()["name"] == d.name
                assert np.shape(d.estimate) == np.shape(d.se) == np.shape(d.ci[0]) == np.shape(T)
                np.testing.assert_allclose(d.estimate, res.dist.ppf(1 - 1 / np.asarray(T, float)),
                                           rtol=1e-10)
                assert np.all(np.isfinite(d.ci[0])) and np.all(np.isfinite(d.ci[1]))
    assert fits["gumbel"].return_level([10, 50, 100]).name == "return_level(10, 50, 100)"
    assert (repr(fits["gev fixed"].return_level([10, 20, 50, 100], method="delta"))
            == "Derived(return_level(10, 20, 50, …): 4 values, 95% CI by delta)")


def _gev_level(th: np.ndarray, T: float) -> float:
    loc, scale, shape = th
    y = -math.log1p(-1.0 / T)
    return loc + scale * (y**-shape - 1.0) / shape


def _fd_delta_se(res: Any, T: float) -> float:
    """The delta-method SE of the GEV level by central differences on ``res.cov``."""
    th = np.array([res.params[p] for p in ("loc", "scale", "shape")])
    grad = np.empty(3)
    for j in range(3):
        h = 1e-5 * max(abs(th[j]), 1.0)
        e = np.zeros(3)
        e[j] = h
        grad[j] = (_gev_level(th + e, T) - _gev_level(th - e, T)) / (2 * h)
    return math.sqrt(grad @ np.asarray(res.cov) @ grad)


def test_bias_corrected_gev_return_level_has_the_delta_se() -> None:
    """A bias-corrected GEV fit (no likelihood) gives its return levels the delta-method SE on
    its covariance at the corrected estimate, as the GPD's (was NaN: it took the generic
    quantile, which has no SE without a likelihood); no profile interval (NaN, no note), the
    delta interval around the corrected level."""
    x = mk.GEV(loc=10, scale=2, shape=0.1).sample(80, rng=12)
    for fixed in (None, {"shape": 0.1}):
        res = _quiet_fit(x, "gev", fixed=fixed)
        bc = res.bias_corrected()
        assert bc.likelihood is None and bc.params != res.params
        np.testing.assert_array_equal(bc.cov, res.cov)
        Ts = [10.0, 100.0, 1000.0]
        d = bc.return_level(Ts)
        for k, T in enumerate(Ts):
            assert d.estimate[k] == pytest.approx(_gev_level(
                np.array([bc.params[p] for p in ("loc", "scale", "shape")]), T), rel=1e-12)
            assert d.se[k] == pytest.approx(_fd_delta_se(bc, T), rel=1e-6)
        assert np.all(np.isnan(d.ci[0])) and np.all(np.isnan(d.ci[1])) and d.note == ""
        one = bc.return_level(100, method="delta")
        assert one.se == pytest.approx(_fd_delta_se(bc, 100.0), rel=1e-6) and one.se > 0
        z = float(st.norm.ppf(0.975))
        assert one.ci == pytest.approx((one.estimate - z * one.se, one.estimate + z * one.se),
                                       rel=1e-12)
