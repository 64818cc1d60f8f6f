"""``mk.plot.residuals``: the four residual checks of a regression (Agg backend)."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import mlekit as mk
from mlekit.errors import ParameterError

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close() -> object:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def counts() -> mk.FitResult:
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"x": rng.normal(size=150)})
    df["y"] = rng.poisson(np.exp(0.4 + 0.6 * df.x))
    return mk.regress("y ~ x", data=df, family="poisson")


@pytest.fixture(scope="module")
def lifetimes() -> mk.FitResult:
    rng = np.random.default_rng(6)
    n = 200
    df = pd.DataFrame({"x": rng.uniform(-1, 1, n)})
    t = rng.weibull(1.5, n) * np.exp(1.0 + 0.5 * df.x)
    c = rng.uniform(0.5, 6.0, n)
    df["t"], df["event"] = np.minimum(t, c), t <= c
    return mk.regress("t ~ x", data=df, family="weibull", observed="event")


def test_glm_figure_draws_the_four_checks(counts: mk.FitResult) -> None:
    fig = mk.plot.residuals(counts)
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = fig.axes
    assert [a.get_title() for a in axes] == ["residuals vs fitted",
                                             "normal Q–Q of quantile residuals",
                                             "scale-location", "residuals vs leverage"]
    eta = np.log(counts.predict()["rate"].to_numpy())
    # panel 1: deviance residuals against the linear predictor
    pts = axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 0], eta)
    np.testing.assert_allclose(pts[:, 1], counts.residuals("deviance"))
    assert axes[0].get_ylabel() == "deviance residual"
    # panel 2: sorted quantile residuals against Hazen's normal quantiles
    q = np.sort(counts.residuals("quantile"))
    pts = axes[1].collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 1], q)
    np.testing.assert_allclose(pts[:, 0], norm.ppf((np.arange(1, q.size + 1) - 0.5) / q.size))
    # panel 4: standardised Pearson residuals against the leverage, Cook's contours
    infl = counts.influence()
    h = infl["leverage"].to_numpy()
    pts = axes[3].collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 0], h)
    np.testing.assert_allclose(pts[:, 1], counts.residuals("pearson") / np.sqrt(1 - h))
    labels = [ln.get_label() for ln in axes[3].get_lines()]
    assert "Cook's distance 0.5" in labels      # (1 lies beyond these points' range)
    # the three largest Cook's distances are labelled with their row positions
    top = set(infl["cooks_distance"].nlargest(3).index.astype(str))
    assert {t.get_text() for t in axes[3].texts} == top
    # on a contour, Cook's distance is the contour's value: D = r^2 h / (p (1 - h))
    line = next(ln for ln in axes[3].get_lines() if ln.get_label() == "Cook's distance 0.5")
    hx, ry = line.get_data()
    np.testing.assert_allclose(ry ** 2 * hx / (2 * (1 - hx)), 0.5)


def test_censored_fit_uses_quantile_residuals(lifetimes: mk.FitResult) -> None:
    fig = mk.plot.residuals(lifetimes)
    ax1, _, ax3, ax4 = fig.axes
    q = lifetimes.residuals("quantile")
    np.testing.assert_allclose(ax1.collections[0].get_offsets()[:, 1], q)
    np.testing.assert_allclose(ax3.collections[0].get_offsets()[:, 1], np.sqrt(np.abs(q)))
    assert ax4.get_ylabel() == "quantile residual"
    assert "weibull" in fig._suptitle.get_text()


def test_zero_inflated_and_given_figure(counts: mk.FitResult) -> None:
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"x": rng.normal(size=200)})
    df["y"] = np.where(rng.uniform(size=200) < 0.3, 0, rng.poisson(np.exp(0.8 + 0.4 * df.x)))
    r = mk.regress("y ~ x", data=df, family=mk.ZeroInflated("poisson"))
    fig = plt.figure(figsize=(8, 6))
    assert mk.plot.residuals(r, fig) is fig
    assert len(fig.axes) == 4


def test_contours_off_the_chart_give_the_largest_cooks_distance() -> None:
    r = mk.regress("defects ~ shift + day", data=mk.datasets.defects(), family="poisson")
    ax4 = mk.plot.residuals(r).axes[3]
    assert not any("Cook" in ln.get_label() for ln in ax4.get_lines())
    big = r.influence()["cooks_distance"].max()
    assert [t.get_text() for t in ax4.texts if "largest" in t.get_text()] == [
        f"largest Cook's distance {big:.2g} (contours 0.5, 1 off the chart)"]


def test_wrong_input_is_a_named_error() -> None:
    res = mk.fit(mk.datasets.gaussian(), "normal")
    with pytest.raises(ParameterError, match="regression result"):
        mk.plot.residuals(res)


def test_importing_mlekit_plot_does_not_import_matplotlib() -> None:
    code = ("import sys, mlekit as mk; mk.plot.residuals; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
