"""Regenerate the plot gallery in docs/plots/ (``tests/test_plot_images.py`` checks it).

Run from a checkout: ``PYTHONPATH=src python docs/plots/generate.py``
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import mlekit as mk

HERE = Path(__file__).resolve().parent
DPI = 72


def _interval_fit() -> Any:
    rng = np.random.default_rng(11)
    x = rng.gamma(3.0, 2.0, 120)
    lo = 2 * np.floor(x / 2)                 # inspected every 2 hours: (lo, lo + 2]
    return mk.fit(mk.Data.interval(lo, lo + 2, name="hours (inspected every 2 h)"), "gamma")


def figures() -> dict[str, Callable[[], Any]]:
    """File name -> a function returning the figure (fixed size, deterministic)."""
    gauss = mk.fit(mk.datasets.gaussian(), "normal")
    bulbs = mk.fit(mk.datasets.lightbulbs(as_data=True), "weibull")
    coin = mk.fit(mk.datasets.coin(), "bernoulli")
    five = mk.fit(mk.datasets.five_points(), "normal")
    counts = mk.Data(mk.datasets.defects()["defects"], name="defects per machine-shift")
    defects = [mk.fit(counts, "poisson"), mk.fit(counts, "negative_binomial")]
    pirie = mk.fit(mk.Data(mk.datasets.portpirie()["sea_level"], name="sea level (m)"), "gev")

    def ab_profiles() -> Any:
        from mlekit.cli.demo import _lift_model, ab_visitors

        fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        a = mk.fit(mk.Data([1, 0], weights=[920, 8280]), "bernoulli")
        mk.plot.profile(a, "p", axes[0])
        axes[0].set_title("variant A: conversion rate")
        data, w = ab_visitors(mk.datasets.ab_test())
        mk.plot.profile(mk.fit(_lift_model(), data=data, weights=w), "lift", axes[1])
        axes[1].set_title("B's lift over A (a custom model)")
        return fig

    def ax_fig(fn: Callable[[Any], Any], size: tuple[float, float] = (6.0, 4.0)) -> Callable[[], Any]:
        def make() -> Any:
            fig, ax = plt.subplots(figsize=size, layout="constrained")
            fn(ax)
            return fig
        return make

    return {
        "density_gaussian.png": ax_fig(lambda ax: mk.plot.density(gauss, ax, bins=20)),
        "panel_lightbulbs.png": lambda: bulbs.plot(plt.figure(figsize=(10, 8), layout="constrained")),
        "qq_gaussian.png": ax_fig(lambda ax: mk.plot.qq(gauss, ax), (4.5, 4.5)),
        "pp_lightbulbs.png": ax_fig(lambda ax: mk.plot.pp(bulbs, ax), (4.5, 4.5)),
        "cdf_lightbulbs.png": ax_fig(lambda ax: mk.plot.cdf(bulbs, ax)),
        "cdf_interval_turnbull.png": ax_fig(lambda ax: mk.plot.cdf(_interval_fit(), ax)),
        "survival_lightbulbs.png": ax_fig(lambda ax: mk.plot.survival(bulbs, ax)),
        "hazard_lightbulbs.png": ax_fig(lambda ax: mk.plot.hazard(bulbs, ax)),
        "loglik_coin.png": ax_fig(lambda ax: mk.plot.loglik(coin, "p", ax)),
        "profile_lightbulbs_shape.png": ax_fig(lambda ax: mk.plot.profile(bulbs, "shape", ax)),
        "contour_five_points.png": ax_fig(lambda ax: mk.plot.contour(five, "mu", "sigma", ax), (5.5, 4.5)),
        "profile_ab_test.png": ab_profiles,
        "compare_defects.png": ax_fig(lambda ax: mk.plot.compare(defects, ax, kind="density"), (7, 4.5)),
        "residuals_defects.png": lambda: mk.plot.residuals(
            mk.regress("defects ~ shift + day", data=mk.datasets.defects(), family="poisson"),
            plt.figure(figsize=(10, 8), layout="constrained")),
        "return_levels_portpirie.png": ax_fig(lambda ax: mk.plot.return_levels(pirie, ax), (7, 4.5)),
    }


def render(make: Callable[[], Any], path: Path) -> None:
    fig = make()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def main(out: Path = HERE) -> None:
    for name, make in figures().items():
        render(make, out / name)
        print("wrote", out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
