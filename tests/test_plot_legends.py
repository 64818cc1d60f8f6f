"""Legends never cover data, and filled likelihood surfaces have a colour bar.

For each figure of the gallery (docs/plots/generate.py: the standard plots on the demo data
sets), the figure is drawn once to find its legends, then again with everything but the data
hidden (axes, labels, titles, reference lines, filled contour backgrounds, colour bars, the
legends themselves): the pixels under each legend's box must all be background."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

import mlekit as mk

matplotlib.use("Agg")
import matplotlib.pyplot as plt

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plots"
gallery = runpy.run_path(str(DOCS / "generate.py"), run_name="gallery")
FIGURES = gallery["figures"]()


@pytest.fixture(autouse=True)
def _close() -> Any:
    yield
    plt.close("all")


def _data_under_legends(fig: Any) -> dict[str, int]:
    """Legend label -> number of data pixels under that legend's box."""
    fig.canvas.draw()
    boxes = {}
    for i, ax in enumerate(fig.axes):
        leg = ax.get_legend()
        if leg is not None:
            boxes[f"axes {i}: {leg.get_texts()[0].get_text()}"] = leg.get_window_extent()
    fig.set_layout_engine("none")   # keep every axes where it is
    if fig._suptitle is not None:
        fig._suptitle.set_visible(False)
    for ax in fig.axes:
        if ax.get_legend() is not None:
            ax.get_legend().set_visible(False)
        if hasattr(ax, "_colorbar"):
            ax.set_visible(False)
            continue
        ax.axis("off")
        ax.patch.set_visible(False)
        for t in (ax.title, ax._left_title, ax._right_title, *ax.texts):
            t.set_visible(False)
        for ln in ax.lines:
            if ln.get_transform() is not ax.transData:   # axhline / axvline: reference lines
                ln.set_visible(False)
        for c in ax.collections:
            if getattr(c, "filled", False):                # a filled contour is the background
                c.set_visible(False)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    height = img.shape[0]
    out = {}
    for label, b in boxes.items():
        x0, x1 = int(np.ceil(b.x0)) + 1, int(np.floor(b.x1)) - 1
        r0, r1 = height - int(np.floor(b.y1)) + 1, height - int(np.ceil(b.y0)) - 1
        region = img[max(r0, 0):max(r1, 0), max(x0, 0):max(x1, 0)]
        out[label] = int((region.min(axis=-1) < 245).sum())
    return out


# gallery figures drawn without a legend (the defects regression's Cook's distance contours lie
# off the chart, so its residual panel says so in a note instead)
NO_LEGEND = {"residuals_defects.png"}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_legends_cover_no_data(name: str) -> None:
    fig = FIGURES[name]()
    covered = _data_under_legends(fig)
    assert bool(covered) != (name in NO_LEGEND), f"{name}: legends {covered}"
    assert all(v == 0 for v in covered.values()), f"{name}: data pixels under a legend: {covered}"


def test_the_check_sees_a_legend_on_data() -> None:
    # a legend forced onto the data is found (the check can fail)
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0, 1, 50)
    ax.fill_between(x, 0, 1, alpha=0.2, label="band")
    ax.legend(loc="center")
    assert _data_under_legends(fig)["axes 0: band"] > 0


def test_a_crowded_axes_gets_its_legend_outside() -> None:
    from mlekit.plot._common import legend

    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.fill_between(np.linspace(0, 1, 50), 0, 1, alpha=0.2, label="everywhere")
    leg = legend(ax)
    fig.canvas.draw()
    assert leg.get_window_extent().x0 >= ax.get_window_extent().x1
    assert _data_under_legends(fig)["axes 0: everywhere"] == 0


def test_filled_contours_have_a_colour_bar() -> None:
    res = mk.fit(mk.datasets.five_points(), "normal")
    ax = mk.plot.contour(res, "mu", "sigma")
    bars = [a for a in ax.figure.axes if hasattr(a, "_colorbar")]
    assert len(bars) == 1
    cb = bars[0]._colorbar
    assert cb.ax.get_ylabel() == "log L − max log L"
    lo, hi = cb.vmin, cb.vmax
    assert hi == pytest.approx(0.0, abs=1e-12) and lo < -2.996   # the 95% cut, −χ²₂(0.95)/2
    assert len(cb.lines) == 1 and len(cb.lines[0].get_segments()) == 3   # the 3 regions marked
    assert mk.plot.contour(res, "mu", "sigma", colorbar=False).figure.axes[-1] is not bars[0]
