"""Data for the explorer's plots of one fit: density over histogram, QQ and CDF.

The page draws these with plotly.js; the server only ships numbers. Censored values are
kept apart from exact ones: the histogram stacks them in their own colour. The empirical
CDF and the Q–Q plotting positions come from :func:`mlekit.plot.empirical` (the ECDF,
Kaplan–Meier, or Turnbull's NPMLE), exactly as in ``mk.plot.cdf`` / ``mk.plot.qq``.
Long series are thinned to a few hundred points (the curves stay visually exact).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._inference.empirical import empirical

if TYPE_CHECKING:
    from .._data.data import Data
    from .._fit.result import FitResult

__all__ = ["plot_data", "finite_list"]

_GRID = 240
_MAX_QQ = 500
_MAX_STEPS = 800
_MAX_BINS = 80


def finite_list(a: Any) -> list[float | None]:
    """A JSON-ready list: non-finite numbers become ``None`` (a gap in a plotly trace)."""
    arr = np.asarray(a, dtype=float).ravel()
    return [float(v) if math.isfinite(v) else None for v in arr.tolist()]


def _weights(blk: Any) -> np.ndarray:
    return np.ones(blk.size) if blk.w is None else np.asarray(blk.w, dtype=float)


def _thin(n: int, k: int) -> np.ndarray:
    if n <= k:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, k).round().astype(int))


def _grid(res: FitResult, pts: np.ndarray) -> np.ndarray:
    dist = res.dist
    lo, hi = float(np.min(pts)), float(np.max(pts))
    span = hi - lo if hi > lo else max(abs(lo), 1.0)
    lo, hi = lo - 0.08 * span, hi + 0.08 * span
    slo, shi = dist._support_bounds(dist.theta())
    if dist.discrete:
        a = max(math.floor(lo), math.ceil(slo) if math.isfinite(slo) else -math.inf)
        b = min(math.ceil(hi), math.floor(shi) if math.isfinite(shi) else math.inf)
        if b - a <= 4 * _GRID:
            return np.arange(a, b + 1, dtype=float)
        return np.unique(np.linspace(a, b, _GRID).round())
    if math.isfinite(slo) and lo <= slo:
        lo = slo + 1e-9 * max(span, 1.0) if not dist.support.lower_closed else slo
    if math.isfinite(shi) and hi >= shi:
        hi = shi - 1e-9 * max(span, 1.0) if not dist.support.upper_closed else shi
    return np.linspace(lo, hi, _GRID)


def _histogram(data: Data, discrete: bool, n_total: float) -> dict[str, Any]:
    ex = data.exact
    cens = [b for b in (data.left, data.right) if b.size]
    cx = np.concatenate([b.x for b in cens]) if cens else np.empty(0)
    cw = np.concatenate([_weights(b) for b in cens]) if cens else np.empty(0)
    allx = np.concatenate([ex.x, cx])
    lo, hi = float(allx.min()), float(allx.max())
    if discrete and hi - lo <= 400:
        edges = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.0, 1.0)
    else:
        edges = np.histogram_bin_edges(allx, bins="auto")
        if edges.size - 1 > _MAX_BINS:
            edges = np.linspace(lo, hi, _MAX_BINS + 1)
        if edges.size < 6:
            edges = np.linspace(lo, hi, 6) if hi > lo else np.array([lo - 0.5, lo + 0.5])
    width = np.diff(edges)
    h_ex, _ = np.histogram(ex.x, edges, weights=_weights(ex))
    h_c, _ = np.histogram(cx, edges, weights=cw) if cx.size else (np.zeros(width.size), None)
    scale = n_total * (1.0 if discrete else width)
    return {"edges": finite_list(edges), "centers": finite_list((edges[:-1] + edges[1:]) / 2),
            "widths": finite_list(width), "exact": finite_list(h_ex / scale),
            "censored": finite_list(h_c / scale),
            "censored_kind": "left" if data.left.size else ("right" if data.right.size else None)}


def plot_data(res: FitResult, data: Data) -> dict[str, Any]:
    """Everything the page needs to draw the three plots of one fit."""
    dist = res.dist
    discrete = bool(dist.discrete)
    pts = data.all_points()
    pts = pts[np.isfinite(pts)]
    n_total = float(data.n_obs)
    grid = _grid(res, pts)
    with np.errstate(all="ignore"):
        dens = dist.pdf(grid)
        cdf = dist.cdf(grid)
    out: dict[str, Any] = {
        "discrete": discrete,
        "family": res.family,
        "n": n_total,
        "n_censored": float(data.count("left") + data.count("right") + data.count("interval")),
        "histogram": _histogram(data, discrete, n_total),
        "density": {"x": finite_list(grid), "y": finite_list(dens)},
        "cdf_fit": {"x": finite_list(grid), "y": finite_list(cdf)},
    }
    emp = empirical(data, discrete=discrete)
    lo, hi = float(grid[0]), float(grid[-1])
    xs, fs = emp.steps(min(lo, float(pts.min())), max(hi, float(pts.max())))
    keep = _thin(xs.size, _MAX_STEPS)
    out["cdf_empirical"] = {"kind": emp.kind, "x": finite_list(xs[keep]), "y": finite_list(fs[keep]),
                            "shape": "linear" if emp.kind == "turnbull" else "hv"}
    # Q-Q: each distinct exact value at the middle of the empirical jump there (Hazen's
    # (i - 1/2)/n without censoring), as mlekit.plot.qq does
    ex = data.exact
    ux = np.unique(ex.x[_weights(ex) > 0])
    if ux.size == 0:
        out["qq"] = None
        return out
    probs = 0.5 * (emp.before(ux) + emp(ux))
    keep = _thin(ux.size, _MAX_QQ)
    with np.errstate(all="ignore"):
        theo = dist.ppf(np.clip(probs[keep], 1e-12, 1 - 1e-12))
    out["qq"] = {"theoretical": finite_list(theo), "sample": finite_list(ux[keep]),
                 "prob": finite_list(probs[keep])}
    return out
