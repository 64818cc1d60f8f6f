"""Grouped fits: ``mk.fit(x, family, by=labels)`` equals one separate fit per group."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so
import scipy.stats as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import mlekit as mk
from mlekit._scale.grouped import layout as _grouped_core
from mlekit.errors import BoundaryWarning, ConvergenceError, DataError, NumericalWarning, ParameterError


def _separate(x, fam, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mk.fit(x, fam, **kw)


def _assert_same(g, i, sep, rel_ll=1e-10):
    """Group ``i`` of a grouped fit equals a separate fit (to the optimiser's tolerance:
    Newton stops at a decrement of 1e-12, i.e. within ~1e-6 standard errors)."""
    for j, p in enumerate(g.param_names):
        v, s = g.estimates[i, j], sep.params[p]
        tol = 2e-6 * (sep.se[p] if math.isfinite(sep.se[p]) else abs(s)) + 1e-12 * abs(s)
        assert abs(v - s) <= tol, (p, v, s)
        if math.isfinite(sep.se[p]) and sep.se[p] > 0:
            assert g.se[i, j] == pytest.approx(sep.se[p], rel=1e-5)
    assert g.loglik[i] == pytest.approx(sep.loglik, rel=rel_ll, abs=1e-9)


FAMILIES = {
    "normal": lambda r, n: r.normal(r.uniform(-3, 3), r.uniform(0.5, 2), n),
    "lognormal": lambda r, n: r.lognormal(r.uniform(-1, 1), r.uniform(0.3, 1), n),
    "exponential": lambda r, n: r.exponential(r.uniform(0.5, 3), n),
    "gamma": lambda r, n: r.gamma(r.uniform(0.7, 4), r.uniform(0.5, 2), n),
    "weibull": lambda r, n: r.uniform(0.5, 3) * r.weibull(r.uniform(0.7, 3), n),
    "loglogistic": lambda r, n: np.exp(r.logistic(r.uniform(-1, 1), r.uniform(0.2, 0.6), n)),
    "gumbel": lambda r, n: r.gumbel(r.uniform(-1, 1), r.uniform(0.5, 2), n),
    "poisson": lambda r, n: r.poisson(r.uniform(0.5, 8), n).astype(float),
    "negative_binomial": lambda r, n: r.negative_binomial(r.uniform(1, 5), r.uniform(0.2, 0.6),
                                                          n).astype(float),
    "inverse_gaussian": lambda r, n: r.wald(r.uniform(0.5, 2), r.uniform(1, 4), n),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(family=hs.sampled_from(sorted(FAMILIES)), n_groups=hs.integers(1, 6),
       sizes=hs.lists(hs.integers(12, 40), min_size=6, max_size=6), seed=hs.integers(0, 2**31))
def test_grouped_equals_separate_fits(family, n_groups, sizes, seed):
    r = np.random.default_rng(seed)
    xs = [FAMILIES[family](r, sizes[i]) for i in range(n_groups)]
    labels = np.concatenate([np.full(len(v), f"g{i}") for i, v in enumerate(xs)])
    perm = r.permutation(labels.size)          # groups need not be contiguous
    x = np.concatenate(xs)[perm]
    labels = labels[perm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = mk.fit(x, family, by=labels)
    for i, lab in enumerate(g.labels):
        sep = _separate(x[labels == lab], family)
        if not sep.warnings and g.status[i] == "ok":
            _assert_same(g, i, sep)
        elif sep.method == "degenerate":
            assert g.status[i] == "degenerate"
        else:
            # an estimate at (or running to) the edge of the domain, e.g. negative-binomial
            # size -> inf for under-dispersed counts: the grouped fit may flag it differently,
            # but it never stops at a lower log-likelihood than the separate fit
            assert g.loglik[i] >= sep.loglik - 1e-8 * abs(sep.loglik)


def _two_groups(rng, n=60):
    x = np.concatenate([2.0 * rng.weibull(1.5, n), 5.0 * rng.weibull(0.9, n)])
    return x, np.repeat(["a", "b"], n)


@pytest.mark.parametrize("family", ["weibull", "gamma", "loglogistic", "lognormal", "exponential"])
def test_right_censored_groups(rng, family):
    x, lab = _two_groups(rng)
    obs = rng.random(x.size) < 0.7
    data = mk.Data.right_censored(x, obs)
    g = mk.fit(data, family, by=lab)
    for i, key in enumerate(["a", "b"]):
        m = lab == key
        _assert_same(g, i, _separate(mk.Data.right_censored(x[m], obs[m]), family))


def test_interval_truncation_weights_fixed(rng):
    x, lab = _two_groups(rng, 50)
    lo, hi = np.floor(x * 4) / 4, np.floor(x * 4) / 4 + 0.25
    lo[::7] = -np.inf
    lo[lo == 0] = -np.inf   # (a lower bound of exactly 0 trips a core Weibull NaN; see report)
    g = mk.fit(mk.Data.interval(lo, hi), "weibull", by=lab)
    for i, key in enumerate("ab"):
        m = lab == key
        _assert_same(g, i, _separate(mk.Data.interval(lo[m], hi[m]), "weibull"))
    y = x[x < 6]
    ly = lab[x < 6]
    g = mk.fit(mk.Data(y, truncation=(0, 6)), "gamma", by=ly)
    for i, key in enumerate("ab"):
        _assert_same(g, i, _separate(mk.Data(y[ly == key], truncation=(0, 6)), "gamma"))
    w = rng.integers(1, 4, x.size).astype(float)
    g = mk.fit(x, "weibull", by=lab, weights=w)
    for i, key in enumerate("ab"):
        _assert_same(g, i, _separate(x[lab == key], "weibull", weights=w[lab == key]))
    g = mk.fit(x, "gamma", by=lab, fixed={"shape": 1.3})
    for i, key in enumerate("ab"):
        _assert_same(g, i, _separate(x[lab == key], "gamma", fixed={"shape": 1.3}))
        assert g.se[i, 0] == 0.0


@pytest.mark.parametrize("family, fixed", [
    ("uniform", {"low": -1.0}),
    ("uniform", {"high": 3.0}),
    ("uniform", {"low": -1.0, "high": 3.0}),
    ("pareto", {"shape": 2.0}),
    ("pareto", {"shape": 2.0, "scale": 1.0}),
    ("normal", {"mu": 1.0, "sigma": 2.0}),
    ("weibull", {"shape": 1.5, "scale": 2.0}),
])
def test_nothing_left_to_optimise(rng, family, fixed):
    """Every parameter fixed or a sample extreme (a uniform with one bound fixed): each group
    is what a separate fit with the same fixed values gives (was a bare IndexError from the
    batched Newton with no free parameter)."""
    x = {"uniform": rng.uniform(-1.0, 3.0, 60), "pareto": 1.5 + rng.pareto(2.0, 60),
         "normal": rng.normal(1.0, 2.0, 60), "weibull": 2.0 * rng.weibull(1.5, 60)}[family]
    lab = np.tile(["a", "b", "c"], 20)
    g = mk.fit(x, family, by=lab, fixed=fixed)
    assert list(g.status) == ["ok"] * 3 and g.converged.all()
    for i, key in enumerate(g.labels):
        sep = _separate(x[lab == key], family, fixed=fixed)
        for j, p in enumerate(g.param_names):
            assert g.estimates[i, j] == sep.params[p]
            np.testing.assert_equal(g.se[i, j], sep.se[p])     # 0 if fixed, NaN if an extreme
        assert g.loglik[i] == pytest.approx(sep.loglik, rel=1e-12)
        assert g[key].params == sep.params
        assert g.method[i] == sep.method
    # a group with a value beyond the fixed bound: the ungrouped fit's error
    if family == "uniform":
        bad = -1.5 if "low" in fixed else 3.5
        y = x.copy()
        y[5] = bad
        with pytest.raises(DataError, match="requires every value inside; got 1 outside"):
            mk.fit(y[lab == lab[5]], family, fixed=fixed)
        with pytest.raises(DataError, match="requires every value inside; got 1 outside "
                           rf"\(first at index 5: {bad:g}\)"):
            mk.fit(y, family, by=lab, fixed=fixed)


def test_closed_forms_are_exact(rng):
    x = rng.normal(3, 2, 3000)
    lab = rng.integers(0, 30, x.size)
    g = mk.fit(x, "normal", by=lab)
    assert set(g.method) == {"closed-form"}
    for i in (0, 17):
        m = lab == g.labels[i]
        assert g.estimates[i, 0] == pytest.approx(x[m].mean(), rel=1e-14)
        assert g.estimates[i, 1] == pytest.approx(x[m].std(), rel=1e-13)
        assert g.loglik[i] == pytest.approx(st.norm.logpdf(x[m], x[m].mean(), x[m].std()).sum(),
                                            rel=1e-12)


def test_weibull_loglik_at_least_scipy(rng):
    x = (rng.uniform(0.5, 5, 40)[:, None] * rng.weibull(rng.uniform(0.7, 3, 40)[:, None],
                                                        (40, 20))).ravel()
    lab = np.repeat(np.arange(40), 20)
    g = mk.fit(x, "weibull", by=lab)
    assert set(g.method) == {"profile-newton"}
    for i in range(40):
        xi = x[lab == i]
        c, _, s = st.weibull_min.fit(xi, floc=0)
        assert g.loglik[i] >= st.weibull_min.logpdf(xi, c, 0, s).sum() - 1e-9


def test_discrete_groups_are_compressed_and_equal(rng):
    x = rng.negative_binomial(3, 0.4, 4000).astype(float)
    lab = rng.integers(0, 8, x.size)
    g = mk.fit(x, "negative_binomial", by=lab)
    for i in (0, 5):
        _assert_same(g, i, _separate(x[lab == i], "negative_binomial"))
    p = mk.fit(x, "poisson", by=pd.Series(lab, name="machine"))
    assert p.params.index.name == "machine"
    assert p.estimates[3, 0] == pytest.approx(x[lab == 3].mean(), rel=1e-14)


def test_by_forms(rng):
    x = rng.gamma(2.0, 1.0, 400)
    a = rng.choice(["north", "south"], x.size)
    b = rng.integers(1, 4, x.size)
    g2 = mk.fit(x, "gamma", by=[a, b])
    assert isinstance(g2.labels, pd.MultiIndex) and len(g2) == 6
    frame = mk.fit(x, "gamma", by=pd.DataFrame({"site": a, "line": b}))
    assert list(frame.labels.names) == ["site", "line"]
    np.testing.assert_array_equal(frame.estimates, g2.estimates)
    res = g2[("south", 2)]
    m = (a == "south") & (b == 2)
    _assert_same(g2, list(g2.labels).index(("south", 2)), _separate(x[m], "gamma"))
    assert res.n_obs == m.sum()
    # labels as a list, and as an Arrow array
    g1 = mk.fit(x, "gamma", by=list(a))
    pa = pytest.importorskip("pyarrow")
    np.testing.assert_array_equal(mk.fit(x, "gamma", by=pa.array(a)).estimates, g1.estimates)


def test_getitem_returns_full_fit(rng):
    x, lab = _two_groups(rng)
    g = mk.fit(x, "weibull", by=lab)
    r = g["b"]
    sep = _separate(x[lab == "b"], "weibull")
    assert r.family == "weibull" and r.converged
    assert r.params["shape"] == pytest.approx(sep.params["shape"], rel=1e-6)
    assert r.ci()["shape"][0] == pytest.approx(sep.ci()["shape"][0], rel=1e-5)
    assert "Weibull" in str(r.summary())
    with pytest.raises(KeyError, match="no group 'c'"):
        g["c"]


def test_flags_are_per_group(rng):
    x = np.concatenate([rng.gamma(2, 1, 30), [1.5], np.full(5, 2.0), rng.gamma(2, 1, 30)])
    lab = np.array(["ok1"] * 30 + ["one"] + ["same"] * 5 + ["ok2"] * 30)
    with pytest.warns(BoundaryWarning, match="2 of 4 groups are flagged"):
        g = mk.fit(x, "gamma", by=lab)
    st_ = g.params["status"]
    assert st_["one"] == "too-few-observations" and st_["same"] == "degenerate"
    assert st_["ok1"] == "ok" and st_["ok2"] == "ok"
    assert list(g.flagged.index) == ["one", "same"]
    assert np.isnan(g.params.loc["one", "shape"])
    with pytest.raises(DataError, match="has no fit"):
        g["one"]
    with pytest.raises(ConvergenceError, match="flagged"):
        mk.fit(x, "gamma", by=lab, strict=True)
    # every observation of a group right-censored
    obs = np.ones(x.size, bool)
    obs[:30] = False
    with pytest.warns(BoundaryWarning, match="1 all-censored, 1 degenerate"):
        g = mk.fit(mk.Data.right_censored(x, obs), "weibull", by=lab)
    assert g.params.loc["ok1", "status"] == "all-censored"
    assert g.params.loc["ok2", "status"] == "ok"
    with pytest.warns(NumericalWarning, match="1 too-few"):
        mk.fit(x[30:], "normal", by=lab[30:], fixed={"mu": 0.0}, nan_policy="omit",
               weights=np.r_[0.0, np.ones(x.size - 31)])


def test_missing_labels_and_bad_by(rng):
    x = rng.gamma(2, 1, 20)
    lab = np.array(["a", "b"] * 10, dtype=object)
    lab[3] = None
    with pytest.raises(DataError, match="1 missing labels"):
        mk.fit(x, "gamma", by=lab)
    g = mk.fit(x, "gamma", by=lab, nan_policy="omit")
    assert g.n_obs.sum() == 19
    with pytest.raises(DataError, match="one label per value"):
        mk.fit(x, "gamma", by=lab[:5])
    with pytest.raises(DataError, match="pass the column itself"):
        mk.fit(x, "gamma", by="machine")
    with pytest.raises(ParameterError, match="grouped fits run in memory"):
        mk.fit(x, "gamma", by=lab, backend="dask", nan_policy="omit")
    y = x.copy()
    y[0] = np.nan
    g = mk.fit(y, "gamma", by=lab, nan_policy="omit")
    assert g.n_obs.sum() == 18


def test_threaded_equals_single_threaded(rng, monkeypatch):
    monkeypatch.setattr(_grouped_core, "PIECE_ROWS", 64)
    x = (rng.uniform(0.5, 3, 300)[:, None] * rng.weibull(1.4, (300, 25))).ravel()
    lab = np.repeat(np.arange(300), 25)
    lab[::11] = 5                          # unequal group sizes: some flat pieces
    out = []
    for fam in ("weibull", "loglogistic", "gamma"):
        for threads in (1, 2):
            mk.set_threads(threads)
            try:
                g = mk.fit(x, fam, by=lab)
            finally:
                mk.set_threads(None)
            out.append(g)
        a, b = out[-2:]
        np.testing.assert_array_equal(a.estimates, b.estimates)
        np.testing.assert_array_equal(a.loglik, b.loglik)
        np.testing.assert_array_equal(a.se, b.se)


def test_sandwich_covariance_per_group(rng):
    x, lab = _two_groups(rng)
    g = mk.fit(x, "weibull", by=lab, cov="sandwich")
    sep = _separate(x[lab == "a"], "weibull", cov="sandwich")
    assert g.cov_type == "sandwich"
    assert g.se[0, 0] == pytest.approx(sep.se["shape"], rel=1e-5)


def test_ci_wald_profile_bootstrap(rng):
    x = (2 * rng.weibull(1.5, (6, 15))).ravel()
    lab = np.repeat(np.arange(6), 15)
    g = mk.fit(x, "weibull", by=lab)
    w = g.ci()
    sep = _separate(x[lab == 2], "weibull")
    assert w.loc[2, "shape_lower"] == pytest.approx(sep.ci()["shape"][0], rel=1e-5)
    prof = g.ci(method="profile", level=0.9)
    xi = x[lab == 2]

    def lp(k):
        lam = np.mean(xi**k) ** (1 / k)
        return st.weibull_min.logpdf(xi, k, 0, lam).sum()

    target = g.loglik[2] - st.chi2.ppf(0.9, 1) / 2
    lo = so.brentq(lambda k: lp(k) - target, 0.05, g.estimates[2, 0], xtol=1e-14)
    hi = so.brentq(lambda k: lp(k) - target, g.estimates[2, 0], 50, xtol=1e-14)
    assert prof.loc[2, "shape_lower"] == pytest.approx(lo, rel=1e-7)
    assert prof.loc[2, "shape_upper"] == pytest.approx(hi, rel=1e-7)
    b1 = g.ci(method="bootstrap", n_boot=40, rng=3)
    b2 = g.ci(method="bootstrap", n_boot=40, rng=3)
    pd.testing.assert_frame_equal(b1, b2)
    assert (b1["shape_lower"] < g.params["shape"]).all()
    assert (b1["shape_upper"] > g.params["shape"]).all()
    # one-parameter family: the profile is the likelihood itself
    e = mk.fit(x, "exponential", by=lab).ci(method="profile")
    n, s = 15, x[lab == 0].sum()
    lo = so.brentq(lambda r: n * math.log(r) - r * s - (n * math.log(n / s) - n)
                   + st.chi2.ppf(0.95, 1) / 2, 1e-6, n / s)
    assert e.loc[0, "rate_lower"] == pytest.approx(lo, rel=1e-7)
    with pytest.raises(ParameterError, match="method must be one of"):
        g.ci(method="jackknife")


def test_compare_per_group(rng):
    x = np.concatenate([rng.gamma(4.0, 1.0, 400), rng.exponential(2.0, 400)])
    lab = np.repeat(["gammaish", "expish"], 400)
    g = mk.fit(x, "exponential", by=lab)
    c = g.compare("gamma", "lognormal")
    assert c.loc["gammaish", ("best", "family")] == "gamma"
    assert c.loc["gammaish", ("gamma", "aic")] < c.loc["gammaish", ("exponential", "aic")]
    sep = _separate(x[lab == "expish"], "lognormal")
    assert c.loc["expish", ("lognormal", "loglik")] == pytest.approx(sep.loglik, rel=1e-9)
    assert "groups" in str(g) and "GroupedResult" in repr(g)


def test_laplace_runs_separately(rng):
    x = rng.laplace(1.0, 2.0, 90)
    lab = np.repeat([1, 2, 3], 30)
    g = mk.fit(x, "laplace", by=lab)
    assert g.estimates[0, 0] == pytest.approx(np.median(x[:30]))
    assert g[2].params["loc"] == pytest.approx(np.median(x[30:60]))


@pytest.mark.parametrize("family, sample", [
    ("normal", lambda r: r.normal(1.0, 2.0, 500)),
    ("lognormal", lambda r: r.lognormal(0.3, 0.8, 500)),
    ("exponential", lambda r: r.exponential(2.0, 500)),
    ("rayleigh", lambda r: r.rayleigh(1.5, 500)),
    ("inverse_gaussian", lambda r: r.wald(1.5, 3.0, 500)),
    ("poisson", lambda r: r.poisson(3.0, 500).astype(float)),
    ("bernoulli", lambda r: (r.random(500) < 0.3).astype(float)),
    ("geometric", lambda r: r.geometric(0.3, 500).astype(float) - 1),
])
def test_closed_form_hessians_match_the_likelihood(rng, family, sample):
    """The analytic Hessians on sufficient statistics (one pass, no derivative pass over the
    data) equal the generic likelihood's, also away from the optimum."""
    from mlekit._data.data import Data
    from mlekit._families.base import get_family
    from mlekit._fit.likelihood import Likelihood

    fam = get_family(family)
    d = Data(sample(rng))
    stats = fam._suffstats(d)
    est = fam._closed_form(stats, {})
    for f in (1.0, 0.8):
        p = {k: v * f if k != "mu" or family != "normal" else v + 0.3 * (1 - f)
             for k, v in est.items()}
        th = tuple(p[k] for k in fam.param_names)
        ll, _, H = Likelihood(fam, d).evaluate(th, 2)
        np.testing.assert_allclose(fam._stats_hessian(stats, p), H, rtol=1e-10,
                                   atol=1e-12 * np.abs(H).max())
        assert fam._stats_loglik(stats, p) == pytest.approx(ll, rel=1e-12)
