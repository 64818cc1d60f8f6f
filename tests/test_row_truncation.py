"""Per-row truncation (issue 16): ``mk.Data(x, truncation=(lo_arr, hi_arr))`` and late entry
``mk.Data.right_censored(t, observed, entry=t0)`` in plain fits, regression, grouped fits, the
simulator, bootstrap and goodness of fit.

References: R (own log-likelihood, tests/reference/round2: ``weibull_late_entry`` and
``lognormal_row_truncation``, README D4/D4b) and lifelines' ``WeibullFitter.fit(T, E,
entry=...)``; a common range given as constant arrays equals the scalar path.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mlekit as mk
from mlekit._inference.bootstrap import Simulator

HERE = Path(__file__).parent / "reference" / "round2"
with open(HERE / "round2.json") as fh:
    CASES = {c["id"]: c for c in json.load(fh)["cases"]}


def _case(name: str) -> tuple[dict, pd.DataFrame]:
    case = CASES[name]
    return case, pd.read_csv(HERE / case["data_file"])


def _late_entry_data() -> mk.Data:
    _, d = _case("weibull_late_entry")
    return mk.Data.right_censored(d.time.to_numpy(), d.status.to_numpy() == 1,
                                  entry=d.entry.to_numpy())


# ---------------------------------------------------------------------- references
def test_late_entry_weibull_against_r() -> None:
    case, _ = _case("weibull_late_entry")
    res = mk.fit(_late_entry_data(), "weibull")
    for p in ("shape", "scale"):
        assert res.params[p] == pytest.approx(case["estimates"][p], rel=1e-7)
        assert res.se[p] == pytest.approx(case["se"][p], rel=1e-5)
    assert res.loglik == pytest.approx(case["loglik"], abs=1e-8)
    prof = res.ci(method="profile")
    for p in ("shape", "scale"):
        assert prof[p] == pytest.approx(tuple(case["profile"]["intervals"][p]["ci"]), rel=1e-6)
    # the same data without the entry times is the (wrong) fit R records for contrast
    _, d = _case("weibull_late_entry")
    naive = mk.fit(mk.Data.right_censored(d.time, d.status == 1), "weibull")
    assert naive.loglik == pytest.approx(case["ignoring_entry"]["loglik"], abs=1e-8)


def test_late_entry_weibull_against_lifelines() -> None:
    lifelines = pytest.importorskip("lifelines")
    _, d = _case("weibull_late_entry")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wf = lifelines.WeibullFitter().fit(d.time, d.status, entry=d.entry,
                                           fit_options={"gtol": 1e-12})
    res = mk.fit(_late_entry_data(), "weibull")
    assert res.params["shape"] == pytest.approx(wf.rho_, rel=1e-6)
    assert res.params["scale"] == pytest.approx(wf.lambda_, rel=1e-6)
    assert res.loglik == pytest.approx(wf.log_likelihood_, rel=1e-6)
    se = wf.summary["se(coef)"]
    assert res.se["shape"] == pytest.approx(se["rho_"], rel=1e-4)
    assert res.se["scale"] == pytest.approx(se["lambda_"], rel=1e-4)


def test_two_sided_windows_lognormal_against_r() -> None:
    """Lower and upper bounds per row (some rows without an upper one), censored rows read
    inside their windows: log(F(hi) - F(t)) (README D4b)."""
    case, d = _case("lognormal_row_truncation")
    data = mk.Data.right_censored(d.time, d.status == 1, truncation=(d.lo, d.hi))
    res = mk.fit(data, "lognormal")
    for p in ("mu", "sigma"):
        assert res.params[p] == pytest.approx(case["estimates"][p], rel=1e-7)
        assert res.se[p] == pytest.approx(case["se"][p], rel=1e-5)
    assert res.loglik == pytest.approx(case["loglik"], abs=1e-8)
    prof = res.ci(method="profile")
    for p in ("mu", "sigma"):
        assert prof[p] == pytest.approx(tuple(case["profile"]["intervals"][p]["ci"]), rel=1e-6)
    assert res.method == "newton"


# ---------------------------------------------------------------------- the likelihood
def test_loglik_and_gradient_by_hand() -> None:
    """Every censoring kind with per-row windows, against scipy term by term; the analytic
    gradient against central differences; per-row scores sum to the gradient."""
    rng = np.random.default_rng(5)
    n = 60
    a = rng.uniform(0.0, 1.0, n)
    b = np.where(np.arange(n) % 3 == 0, np.inf, a + rng.uniform(2.0, 6.0, n))
    x = a + (np.minimum(b, a + 5.0) - a) * rng.uniform(0.1, 0.9, n)
    lo, hi = x.copy(), x.copy()
    kind = np.arange(n) % 4           # 0 exact, 1 right, 2 left, 3 interval
    hi[kind == 1] = np.inf
    lo[kind == 2] = -np.inf
    lo[kind == 3] = np.maximum(a[kind == 3], x[kind == 3] - 0.3)
    hi[kind == 3] = np.minimum(b[kind == 3], x[kind == 3] + 0.4)
    w = rng.integers(1, 4, n).astype(float)
    data = mk.Data.interval(lo, hi, weights=w, truncation=(a, b))
    res = mk.fit(data, "gamma")
    th = (1.7, 1.3)
    dist = stats.gamma(th[0], scale=th[1])
    lo_in = np.where(np.isneginf(lo), a, lo)      # inside the window
    hi_in = np.where(np.isposinf(hi), b, hi)
    with np.errstate(divide="ignore"):   # exact rows: a zero-width "interval" not used
        term = np.where(kind == 0, dist.logpdf(x), np.log(dist.cdf(hi_in) - dist.cdf(lo_in)))
    want = float(np.sum(w * (term - np.log(dist.cdf(b) - dist.cdf(a)))))
    lik = res.likelihood
    ll, g, _ = lik.evaluate(th, 2)
    assert ll == pytest.approx(want, rel=1e-10)
    for i in range(2):
        e = np.zeros(2)
        e[i] = 1e-6
        num = (lik.loglik(tuple(np.add(th, e))) - lik.loglik(tuple(np.subtract(th, e)))) / 2e-6
        assert g[i] == pytest.approx(num, rel=1e-5)
    total = sum((G * ww[:, None]).sum(axis=0) for G, ww in lik.scores(th, [0, 1]))
    np.testing.assert_allclose(total, g, rtol=1e-6)
    assert mk.fit(data, "gamma", cov="sandwich").se["shape"] > 0


def test_discrete_windows_are_inclusive() -> None:
    """Counts: the window [a, b] holds a and b (as scalar truncation): P(a <= Y <= b)."""
    y = np.array([1, 2, 2, 3, 5, 4, 2, 1, 6, 3], dtype=float)
    a = np.array([1, 0, 2, 1, 3, 0, 2, 1, 2, 3], dtype=float)
    b = np.array([4, 9, 2.5, np.inf, 5, 4, 3, np.inf, 6, 8], dtype=float)
    res = mk.fit(mk.Data(y, truncation=(a, b)), "poisson")
    rate = 2.2
    p = stats.poisson(rate)
    want = np.sum(p.logpmf(y) - np.log(p.cdf(b) - p.cdf(np.ceil(a) - 1)))
    assert res.likelihood.loglik((rate,)) == pytest.approx(want, rel=1e-12)
    assert res.method == "newton"


_FAMILIES = ["weibull", "lognormal", "normal", "exponential", "gamma", "loglogistic"]


@pytest.mark.parametrize("family", _FAMILIES)
def test_constant_windows_equal_the_scalar_path(family: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.gamma(2.0, 1.5, 500)
    x = x[(x > 0.5) & (x < 6.0)]
    n = x.size
    obs = rng.random(n) < 0.8
    w = rng.integers(1, 4, n).astype(float)
    common = mk.fit(mk.Data.right_censored(x, obs, weights=w, truncation=(0.5, 6.0)), family)
    rows = mk.fit(mk.Data.right_censored(x, obs, weights=w,
                                         truncation=(np.full(n, 0.5), np.full(n, 6.0))), family)
    assert rows.data.row_truncated and not common.data.row_truncated
    numeric = "numerical" in rows.method
    for p in common.params:
        assert rows.params[p] == pytest.approx(common.params[p], rel=1e-8 if numeric else 1e-10)
        assert rows.se[p] == pytest.approx(common.se[p], rel=1e-6 if numeric else 1e-9)
    assert rows.loglik == pytest.approx(common.loglik, rel=1e-12)


@pytest.mark.parametrize("family", ["poisson", "geometric"])
def test_constant_windows_equal_the_scalar_path_counts(family: str) -> None:
    y = np.random.default_rng(4).poisson(3.0, 400).astype(float)
    y = y[(y >= 1) & (y <= 6)]
    common = mk.fit(mk.Data(y, truncation=(1, 6)), family)
    rows = mk.fit(mk.Data(y, truncation=(np.ones(y.size), np.full(y.size, 6.0))), family)
    for p in common.params:
        assert rows.params[p] == pytest.approx(common.params[p], rel=1e-10)
    assert rows.loglik == pytest.approx(common.loglik, rel=1e-12)


def test_closed_forms_step_aside() -> None:
    """The exponential's closed form ignores truncation: per-row windows go to Newton and
    give the truncated estimate, not the closed form's."""
    x = np.array([0.5, 1.2, 2.0, 0.7, 3.1, 1.6, 0.9, 2.4])
    entry = np.array([0.2, 1.0, 0.5, 0.0, 2.0, 1.5, 0.1, 0.0])
    res = mk.fit(mk.Data(x, entry=entry), "exponential")
    assert res.method == "newton"
    # memoryless: log f(x) - log S(entry) = log rate - rate (x - entry)
    assert res.params["rate"] == pytest.approx(x.size / np.sum(x - entry), rel=1e-7)
    assert mk.fit(x, "exponential").params["rate"] != pytest.approx(res.params["rate"])


