"""Plot content, rendered with the Agg backend: labels, lines, extents and the numbers drawn."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import chi2, norm

import mlekit as mk

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close() -> object:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def gauss() -> mk.FitResult:
    return mk.fit(mk.datasets.gaussian(), "normal")


@pytest.fixture(scope="module")
def bulbs() -> mk.FitResult:
    return mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")


@pytest.fixture(scope="module")
def coin() -> mk.FitResult:
    return mk.fit(mk.datasets.coin(), "bernoulli")


def _line(ax: object, label: str) -> object:
    for ln in ax.get_lines():  # type: ignore[attr-defined]
        if ln.get_label() == label:
            return ln
    raise AssertionError(f"no line {label!r}; have {[ln.get_label() for ln in ax.get_lines()]}")


def test_density_is_the_seeds_figure(gauss: mk.FitResult) -> None:
    ax = mk.plot.density(gauss, bins=20)
    assert isinstance(ax, matplotlib.axes.Axes)
    x = mk.datasets.gaussian()
    bars = [p for p in ax.patches if p.get_width() > 0]
    assert len(bars) == 20
    area = sum(p.get_width() * p.get_height() for p in bars)
    assert area == pytest.approx(1.0)            # density=True, as in the seed
    counts, _ = np.histogram(x, bins=20, density=True)
    np.testing.assert_allclose([p.get_height() for p in bars], counts)
    ln = _line(ax, "fitted density")
    xs, ys = ln.get_xdata(), ln.get_ydata()
    np.testing.assert_allclose(ys, norm.pdf(xs, x.mean(), x.std()), rtol=1e-10)
    assert xs.min() <= x.min() and xs.max() >= x.max()
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "density"
    assert "Normal" in ax.get_title()


def test_density_discrete_bars_and_pmf(coin: mk.FitResult) -> None:
    ax = mk.plot.density(coin)
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == pytest.approx([0.3, 0.7])
    ln = _line(ax, "fitted probability")
    np.testing.assert_allclose(ln.get_xdata(), [0, 1])
    np.testing.assert_allclose(ln.get_ydata(), [0.3, 0.7])
    assert ax.get_ylabel() == "probability"


def test_density_censored_marks_and_subdensity(bulbs: mk.FitResult) -> None:
    ax = mk.plot.density(bulbs)
    area = sum(p.get_width() * p.get_height() for p in ax.patches)
    assert area == pytest.approx(55 / 80)        # exact values' share only
    offsets = [c for c in ax.collections if c.get_label().startswith("right-censored")]
    assert len(offsets) == 1
    assert offsets[0].get_offsets().shape[0] == 25


def test_qq_uses_hazen_positions_without_censoring(gauss: mk.FitResult) -> None:
    ax = mk.plot.qq(gauss)
    pts = ax.collections[0].get_offsets()
    x = np.sort(mk.datasets.gaussian())
    n = x.size
    theo = norm.ppf((np.arange(1, n + 1) - 0.5) / n, x.mean(), x.std())
    np.testing.assert_allclose(pts[:, 1], x)
    np.testing.assert_allclose(pts[:, 0], theo, rtol=1e-9)
    assert "quantile" in ax.get_xlabel()


def test_pp_with_censoring(bulbs: mk.FitResult) -> None:
    ax = mk.plot.pp(bulbs)
    assert ax.get_ylabel() == "Kaplan–Meier CDF"
    labels = [c.get_label() for c in ax.collections]
    assert "observed" in labels and any(lb.startswith("right-censored") for lb in labels)
    pts = ax.collections[0].get_offsets()
    assert np.all((pts >= 0) & (pts <= 1))
    assert np.corrcoef(pts[:, 0], pts[:, 1])[0, 1] > 0.98   # a good fit hugs the diagonal


def test_cdf_kaplan_meier_band(bulbs: mk.FitResult) -> None:
    ax = mk.plot.cdf(bulbs)
    names = [ln.get_label() for ln in ax.get_lines()]
    assert "Kaplan–Meier" in names and "fitted CDF" in names
    fitted = _line(ax, "fitted CDF")
    t = fitted.get_xdata()
    np.testing.assert_allclose(fitted.get_ydata(), bulbs.dist.cdf(t))
    assert any("Greenwood" in str(c.get_label()) for c in ax.collections)


def test_cdf_interval_censored_uses_turnbull() -> None:
    rng = np.random.default_rng(2)
    x = rng.gamma(3.0, 2.0, 150)
    lo = np.floor(x)
    res = mk.fit(mk.Data.interval(lo, lo + 1), "gamma")
    ax = mk.plot.cdf(res)
    assert "Turnbull NPMLE" in [ln.get_label() for ln in ax.get_lines()]
    assert any("interval-censored" in str(c.get_label()) for c in ax.collections)


def test_survival_band_exponential_closed_form() -> None:
    rng = np.random.default_rng(4)
    t = rng.exponential(10.0, 60)
    res = mk.fit(t, "exponential")
    lam, se = res.params["rate"], res.se["rate"]
    grid = np.array([1.0, 5.0, 20.0])
    S, lo, hi = mk.plot.survival_band(res, grid)
    z = norm.ppf(0.975)
    # log(-log S) = log(rate) + log t: the band is rate * exp(-/+ z se/rate)
    np.testing.assert_allclose(S, np.exp(-lam * grid))
    np.testing.assert_allclose(lo, np.exp(-lam * np.exp(z * se / lam) * grid), rtol=1e-6)
    np.testing.assert_allclose(hi, np.exp(-lam * np.exp(-z * se / lam) * grid), rtol=1e-6)
    h, hlo, _ = mk.plot.hazard_band(res, grid)
    np.testing.assert_allclose(h, lam)
    np.testing.assert_allclose(hlo, lam * np.exp(-z * se / lam), rtol=1e-6)


def test_survival_and_hazard_axes(bulbs: mk.FitResult) -> None:
    ax = mk.plot.survival(bulbs)
    assert ax.get_ylabel() == "survival probability S(t)"
    assert "Kaplan–Meier" in [ln.get_label() for ln in ax.get_lines()]
    assert ax.get_xlim()[0] == 0.0
    ax2 = mk.plot.hazard(bulbs)
    h = _line(ax2, "fitted hazard h(t)")
    assert np.all(np.diff(h.get_ydata()) > 0)  # shape 2.2: the hazard rises
    ax3 = mk.plot.hazard(bulbs, cumulative=True)
    assert "Nelson–Aalen" in [ln.get_label() for ln in ax3.get_lines()]


def _coin_lr_interval(level: float = 0.95) -> tuple[float, float]:
    def ll(p: float) -> float:
        return 7 * math.log(p) + 3 * math.log(1 - p)

    cut = ll(0.7) - chi2.ppf(level, 1) / 2
    return brentq(lambda p: ll(p) - cut, 1e-9, 0.7), brentq(lambda p: ll(p) - cut, 0.7, 1 - 1e-12)


def test_loglik_coin_matches_closed_form(coin: mk.FitResult) -> None:
    ax = mk.plot.loglik(coin, "p")
    ln = _line(ax, "log-likelihood")
    p = ln.get_xdata()
    np.testing.assert_allclose(ln.get_ydata(), 7 * np.log(p) + 3 * np.log1p(-p), rtol=1e-10)
    curve = mk.plot.profile_curve(coin, "p")
    lo, hi = _coin_lr_interval()
    assert curve["ci"][0] == pytest.approx(lo, abs=1e-7)
    assert curve["ci"][1] == pytest.approx(hi, abs=1e-7)
    assert any("profile CI" in str(c.get_label()) for c in ax.patches)
    assert ax.get_xlabel() == "p" and ax.get_ylabel() == "log-likelihood"


def test_profile_normal_sigma_closed_form() -> None:
    """Normal sigma: profile over mu is -n log(sigma) - n s^2/(2 sigma^2) + const."""
    x = np.array([2.3, 1.9, 2.5, 2.8, 1.7])
    res = mk.fit(x, "normal")
    n, s = x.size, x.std()
    def prof(sig: float) -> float:
        return -n * math.log(sig) - n * s**2 / (2 * sig**2)
    cut = prof(s) - chi2.ppf(0.95, 1) / 2
    lo = brentq(lambda v: prof(v) - cut, 1e-3, s)
    hi = brentq(lambda v: prof(v) - cut, s, 100)
    curve = mk.plot.profile_curve(res, "sigma")
    assert curve["ci"] == pytest.approx((lo, hi), abs=1e-6)
    ax = mk.plot.profile(res, "sigma")
    assert ax.get_ylabel() == "log L − max log L"
    assert "quadratic (Wald) approximation" in [ln.get_label() for ln in ax.get_lines()]


def test_profile_weibull_censored_closed_form(bulbs: mk.FitResult) -> None:
    """Right-censored Weibull: for a fixed shape k the scale maximises in closed form
    (scale^k = sum t^k / d), so the profile of k is a formula; check the drawn curve and CI."""
    df = mk.datasets.lightbulbs()
    t, failed = df["hours"].to_numpy(), df["failed"].to_numpy() == 1
    d = failed.sum()

    def prof(k: float) -> float:
        lam_k = np.sum(t**k) / d
        return float(d * math.log(k) - d * math.log(lam_k) + (k - 1) * np.log(t[failed]).sum() - d)

    curve = mk.plot.profile_curve(bulbs, "shape")
    ok = np.isfinite(curve["loglik"])
    np.testing.assert_allclose(curve["loglik"][ok], [prof(k) for k in curve["x"][ok]], rtol=1e-9)
    top = prof(bulbs.params["shape"])
    cut = top - chi2.ppf(0.95, 1) / 2
    k = bulbs.params["shape"]
    lo, hi = brentq(lambda v: prof(v) - cut, 0.5, k), brentq(lambda v: prof(v) - cut, k, 10.0)
    assert curve["ci"] == pytest.approx((lo, hi), rel=1e-6)


def test_contour_region_and_mle(gauss: mk.FitResult) -> None:
    ax = mk.plot.contour(gauss, "mu", "sigma")
    mle = _line(ax, f"MLE ({gauss.params['mu']:.4g}, {gauss.params['sigma']:.4g})")
    assert mle.get_xdata()[0] == pytest.approx(gauss.params["mu"])
    assert ax.get_xlabel() == "mu" and ax.get_ylabel() == "sigma"
    # the 95% joint region lies within the plotted window on every side
    xl, yl = ax.get_xlim(), ax.get_ylim()
    z2 = math.sqrt(chi2.ppf(0.95, 2))
    assert xl[0] < gauss.params["mu"] - z2 * gauss.se["mu"] and xl[1] > gauss.params["mu"] + z2 * gauss.se["mu"]
    assert yl[0] < gauss.params["sigma"] - z2 * gauss.se["sigma"]


def test_contour_needs_two_params(coin: mk.FitResult) -> None:
    with pytest.raises(mk.ParameterError, match="two free parameters"):
        mk.plot.contour(coin)
    with pytest.raises(mk.ParameterError, match="parameter must be one of"):
        mk.plot.loglik(coin, "q")


def test_fixed_parameter_has_no_curve() -> None:
    res = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull", fixed={"shape": 2.0})
    with pytest.raises(mk.ParameterError, match="held fixed"):
        mk.plot.loglik(res, "shape")
    ax = mk.plot.loglik(res, "scale")
    assert ax.get_xlabel() == "scale"


def test_panel_is_two_by_two(bulbs: mk.FitResult, gauss: mk.FitResult) -> None:
    fig = bulbs.plot()
    axes = fig.get_axes()
    assert len(axes) == 4
    assert axes[3].get_ylabel() == "survival probability S(t)"   # censored: survival panel
    fig2 = gauss.plot()
    assert fig2.get_axes()[3].get_ylabel() == "cumulative probability"
    assert "log-lik" in fig2._suptitle.get_text()


def test_every_function_takes_ax(bulbs: mk.FitResult) -> None:
    _, ax = plt.subplots()
    for fn in (mk.plot.density, mk.plot.qq, mk.plot.pp, mk.plot.cdf, mk.plot.survival,
               mk.plot.hazard):
        ax.clear()
        assert fn(bulbs, ax=ax) is ax
    assert mk.plot.loglik(bulbs, "shape", ax=ax) is ax
    assert mk.plot.profile(bulbs, "scale", ax=ax) is ax
    assert mk.plot.contour(bulbs, "shape", "scale", ax=ax) is ax


def test_compare_overlay() -> None:
    data = mk.Data(mk.datasets.defects()["defects"], name="defects")
    fits = [mk.fit(data, "poisson"), mk.fit(data, "negative_binomial")]
    ax = mk.plot.compare(fits)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels[0] == "negative_binomial (best)"
    assert labels[1].startswith("poisson (ΔAIC")
    assert ax.get_ylim()[1] >= max(np.max(ln.get_ydata()) for ln in ax.get_lines())


def test_plot_without_data_is_a_named_error(gauss: mk.FitResult) -> None:
    import dataclasses

    bare = dataclasses.replace(gauss, data=None)
    with pytest.raises(mk.DataError, match="needs the data"):
        mk.plot.density(bare)


def test_import_mlekit_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import mlekit, sys; mlekit.fit([1.0, 2.0, 3.5], 'normal'); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYTHONPATH": mk.__path__[0].rsplit("/", 1)[0]})
    assert out.stdout.strip() == "False"


def test_comparison_plot_method() -> None:
    data = mk.datasets.lightbulbs(as_data=True)
    cmp = mk.compare(data, ["exponential", "weibull", "lognormal"], gof=False)
    ax = cmp.plot()
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "Kaplan–Meier" in labels                    # censored data: CDFs over Kaplan–Meier
    assert labels[1] == "weibull (best)"
    ax2 = cmp.plot(kind="density", top=2)
    assert len([ln for ln in ax2.get_lines() if "ΔAIC" in str(ln.get_label())]) == 1
