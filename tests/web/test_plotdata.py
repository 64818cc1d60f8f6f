"""The numbers behind the "Your data" plots, checked against independent implementations
(lifelines' Kaplan–Meier, scipy's quantiles and densities) and against their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import mlekit as mk
from mlekit.web._plotdata import _thin, plot_data


def test_ecdf_steps_and_hazen_positions_with_ties() -> None:
    d = mk.Data([3.0, 1.0, 2.0, 2.0, 5.0])
    pd_ = plot_data(mk.fit(d, "normal"), d)
    e = pd_["cdf_empirical"]
    assert e["kind"] == "ecdf" and e["shape"] == "hv"
    xs, ys = np.asarray(e["x"]), np.asarray(e["y"])
    for x, f in [(1.0, 0.2), (2.0, 0.6), (3.0, 0.8), (5.0, 1.0)]:
        assert ys[np.flatnonzero(xs == x)[-1]] == pytest.approx(f)
    assert ys[0] == 0.0 and ys[-1] == 1.0
    np.testing.assert_allclose(pd_["qq"]["sample"], [1.0, 2.0, 3.0, 5.0])
    np.testing.assert_allclose(pd_["qq"]["prob"], [0.1, 0.4, 0.7, 0.9])  # middle of each jump


@pytest.mark.parametrize("censoring", ["right", "left"])
def test_censored_positions_match_lifelines(censoring: str, rng: np.random.Generator) -> None:
    lifelines = pytest.importorskip("lifelines")
    x = rng.exponential(2.0, 80) + 0.1
    if censoring == "right":
        x = np.round(x, 1)  # ties on purpose: events come before censorings at a tie
    # (left-censored ties differ by convention: mlekit reads "X <= c" with the bound
    # included, the mirrored Kaplan-Meier "X < c", so the left case uses distinct values)
    obs = rng.random(80) > 0.35
    d = mk.Data(x, observed=obs, censoring=censoring)
    pd_ = plot_data(mk.fit(d, "weibull"), d)
    km = lifelines.KaplanMeierFitter()
    if censoring == "right":
        km.fit(x, obs)
    else:  # left-censored only: Turnbull's NPMLE is the reverse Kaplan-Meier
        km.fit_left_censoring(x, obs)
    ux = np.asarray(pd_["qq"]["sample"])
    at = km.cumulative_density_at_times(ux).to_numpy()
    before = km.cumulative_density_at_times(np.nextafter(ux, -np.inf)).to_numpy()
    np.testing.assert_allclose(pd_["qq"]["prob"], 0.5 * (at + before), atol=1e-8)
    assert pd_["cdf_empirical"]["kind"] == ("kaplan-meier" if censoring == "right" else "turnbull")


def test_interval_censored_data_get_the_turnbull_curve() -> None:
    d = mk.Data.interval([1.0, 2.0, 3.0, 0.5], [1.5, 2.0, 4.0, 2.5])
    pd_ = plot_data(mk.fit(d, "lognormal"), d)
    assert pd_["cdf_empirical"]["kind"] == "turnbull"
    assert pd_["cdf_empirical"]["shape"] == "linear"
    assert pd_["qq"]["sample"] == [2.0]  # the one exact value
    assert pd_["n_censored"] == 3.0


def test_qq_uses_hazen_positions_and_the_fitted_quantiles(rng: np.random.Generator) -> None:
    x = rng.normal(10.0, 2.0, 300)
    res = mk.fit(x, "normal")
    pd_ = plot_data(res, mk.Data(x))
    q = pd_["qq"]
    keep = _thin(300, 500)
    probs = (np.arange(1, 301) - 0.5) / 300
    np.testing.assert_allclose(q["sample"], np.sort(x)[keep])
    np.testing.assert_allclose(q["theoretical"], stats.norm.ppf(probs[keep], res.params["mu"],
                                                                res.params["sigma"]), rtol=1e-12)


def test_long_series_are_thinned(rng: np.random.Generator) -> None:
    x = rng.gamma(2.0, 1.0, 20_000)
    pd_ = plot_data(mk.fit(x, "gamma"), mk.Data(x))
    assert len(pd_["qq"]["sample"]) <= 500 and len(pd_["cdf_empirical"]["x"]) <= 800
    assert pd_["qq"]["sample"][0] == pytest.approx(x.min())
    assert pd_["qq"]["sample"][-1] == pytest.approx(x.max())


def test_histogram_is_a_density_split_by_censoring(rng: np.random.Generator) -> None:
    x = rng.weibull(2.0, 500) * 3 + 0.01
    obs = rng.random(500) > 0.3
    d = mk.Data(x, observed=obs)
    hist = plot_data(mk.fit(d, "weibull"), d)["histogram"]
    w = np.asarray(hist["widths"])
    assert np.sum(np.asarray(hist["exact"]) * w) == pytest.approx(obs.mean(), rel=1e-12)
    assert np.sum(np.asarray(hist["censored"]) * w) == pytest.approx(1 - obs.mean(), rel=1e-12)
    assert hist["censored_kind"] == "right"


def test_fitted_curves_match_the_distribution(rng: np.random.Generator) -> None:
    x = rng.lognormal(0.5, 0.7, 200)
    res = mk.fit(x, "lognormal")
    pd_ = plot_data(res, mk.Data(x))
    gx = np.asarray(pd_["density"]["x"])
    assert gx.min() > 0  # the grid stays inside the support
    np.testing.assert_allclose(pd_["density"]["y"], res.dist.pdf(gx), rtol=1e-12)
    np.testing.assert_allclose(pd_["cdf_fit"]["y"], res.dist.cdf(gx), rtol=1e-12)


def test_discrete_fit_draws_a_pmf_on_integers(rng: np.random.Generator) -> None:
    k = rng.poisson(4.0, 300)
    res = mk.fit(k, "poisson")
    pd_ = plot_data(res, mk.Data(k))
    assert pd_["discrete"]
    xs = np.asarray(pd_["density"]["x"])
    np.testing.assert_array_equal(xs, np.arange(xs[0], xs[-1] + 1))
    freq = np.asarray(pd_["histogram"]["exact"])
    assert freq.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(pd_["density"]["y"], stats.poisson.pmf(xs, res.params["rate"]), rtol=1e-10)


# ---------------------------------------------------------------------------- return levels
@pytest.mark.parametrize("family", ["gev", "gumbel"])
def test_return_level_plot_is_mlekits_curve_band_and_points(family: str) -> None:
    from mlekit.web._plotdata import RETURN_PERIODS

    x = mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)
    res = mk.fit(x, family)
    rl = plot_data(res, mk.Data(x))["return_level"]
    assert rl["family"] == family and rl["note"] is None and rl["block"] == "blocks"
    c = rl["curve"]
    assert c["period"] == list(RETURN_PERIODS) and c["method"] == "profile"
    ref = res.return_level(np.asarray(RETURN_PERIODS))
    np.testing.assert_allclose(c["estimate"], ref.estimate, rtol=1e-12)
    np.testing.assert_allclose(c["lower"], ref.ci[0], rtol=1e-9)
    np.testing.assert_allclose(c["upper"], ref.ci[1], rtol=1e-9)
    i = c["period"].index(100.0)
    assert c["estimate"][i] == pytest.approx(float(res.return_level(100).estimate), abs=1e-9)
    assert np.all(np.asarray(c["lower"]) < c["estimate"]) and np.all(c["estimate"] < np.asarray(c["upper"]))
    # Weibull plotting positions i/(n+1), as mk.plot.return_levels
    n = x.size
    np.testing.assert_allclose(rl["points"]["level"], np.sort(x))
    np.testing.assert_allclose(rl["points"]["period"], (n + 1.0) / (n + 1.0 - np.arange(1, n + 1)))


def test_return_level_plot_only_for_the_extreme_value_families(rng: np.random.Generator) -> None:
    y = rng.exponential(1.0, 60)
    assert plot_data(mk.fit(y, "weibull"), mk.Data(y))["return_level"] is None
    gp = plot_data(mk.fit(y, "genpareto"), mk.Data(y))["return_level"]
    assert gp["block"] == "exceedances"
    i = gp["curve"]["period"].index(100.0)
    assert gp["curve"]["estimate"][i] == pytest.approx(
        float(mk.fit(y, "genpareto").return_level(100).estimate), abs=1e-9)


def test_return_level_points_with_weights_and_censoring() -> None:
    from mlekit.web._plotdata import empirical_periods

    # frequency weights: the positions count the weights (3 copies of 2.0 -> i = 4)
    pts = empirical_periods(np.array([2.0, 1.0, 3.0]), np.array([3.0, 1.0, 1.0]))
    assert pts["level"] == [1.0, 2.0, 3.0]
    np.testing.assert_allclose(pts["period"], [1 / (1 - 1 / 6), 1 / (1 - 4 / 6), 1 / (1 - 5 / 6)])
    x = mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)
    obs = x < 4.4
    d = mk.Data(x, observed=obs, censoring="right")
    rl = plot_data(mk.fit(d, "gev"), d)["return_level"]
    assert "exact values only" in rl["note"]
    assert rl["points"]["level"] == sorted(x[obs].tolist())


def test_return_level_band_falls_back_to_delta_and_never_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import mlekit.web._plotdata as pdm

    x = mk.datasets.portpirie()["sea_level"].to_numpy(dtype=float)
    res = mk.fit(x, "gev")
    monkeypatch.setattr(pdm, "PROFILE_BUDGET_S", 0.0)      # over budget after the first period
    rl = plot_data(res, mk.Data(x))["return_level"]
    assert rl["curve"]["method"] == "delta" and "longer than 0 s" in rl["note"]
    ref = res.return_level(np.asarray(pdm.RETURN_PERIODS), method="delta")
    np.testing.assert_allclose(rl["curve"]["lower"], ref.ci[0], rtol=1e-12)
    # a Gumbel fit whose levels cannot be computed: the data only, with the reason
    y = [0.0, 0.0, 0.0, 1e-300, 1.0]
    rl = plot_data(mk.fit(y, "gumbel"), mk.Data(y))["return_level"]
    assert (rl["curve"] is None) == ("could not be computed" in (rl["note"] or ""))
    assert len(rl["points"]["level"]) == 5
