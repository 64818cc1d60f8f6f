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