def test_entry_combines_with_truncation() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    d = mk.Data(x, entry=[0.5, 1.5, 0.0, 0.0], truncation=(0.8, np.array([2, 5, 5, 9.0])))
    np.testing.assert_array_equal(d.exact.tlo, [0.8, 1.5, 0.8, 0.8])
    np.testing.assert_array_equal(d.exact.thi, [2, 5, 5, 9.0])
    assert "truncated per row" in repr(d)
    # windows that bound nothing are no truncation at all
    plain = mk.Data(x, truncation=(np.full(4, -np.inf), np.inf))
    assert not plain.is_truncated


def test_windows_follow_dropped_rows() -> None:
    x = np.array([1.0, np.nan, 3.0, 2.0])
    w = np.array([1.0, 1.0, 0.0, 2.0])
    d = mk.Data(x, weights=w, entry=np.array([0.5, 9.0, 2.0, 1.5]), nan_policy="omit")
    np.testing.assert_array_equal(d.exact.tlo, [0.5, 1.5])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"truncation": ([0, 1, 2, 3.0], [1, 1, 5, 6.0])}, "lower < upper"),
    ({"truncation": ([0, np.nan, 0, 0], np.inf)}, "NaN"),
    ({"entry": [0, 2.5, 0, 0]}, "entry time cannot exceed"),
    ({"truncation": (0.0, [5, 5, 2, 5.0])}, "inside its row's truncation window"),
    ({"entry": [0, 1.0]}, "one entry per value"),
    ({"truncation": ("a", "b")}, "numbers"),
])
def test_bad_windows(kwargs: dict, match: str) -> None:
    with pytest.raises(mk.DataError, match=match):
        mk.Data.right_censored([1.0, 2.0, 3.0, 4.0], [True, False, True, True], **kwargs)


