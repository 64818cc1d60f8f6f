"""Shared pieces of the plots: axes, colours, the fitted distribution, delta-method bands."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from .._core.checks import require
from ..errors import DataError

FloatArray = NDArray[np.float64]

DATA = "#4C72B0"        # observed data
FIT = "#C44E52"         # the fitted model
BAND = "#C44E52"
EMP = "#333333"         # non-parametric estimate
RIGHT = "#DD8452"       # right-censored
LEFT = "#55A868"        # left-censored
INTERVAL = "#8172B3"    # interval-censored
CENSOR_STYLE = {
    "right": dict(marker=">", color=RIGHT, label="right-censored (still running)"),
    "left": dict(marker="<", color=LEFT, label="left-censored (below a limit)"),
    "interval": dict(marker="o", color=INTERVAL, label="interval-censored (midpoint)"),
}


def get_ax(ax: Any = None, figsize: tuple[float, float] = (6.0, 4.0)) -> Any:
    """The given Axes, or a new figure's."""
    if ax is not None:
        return ax
    plt = require("matplotlib.pyplot", "plot", "plots need matplotlib")
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def data_of(res: Any) -> Any:
    d = getattr(res, "data", None)
    if d is None:
        raise DataError("this plot needs the data the model was fitted to; got a result without "
                        "data (res.data is None). Hint: fit with mk.fit(data, family).")
    return d


def label_of(res: Any) -> str:
    return getattr(res.data, "name", None) or "x"


def title_of(res: Any) -> str:
    vals = ", ".join(f"{p}={v:.4g}" for p, v in res.params.items())
    return f"{type(res.dist).__name__}({vals})"


def dist_of(res: Any) -> Any:
    """The fitted distribution, usable on its own (binomial: with the data's trial count)."""
    return res.dist._for_data(res.data)


def is_discrete(res: Any) -> bool:
    return bool(getattr(res.dist, "discrete", False))


def exact_values(data: Any) -> tuple[FloatArray, FloatArray]:
    b = data.exact
    w = np.ones(b.size) if b.w is None else np.asarray(b.w, dtype=float)
    return np.asarray(b.x, dtype=float), w


def censored_points(data: Any) -> dict[str, FloatArray]:
    """Representative points of the censored rows: the bound (left/right) or the midpoint."""
    out: dict[str, FloatArray] = {}
    if data.right.size:
        out["right"] = np.asarray(data.right.x, dtype=float)
    if data.left.size:
        out["left"] = np.asarray(data.left.x, dtype=float)
    ib = data.interval_block
    if ib.size:
        lo, hi = ib.x, ib.hi
        out["interval"] = np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi),
                                   np.where(np.isfinite(lo), lo, hi))
    return out


def x_range(res: Any, pad: float = 0.05) -> tuple[float, float]:
    """A plotting range that shows the data and the bulk of the fitted distribution."""
    d = data_of(res)
    pts = d.all_points()
    pts = pts[np.isfinite(pts)]
    dist = dist_of(res)
    with np.errstate(all="ignore"):
        try:
            q = np.asarray(dist.ppf([0.005, 0.995]), dtype=float)
        except Exception:  # a family without a quantile function
            q = np.array([np.nan, np.nan])
    cand = np.concatenate([pts, q[np.isfinite(q)]])
    lo, hi = float(np.min(cand)), float(np.max(cand))
    if is_discrete(res):
        return math.floor(lo), math.ceil(hi)
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    lo2, hi2 = lo - pad * span, hi + pad * span
    sup = res.dist.support
    if sup.lower > -math.inf and lo2 < sup.lower:
        lo2 = sup.lower
    if sup.upper < math.inf and hi2 > sup.upper:
        hi2 = sup.upper
    return lo2, hi2


def mark_censored(ax: Any, data: Any, y_of: Any, *, orient: str = "x") -> None:
    """Draw censored rows distinctly: ``y_of(kind, xs)`` gives their y position."""
    for kind, xs in censored_points(data).items():
        st = CENSOR_STYLE[kind]
        ys = y_of(kind, xs)
        px, py = (xs, ys) if orient == "x" else (ys, xs)
        ax.scatter(px, py, marker=st["marker"], facecolors="none", edgecolors=st["color"],
                   s=36, linewidths=1.2, label=st["label"], zorder=4)


def _grad(f: Any, res: Any) -> FloatArray:
    """Numerical gradient of ``f(dist) -> array`` over the free natural parameters."""
    names = list(res.params)
    base = np.asarray(f(res.dist), dtype=float)
    g = np.zeros((len(names), *base.shape))
    for i, p in enumerate(names):
        if p in res.fixed:
            continue
        v = res.params[p]
        h = 1e-5 * max(abs(v), 1e-3)
        dom = res.dist.domains[i]
        lo_ok = dom.contains(v - h)
        up = np.asarray(f(res.dist.with_params(**{p: v + h})), dtype=float)
        if lo_ok:
            dn = np.asarray(f(res.dist.with_params(**{p: v - h})), dtype=float)
            g[i] = (up - dn) / (2 * h)
        else:
            g[i] = (up - base) / h
    return g


