"""Goodness of fit: statistics against scipy and hand formulas, NPMLEs, bootstrap p-values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import mlekit as mk
from mlekit._api.gof import statistics
from mlekit._inference.empirical import kaplan_meier, turnbull


def test_continuous_statistics_match_scipy(rng: np.random.Generator) -> None:
    x = rng.gamma(2.0, 1.5, size=45)
    res = mk.fit(x, "gamma")
    dist = res.dist.to_scipy()
    s = statistics(res)
    assert s["ks"] == pytest.approx(stats.kstest(x, dist.cdf).statistic, rel=1e-10)
    assert s["cvm"] == pytest.approx(stats.cramervonmises(x, dist.cdf).statistic, rel=1e-10)
    u = np.sort(dist.cdf(x))
    n, i = x.size, np.arange(1, x.size + 1)
    ad = -n - np.mean((2 * i - 1) * (np.log(u) + np.log1p(-u[::-1])))
    assert s["ad"] == pytest.approx(ad, rel=1e-10)


def test_weights_equal_repetition(rng: np.random.Generator) -> None:
    x = rng.normal(size=20)
    w = rng.integers(1, 4, size=20)
    a = statistics(mk.fit(mk.Data(x, weights=w), "normal"))
    b = statistics(mk.fit(np.repeat(x, w), "normal"))
    for k in a:
        assert a[k] == pytest.approx(b[k], rel=1e-9)


def test_truncated_uses_the_truncated_cdf(rng: np.random.Generator) -> None:
    x = rng.normal(size=2000)
    x = x[x > 0.3][:80]
    res = mk.fit(mk.Data(x, truncation=(0.3, None)), "normal")
    z = stats.norm(res.params["mu"], res.params["sigma"])
    cdf = lambda v: (z.cdf(v) - z.cdf(0.3)) / z.sf(0.3)  # noqa: E731
    s = statistics(res)
    assert s["ks"] == pytest.approx(stats.kstest(x, cdf).statistic, rel=1e-9)
    assert s["cvm"] == pytest.approx(stats.cramervonmises(x, cdf).statistic, rel=1e-9)


def test_discrete_statistics_by_hand(rng: np.random.Generator) -> None:
    x = rng.poisson(2.5, size=70).astype(float)
    res = mk.fit(x, "poisson")
    lam = res.params["rate"]
    ks_ = np.arange(0, 40)
    F = stats.poisson.cdf(ks_, lam)
    p = stats.poisson.pmf(ks_, lam)
    Fn = np.array([np.mean(x <= k) for k in ks_])
    s = statistics(res)
    assert s["ks"] == pytest.approx(np.max(np.abs(Fn - F)), rel=1e-10)
    assert s["cvm"] == pytest.approx(70 * np.sum((Fn - F) ** 2 * p), rel=1e-8)
    ok = F < 1
    ad = 70 * np.sum((Fn - F)[ok] ** 2 * p[ok] / (F[ok] * (1 - F[ok])))
    assert s["ad"] == pytest.approx(ad, rel=1e-6)
    g = mk.gof(res, n_boot=99, rng=1, quiet=True)
    chi = g["chi2"]
    assert chi.df is not None and chi.df >= 1 and 0 < chi.p_value <= 1
    assert 0 <= chi.p_asymptotic <= 1 and chi.statistic >= 0


def test_kaplan_meier_and_turnbull_agree_for_right_censoring(rng: np.random.Generator) -> None:
    t = rng.exponential(1.0, size=30)
    c = rng.exponential(2.0, size=30)
    obs = t <= c
    y = np.minimum(t, c)
    obs[np.argmax(y)] = True                    # last time is an event: both end at F = 1
    d = mk.Data.right_censored(y, obs)
    km = kaplan_meier(d)
    times, F, tau = km.x, km.cdf, km.info["end"]
    tb = turnbull(d, tol=1e-14, maxiter=200_000)
    q, mass = tb.left, tb.mass
    assert q is not None and mass is not None
    assert tau == math.inf and F[-1] == 1.0
    assert np.allclose(q[mass > 1e-9], times, rtol=0, atol=0)
    assert np.allclose(np.cumsum(mass[mass > 1e-9]), F, atol=1e-8)
    # the lifelines Kaplan–Meier agrees
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(y, obs)
    sf = km.survival_function_at_times(times).to_numpy()
    assert np.allclose(1 - sf, F, atol=1e-12)


def test_censored_gof_runs_and_is_calibrated_in_direction(rng: np.random.Generator) -> None:
    t = rng.weibull(2.0, size=120) * 10
    c = rng.uniform(0, 15, size=120)
    d = mk.Data.right_censored(np.minimum(t, c), t <= c)
    good = mk.gof(mk.fit(d, "weibull"), n_boot=99, rng=2, quiet=True)
    bad = mk.gof(mk.fit(d, "exponential"), n_boot=99, rng=2, quiet=True)
    assert set(good) == {"ks", "ad", "cvm"} and good.npmle == "Kaplan–Meier estimate"
    assert bad["ad"].p_value <= 0.02 and good["ad"].p_value > 0.02
    # interval-censored (binned) data use the Turnbull estimate
    edges = np.array([0.0, 4.0, 8.0, 12.0, np.inf])
    k = np.searchsorted(edges, t) - 1
    db = mk.Data.interval(edges[k], edges[k + 1])
    gb = mk.gof(mk.fit(db, "weibull"), n_boot=49, rng=3, quiet=True)
    assert gb.npmle == "Turnbull estimate" and all(0 < v.p_value <= 1 for v in gb.values())


def test_reproducible_shapes_and_rendering(rng: np.random.Generator) -> None:
    res = mk.fit(rng.normal(size=40), "normal")
    a = mk.gof(res, n_boot=49, rng=11, quiet=True)
    b = mk.gof(res, n_boot=49, rng=11, quiet=True)
    assert a.to_dict() == b.to_dict() and list(a) == ["ks", "ad", "cvm"]
    assert all(0 < t.p_value <= 1 for t in a.values())
    assert (a["ks"].p_value * 50) == pytest.approx(round(a["ks"].p_value * 50))
    assert "Anderson–Darling" in str(a) and "GofResult(" in repr(a) and "<table>" in a._repr_html_()
    assert list(a.to_frame().columns) == ["test", "statistic", "p_value"]
    none = mk.gof(res, n_boot=0)
    assert math.isnan(none["ad"].p_value) and none["ad"].statistic == a["ad"].statistic


def test_power_against_a_wrong_family(rng: np.random.Generator) -> None:
    x = rng.exponential(1.0, size=100)
    g = mk.gof(mk.fit(x, "normal"), n_boot=99, rng=0, quiet=True)
    assert g["ad"].p_value == pytest.approx(0.01) and g["ks"].p_value <= 0.05


def test_bad_input(rng: np.random.Generator) -> None:
    res = mk.fit(rng.normal(size=20), "normal")
    with pytest.raises(mk.ParameterError, match="n_boot"):
        mk.gof(res, n_boot=-1)
    with pytest.raises(mk.ParameterError, match="n_boot"):
        mk.gof(res, n_boot=2.5)
    with pytest.raises(mk.ParameterError, match="fit result"):
        mk.gof(np.ones(3))


# ---------------------------------------------------------------------------- slow: size and power
def _rejections(draw, family: str, R: int, B: int, seed: int) -> dict[str, np.ndarray]:
    gen = np.random.default_rng(seed)
    ps: dict[str, list[float]] = {"ks": [], "ad": [], "cvm": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(R):
            g = mk.gof(mk.fit(draw(gen), family), n_boot=B, rng=gen, quiet=True)
            for k in ps:
                ps[k].append(g[k].p_value)
    return {k: np.array(v) for k, v in ps.items()}


def _censored(g: np.random.Generator) -> mk.Data:
    t = g.weibull(1.5, 50) * 5
    c = g.uniform(0, 15.0123, 50)    # C ~ U(0, 15.01) censors 30% of Weibull(1.5, 5) lifetimes
    return mk.Data.right_censored(np.minimum(t, c), t <= c)


def _censored_lognormal(g: np.random.Generator) -> mk.Data:       # ~25% censored
    t = g.lognormal(1.3, 0.8, 50)
    c = g.uniform(0, 20.0, 50)
    return mk.Data.right_censored(np.minimum(t, c), t <= c)


GOF_STUDIES = {
    "normal, n=50 (size)": (lambda g: g.normal(10, 2, 50), "normal", 1000),
    "normal vs lognormal(0, 0.5) data, n=50 (power)": (lambda g: g.lognormal(0, 0.5, 50),
                                                        "normal", 300),
    "weibull, 30% right-censored, n=50 (size)": (_censored, "weibull", 1000),
    "weibull vs lognormal(1.3, 0.8) data, 25% censored, n=50 (power)": (_censored_lognormal,
                                                                       "weibull", 300),
}


def gof_study(name: str, B: int = 99) -> dict[str, float]:
    """Share of p <= 0.05 under the null (size) or under a named alternative (power).

    With ``B = 99`` refits the Monte Carlo test "reject when p = (1 + #{T* >= T}) / 100 <= 0.05"
    has exact size 5% under the null (Hope 1968), whatever the bootstrap size."""
    draw, fam, reps = GOF_STUDIES[name]
    seed = 100 + list(GOF_STUDIES).index(name)
    ps = _rejections(draw, fam, reps, B, seed=seed)
    out = {k: float(np.mean(v <= 0.05)) for k, v in ps.items()}
    out["R"] = reps
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GOF_STUDIES))
def test_gof_size_and_power(name: str) -> None:
    r = gof_study(name)
    for k in ("ks", "ad", "cvm"):
        if "(size)" in name:
            assert abs(r[k] - 0.05) <= 0.015, (name, k, r[k])
        else:
            assert r[k] > 0.15, (name, k, r[k])             # clearly more than the size


def test_binned_data_are_judged_on_their_bin_shares(rng: np.random.Generator) -> None:
    """Bins (a, b] that share their edges are disjoint (the Data convention for continuous
    values), so Turnbull gives each bin its share and F_n is exact at the edges: KS is the
    largest gap there (closed bins [a, b] would pile the mass onto the shared edges)."""
    t = rng.weibull(2.0, size=200) * 10
    edges = np.array([0.0, 4.0, 8.0, 12.0, np.inf])
    k = np.searchsorted(edges, t) - 1
    d = mk.Data.interval(edges[k], edges[k + 1])
    res = mk.fit(d, "weibull")
    tb = turnbull(d)
    share = np.bincount(k, minlength=4) / t.size
    assert tb.mass is not None and np.allclose(tb.mass, share, atol=1e-8)
    F = res.dist.cdf(edges[1:-1])
    assert statistics(res)["ks"] == pytest.approx(np.max(np.abs(np.cumsum(share)[:-1] - F)),
                                                  rel=1e-6)