def test_counts_keep_their_windows() -> None:
    """Count data are compressed to distinct values with weights; rows with their own
    windows are not merged."""
    rng = np.random.default_rng(8)
    y = rng.poisson(4.0, 300).astype(float)
    a = np.where(rng.random(300) < 0.5, 0.0, np.minimum(y, 2.0))
    res = mk.fit(mk.Data(y, truncation=(a, np.inf)), "poisson")
    p = stats.poisson(res.params["rate"])
    want = np.sum(p.logpmf(y) - p.logsf(np.ceil(a) - 1))
    assert res.loglik == pytest.approx(want, rel=1e-12)


# ---------------------------------------------------------------------- simulation
def test_simulator_draws_inside_each_window() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    a = np.where(np.arange(n) % 2 == 0, 1.0, 0.0)
    b = np.where(np.arange(n) % 2 == 0, 2.0, np.inf)
    x = np.where(a == 1.0, 1.5, 0.7)
    res = mk.fit(mk.Data(x, truncation=(a, b)), "exponential", fixed={"rate": 1.0})
    draw = Simulator(res).draw(rng)
    vals = draw.exact.x
    assert np.all((vals >= draw.exact.tlo) & (vals <= draw.exact.thi))
    boxed = vals[draw.exact.tlo == 1.0]
    # Exp(1) given 1 <= X <= 2: mean 1 + 1/(1) - 1/(e - 1)
    assert boxed.mean() == pytest.approx(2.0 - 1.0 / (math.e - 1.0), abs=0.03)
    assert vals[draw.exact.tlo == 0.0].mean() == pytest.approx(1.0, abs=0.06)