def delta_band(res: Any, f: Any, level: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimate and pointwise delta-method band of ``f(dist)`` (on the scale f returns)."""
    est = np.asarray(f(res.dist), dtype=float)
    cov = np.asarray(res.cov, dtype=float)
    if not np.all(np.isfinite(cov)):
        nan = np.full(est.shape, np.nan)
        return est, nan, nan
    with np.errstate(all="ignore"):
        g = _grad(f, res)
    var = np.einsum("i...,ij,j...->...", g, cov, g)
    se = np.sqrt(np.maximum(var, 0.0))
    z = float(norm.ppf(0.5 + level / 2.0))
    return est, est - z * se, est + z * se


def integer_ticks(ax: Any, *axes: str) -> None:
    """Whole-number ticks on the named axes ("x", "y"): counts have no 2.5."""
    from matplotlib.ticker import MaxNLocator

    for a in axes or ("x",):
        getattr(ax, f"{a}axis").set_major_locator(MaxNLocator(integer=True))


def data_max(res: Any) -> float:
    """The largest finite data point (the end of the observed follow-up)."""
    pts = data_of(res).all_points()
    pts = pts[np.isfinite(pts)]
    return float(pts.max()) if pts.size else math.inf


def mark_data_end(ax: Any, res: Any, hi: float) -> None:
    """A dotted line where the data end, when the plot goes past them: beyond it the curve is
    the model's extrapolation, not something the data show."""
    end = data_max(res)
    if end < hi:
        ax.axvline(end, color="#888888", ls=":", lw=1.2, label="end of the data")


# ---------------------------------------------------------------------------- legends
_LOCS = ("upper right", "upper left", "lower right", "lower left", "center right", "center left",
         "upper center", "lower center", "center")


def _hits(ax: Any, box: Any) -> bool:
    """Whether any data drawn in ``ax`` (lines, markers, bars, bands, scatter, contour lines)
    touches the display-space box ``box``. Reference lines spanning the axes (``axhline``,
    ``axvline``) and filled contour backgrounds are not data."""
    for line in ax.lines:
        if not line.get_visible() or line.get_transform() is not ax.transData:
            continue
        path = line.get_transform().transform_path(line.get_path())
        if line.get_linestyle() not in ("None", " ", "") and len(path.vertices) > 1 \
                and path.intersects_bbox(box, filled=False):
            return True
        if line.get_marker() not in (None, "None", " ", ""):
            r = line.get_markersize() * ax.figure.dpi / 72.0 / 2.0
            v = path.vertices
            if np.any((v[:, 0] >= box.x0 - r) & (v[:, 0] <= box.x1 + r)
                      & (v[:, 1] >= box.y0 - r) & (v[:, 1] <= box.y1 + r)):
                return True
    for patch in ax.patches:
        if patch.get_visible() and patch.get_transform().transform_path(
                patch.get_path()).intersects_bbox(box, filled=True):
            return True
    for coll in ax.collections:
        if not coll.get_visible() or getattr(coll, "filled", False):
            continue
        offsets = np.asarray(coll.get_offsets())
        if offsets.size and len(coll.get_paths()) and offsets.shape[0] > 0 and \
                type(coll).__name__ == "PathCollection":
            v = coll.get_offset_transform().transform(offsets)
            if np.any((v[:, 0] >= box.x0) & (v[:, 0] <= box.x1) & (v[:, 1] >= box.y0)
                      & (v[:, 1] <= box.y1)):
                return True
            continue
        tr = coll.get_transform()
        filled = type(coll).__name__ in ("PolyCollection", "FillBetweenPolyCollection")
        if any(tr.transform_path(p).intersects_bbox(box, filled=filled)
               for p in coll.get_paths()):
            return True
    return False


def finish(ax: Any, xlabel: str, ylabel: str, title: str, show_legend: bool) -> Any:
    """The end of a plot: its labels and title, then (when asked) the legend where it covers
    no data; returns ``ax``."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if show_legend:
        legend(ax, frameon=False, fontsize="small")
    return ax


def legend(ax: Any, **kw: Any) -> Any:
    """``ax.legend(**kw)`` placed where it covers no data: matplotlib's ``"best"`` spot, else
    the first free corner or edge, else outside the axes on the right."""
    leg = ax.legend(loc="best", **kw)
    fig = ax.figure
    try:
        fig.draw_without_rendering()   # runs the layout engine: final axes positions
        renderer = fig.canvas.get_renderer()
    except Exception:  # a canvas without a renderer: keep matplotlib's choice
        return leg
    for loc in ("best", *_LOCS):
        leg.set_loc(loc)
        box = leg.get_window_extent(renderer).padded(2.0)
        if not _hits(ax, box):
            return leg
    leg.remove()
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kw)
