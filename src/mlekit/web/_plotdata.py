"""Data for the explorer's plots of one fit: density over histogram, QQ and CDF, and for the
extreme-value families (GEV, Gumbel, generalised Pareto) the return-level plot (the curve and
its profile band from ``res.return_level``, the data at their empirical return periods; the
Extremes page draws the same numbers).

The page draws these with plotly.js; the server only ships numbers. Censored values are
kept apart from exact ones: the histogram stacks them in their own colour. The empirical
CDF and the Q–Q plotting positions come from :func:`mlekit.plot.empirical` (the ECDF,
Kaplan–Meier, or Turnbull's NPMLE), exactly as in ``mk.plot.cdf`` / ``mk.plot.qq``.
Long series are thinned to a few hundred points (the curves stay visually exact).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .._inference.empirical import empirical
from ..errors import MlekitError

if TYPE_CHECKING:
    from .._data.data import Data
    from .._fit.result import FitResult

__all__ = ["plot_data", "finite_list", "return_levels_json", "empirical_periods",
           "return_level_plot", "RETURN_LEVEL_FAMILIES", "RETURN_PERIODS", "MAX_PROFILE_N",
           "PROFILE_BUDGET_S"]

#: the families whose fits get a return-level plot (block maxima; exceedances for the GPD)
RETURN_LEVEL_FAMILIES = ("gev", "gumbel", "genpareto")
#: the return periods of the data tab's return-level curve (blocks)
RETURN_PERIODS = (1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
#: above this many observations the band is the delta method's (a profile interval per period
#: costs a few refits of the whole data set)
MAX_PROFILE_N = 5_000
#: seconds the profile band may take before the delta method's is shown instead
PROFILE_BUDGET_S = 3.0
_FAILURES = (MlekitError, ArithmeticError, ValueError, np.linalg.LinAlgError)

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


def return_levels_json(res: Any, Ts: list[float], level: float,
                       method: str = "profile") -> dict[str, Any]:
    """``res.return_level(Ts)`` (estimate, SE, interval by ``method``) as JSON-ready lists."""
    d = res.return_level(np.asarray(Ts, dtype=float), method=method, level=level)
    lo, hi = d.ci
    return {"period": [float(t) for t in Ts], "estimate": np.atleast_1d(d.estimate).tolist(),
            "se": np.atleast_1d(d.se).tolist(), "lower": np.atleast_1d(lo).tolist(),
            "upper": np.atleast_1d(hi).tolist(), "method": d.method, "level": level}


def empirical_periods(x: np.ndarray, w: np.ndarray | None = None) -> dict[str, Any]:
    """The data at their empirical return periods ``1/(1 - p)``, ``p = i/(n+1)`` (Weibull
    plotting positions, as ``mk.plot.return_levels``); with frequency weights ``w``, ``i`` is
    the cumulative weight."""
    order = np.argsort(x, kind="stable")
    xs = np.asarray(x, dtype=float)[order]
    cw = np.arange(1, xs.size + 1, dtype=float) if w is None else \
        np.cumsum(np.asarray(w, dtype=float)[order])
    p = cw / (cw[-1] + 1.0) if xs.size else cw
    return {"period": (1.0 / (1.0 - p)).tolist(), "level": xs.tolist()}


def _profile_curve(res: Any, level: float) -> dict[str, Any] | None:
    """The curve with profile intervals, period by period; ``None`` once they have taken
    longer than ``PROFILE_BUDGET_S`` (near the non-regular region a profile can take seconds)."""
    start = time.perf_counter()
    parts = []
    for t in RETURN_PERIODS:
        parts.append(return_levels_json(res, [t], level))
        if time.perf_counter() - start > PROFILE_BUDGET_S:
            return None
    out = dict(parts[0])
    for k in ("period", "estimate", "se", "lower", "upper"):
        out[k] = [v for part in parts for v in part[k]]
    return out


def return_level_plot(res: FitResult, data: Data, level: float = 0.95) -> dict[str, Any] | None:
    """The return-level plot of a GEV, Gumbel or generalised Pareto fit (``None`` for other
    families): the curve with its ``level`` profile band (delta-method band above
    ``MAX_PROFILE_N`` observations, for a fit that did not converge, where the profile fails
    or takes longer than ``PROFILE_BUDGET_S``; ``note`` says so; ``curve`` is ``None`` when
    no level could be computed), and the exact values at their empirical return periods
    (censored values have none)."""
    if res.family not in RETURN_LEVEL_FAMILIES or res.method == "degenerate":
        return None
    notes = []
    method = "profile" if data.n_obs <= MAX_PROFILE_N and res.converged else "delta"
    if data.n_obs > MAX_PROFILE_N:
        notes.append(f"delta-method band: profile intervals are computed for up to "
                     f"{MAX_PROFILE_N:,} observations")
    elif method == "delta":
        notes.append("delta-method band: the fit did not converge, so no profile intervals")
    curve: dict[str, Any] | None = None
    if method == "profile":
        try:
            curve = _profile_curve(res, level)
            if curve is None:
                notes.append(f"delta-method band: the profile intervals took longer than "
                             f"{PROFILE_BUDGET_S:g} s")
        except _FAILURES as exc:
            notes.append(f"profile intervals failed ({exc}); delta-method band shown")
    if curve is None:
        try:
            curve = return_levels_json(res, list(RETURN_PERIODS), level, "delta")
        except _FAILURES as exc:
            notes = [f"the return levels could not be computed ({exc}); the data only"]
    ex = data.exact
    keep = _weights(ex) > 0
    pts = empirical_periods(ex.x[keep], None if ex.w is None else _weights(ex)[keep])
    if data.count("left") + data.count("right") + data.count("interval"):
        notes.append("points: the exact values only (censored values have no plotting position)")
    return {"family": res.family, "curve": curve, "points": pts,
            "block": "exceedances" if res.family == "genpareto" else "blocks",
            "note": "; ".join(notes) or None}


def plot_data(res: FitResult, data: Data, level: float = 0.95) -> dict[str, Any]:
    """Everything the page needs to draw the plots of one fit (``return_level``: ``None``
    unless the family is an extreme-value one, see :func:`return_level_plot`)."""
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
        "return_level": return_level_plot(res, data, level),
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