def test_parametric_bootstrap_matches_the_standard_errors() -> None:
    res = mk.fit(_late_entry_data(), "weibull")
    sim = Simulator(res)
    rng = np.random.default_rng(1)
    ests = np.array([list(mk.fit(sim.draw(rng), "weibull").params.values()) for _ in range(150)])
    assert ests.mean(axis=0) == pytest.approx([res.params["shape"], res.params["scale"]],
                                              rel=0.03)
    assert ests.std(axis=0) == pytest.approx([res.se["shape"], res.se["scale"]], rel=0.25)
    for kind in ("parametric", "nonparametric"):
        ci = res.ci(method="bootstrap", kind=kind, n_boot=49, rng=0)
        assert ci["shape"][0] < res.params["shape"] < ci["shape"][1]


def test_nonparametric_copies_keep_windows() -> None:
    from mlekit._inference.bootstrap import resample

    d = _late_entry_data()
    copy = resample(d, np.random.default_rng(0))
    for blk in copy.blocks.values():
        if blk.size:
            assert blk.tlo is not None and np.all(blk.x >= blk.tlo)


# ---------------------------------------------------------------------- goodness of fit
def test_gof_with_late_entry() -> None:
    res = mk.fit(_late_entry_data(), "weibull")
    g = mk.gof(res, n_boot=19, rng=0, quiet=True)
    assert 0 < g["ks"].statistic < 0.2
    assert 0 < g["ks"].p_value <= 1


def test_product_limit_with_late_entry() -> None:
    """The risk set at t holds the rows that entered before t and had not yet failed."""
    from mlekit._inference.empirical import kaplan_meier

    d = mk.Data.right_censored([2.0, 3.0, 5.0], [True, True, True], entry=[0.0, 2.5, 0.0])
    km = kaplan_meier(d)
    np.testing.assert_array_equal(km.at_risk, [2.0, 2.0, 1.0])
    np.testing.assert_allclose(km.cdf, [0.5, 0.75, 1.0])


def test_gof_with_other_windows() -> None:
    """Two-sided windows and counts with late entry have an estimate now (Turnbull's truncated
    NPMLE, the discrete product-limit); windows that do not connect are refused."""
    x = np.array([0.5, 1.2, 2.0, 0.7, 3.1, 1.6, 0.9, 2.4])
    res = mk.fit(mk.Data(x, truncation=(0.0, x + 1.0)), "weibull")
    g = mk.gof(res, n_boot=5, rng=0, quiet=True)
    assert g.npmle == "Turnbull estimate" and 0 < g["ks"].statistic < 1
    counts = mk.fit(mk.Data([1.0, 2, 3, 2, 4], entry=[0, 1, 1, 0, 2]), "poisson")
    assert 0 < mk.gof(counts, n_boot=5, rng=0, quiet=True)["ks"].statistic < 1
    apart = mk.fit(mk.Data([0.2, 0.5, 0.8, 2.2, 2.5, 2.9],
                           truncation=([0, 0, 0, 2, 2, 2], [1, 1, 1, 3, 3, 3])), "weibull")
    with pytest.raises(mk.DataError, match="share no observed range"):
        mk.gof(apart, n_boot=5)


# ---------------------------------------------------------------------- other routes
def test_grouped_fits_per_group() -> None:
    _, d = _case("weibull_late_entry")
    data = _late_entry_data()
    g = mk.fit(data, "weibull", by=d.x.to_numpy())
    for lab in (0.0, 1.0):
        m = (d.x == lab).to_numpy()
        one = mk.fit(mk.Data.right_censored(d.time[m], d.status[m] == 1, entry=d.entry[m]),
                     "weibull")
        for p in ("shape", "scale"):
            assert g[lab].params[p] == pytest.approx(one.params[p], rel=1e-10)
    ci = g.ci(method="bootstrap", n_boot=10, rng=0)
    assert np.all(ci["shape_lower"] < ci["shape_upper"])


def test_streamed_sources_take_window_columns_not_arrays(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "x.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "t0": [0.0, 0.0, 1.0]}).to_csv(path, index=False)
    src = mk.read_csv(path, column="x", truncation=([0.0, 0.0, 1.0], None))
    with pytest.raises(mk.DataError, match="column names \\(a window per row\\)"):
        mk.fit(src, "weibull")
    r = mk.fit(mk.read_csv(path, column="x", entry="t0"), "exponential")
    assert r.params["rate"] == pytest.approx(
        mk.fit(mk.Data([1.0, 2.0, 3.0], entry=[0.0, 0.0, 1.0]), "exponential").params["rate"])


def test_regress_truncation_windows() -> None:
    pytest.importorskip("formulaic")
    case, d = _case("lognormal_row_truncation")
    r = mk.regress("time ~ 1", d, "lognormal", observed="status", truncation=("lo", "hi"))
    assert r.params["Intercept"] == pytest.approx(case["estimates"]["mu"], rel=1e-7)
    assert r.params["sigma"] == pytest.approx(case["estimates"]["sigma"], rel=1e-7)
    assert r.loglik == pytest.approx(case["loglik"], abs=1e-8)
    # entry= is the lower bound; given both, the larger one counts
    _, e = _case("weibull_late_entry")
    a = mk.regress("time ~ x", e, "weibull", observed="status", entry="entry")
    b = mk.regress("time ~ x", e, "weibull", observed="status", truncation=("entry", None))
    c = mk.regress("time ~ x", e, "weibull", observed="status", entry="entry",
                   truncation=(0.0, np.inf))
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    assert a.loglik == pytest.approx(c.loglik, rel=1e-12)
    with pytest.raises(mk.DataError, match="inside its row's truncation window"):
        mk.regress("time ~ 1", d, "lognormal", observed="status",
                   truncation=("lo", d.time.to_numpy() - 0.01))
    with pytest.raises(mk.DataError, match="lower < upper"):
        mk.regress("time ~ 1", d, "lognormal", observed="status", truncation=("hi", "lo"))
    with pytest.raises(mk.ParameterError, match="pair"):
        mk.regress("time ~ 1", d, "lognormal", truncation="lo")
