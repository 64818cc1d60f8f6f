"""Data against the fit: density (histogram or bars), Q–Q, P–P and the CDF."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._inference.empirical import Empirical, empirical
from . import _common as cm

__all__ = ["density", "qq", "pp", "cdf"]


def _emp(res: Any, level: float = 0.95) -> Empirical:
    return empirical(cm.data_of(res), discrete=cm.is_discrete(res), level=level)


def density(res: Any, ax: Any = None, *, bins: Any = "auto", legend: bool = True) -> Any:
    """Histogram of the data with the fitted density (bars and the pmf for counts).

    With censored data the histogram holds the exact values only, scaled so that its area is
    their share of all observations; censored rows are marked along the bottom.
    """
    ax = cm.get_ax(ax)
    data = cm.data_of(res)
    dist = cm.dist_of(res)
    x, w = cm.exact_values(data)
    W = float(data.n_obs)
    share = float(w.sum()) / W if W else 1.0
    lo, hi = cm.x_range(res)
    if cm.is_discrete(res):
        ks = np.arange(int(lo), int(hi) + 1)
        if x.size:
            vals, inv = np.unique(x, return_inverse=True)
            freq = np.bincount(inv, weights=w) / W
            ax.bar(vals, freq, width=0.8, color=cm.DATA, alpha=0.55,
                   label="observed share" + (" (exact values)" if share < 1 else ""))
        pmf = np.asarray(dist.pmf(ks), dtype=float)
        ax.plot(ks, pmf, "o", color=cm.FIT, ms=5, label="fitted probability")
        ax.vlines(ks, 0, pmf, color=cm.FIT, lw=1.2)
        ax.set_ylabel("probability")
        if ks.size <= 12:
            ax.set_xticks(ks)
        else:
            cm.integer_ticks(ax, "x")
    else:
        if x.size:
            edges = np.histogram_bin_edges(x, bins=bins) if isinstance(bins, str) else bins
            counts, edges = np.histogram(x, bins=edges, weights=w)
            heights = counts / (W * np.diff(edges))  # area = share of exact values
            ax.bar(edges[:-1], heights, width=np.diff(edges), align="edge", color=cm.DATA,
                   alpha=0.55, edgecolor="white", linewidth=0.5,
                   label="data" if share == 1 else f"exact values ({share:.0%} of the data)")
        grid = np.linspace(lo, hi, 400)
        ax.plot(grid, dist.pdf(grid), color=cm.FIT, lw=2, label="fitted density")
        ax.set_ylabel("density")
        ax.set_xlim(lo, hi)
    ymax = ax.get_ylim()[1]
    cm.mark_censored(ax, data, lambda kind, xs: np.full(xs.shape, 0.02 * ymax))
    ax.set_ylim(bottom=0)
    ax.set_xlabel(cm.label_of(res))
    ax.set_title(cm.title_of(res))
    if legend:
        cm.legend(ax, frameon=False, fontsize="small")
    return ax


def _positions(emp: Empirical, x: np.ndarray) -> np.ndarray:
    """Plotting positions: the middle of the empirical jump at each value (Hazen's rule
    (i − ½)/n without censoring)."""
    return 0.5 * (emp.before(x) + emp(x))


def _points(res: Any) -> tuple[np.ndarray, np.ndarray, Empirical]:
    emp = _emp(res)
    x, w = cm.exact_values(cm.data_of(res))
    ux = np.unique(x[w > 0])
    return ux, _positions(emp, ux), emp


def qq(res: Any, ax: Any = None, *, legend: bool = True) -> Any:
    """Quantile–quantile plot: fitted quantiles (x) against observed values (y).

    Plotting positions come from the ECDF, Kaplan–Meier or Turnbull estimate, so censored
    data are handled; censored rows are drawn as hollow markers at the estimate's level.
    """
    ax = cm.get_ax(ax, figsize=(4.5, 4.5))
    dist = cm.dist_of(res)
    ux, pos, emp = _points(res)
    with np.errstate(all="ignore"):
        theo = np.asarray(dist.ppf(np.clip(pos, 1e-12, 1 - 1e-12)), dtype=float)
    ax.scatter(theo, ux, s=18, color=cm.DATA, label="observed", zorder=3)

    # censored rows at the Kaplan–Meier/Turnbull level of their bound. Right-censored rows past
    # the last exact value share the estimate's final level: stacked in one column they would
    # look like a misfit, so they are counted in the legend instead of drawn.
    last = float(ux.max()) if ux.size else -np.inf
    for kind, xs in cm.censored_points(cm.data_of(res)).items():
        st = cm.CENSOR_STYLE[kind]
        beyond = (xs > last) if kind == "right" else np.zeros(xs.shape, dtype=bool)
        inside = xs[~beyond]
        label = st["label"] + (f"\n{int(beyond.sum())} past the last exact value: not drawn"
                               if beyond.any() else "")
        if inside.size:
            with np.errstate(all="ignore"):
                qx = np.asarray(dist.ppf(np.clip(emp(inside), 1e-12, 1 - 1e-12)), dtype=float)
            ax.scatter(qx, inside, marker=st["marker"], facecolors="none", edgecolors=st["color"],
                       s=36, linewidths=1.2, label=label, zorder=4)
        else:
            ax.scatter([], [], marker=st["marker"], facecolors="none", edgecolors=st["color"],
                       s=36, linewidths=1.2, label=label)
    finite = np.concatenate([theo[np.isfinite(theo)], ux])
    if finite.size:
        a, b = float(finite.min()), float(finite.max())
        ax.plot([a, b], [a, b], color=cm.FIT, lw=1.5, label="y = x (perfect fit)")
    ax.set_xlabel(f"fitted {res.family} quantile")
    ax.set_ylabel(f"observed {cm.label_of(res)}")
    ax.set_title("Q–Q plot")
    if cm.is_discrete(res):
        cm.integer_ticks(ax, "x", "y")
    if legend:
        cm.legend(ax, frameon=False, fontsize="small")
    return ax


def pp(res: Any, ax: Any = None, *, legend: bool = True) -> Any:
    """Probability–probability plot: fitted CDF (x) against the empirical CDF (y)."""
    ax = cm.get_ax(ax, figsize=(4.5, 4.5))
    dist = cm.dist_of(res)
    ux, pos, emp = _points(res)
    ax.scatter(dist.cdf(ux), pos, s=18, color=cm.DATA, label="observed", zorder=3)

    def x_at(kind: str, xs: np.ndarray) -> np.ndarray:
        return np.asarray(emp(xs), dtype=float)

    for kind, xs in cm.censored_points(cm.data_of(res)).items():
        st = cm.CENSOR_STYLE[kind]
        ax.scatter(dist.cdf(xs), x_at(kind, xs), marker=st["marker"], facecolors="none",
                   edgecolors=st["color"], s=36, linewidths=1.2, label=st["label"], zorder=4)
    ax.plot([0, 1], [0, 1], color=cm.FIT, lw=1.5, label="y = x (perfect fit)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return cm.finish(ax, "fitted CDF", {"ecdf": "empirical CDF", "kaplan-meier": "Kaplan–Meier CDF",
                                        "turnbull": "Turnbull NPMLE CDF"}[emp.kind],
                     "P–P plot", legend)


def cdf(res: Any, ax: Any = None, *, band: bool = True, level: float = 0.95,
        legend: bool = True) -> Any:
    """The fitted CDF over the empirical one: ECDF, Kaplan–Meier (right-censored, with its
    Greenwood band) or Turnbull's NPMLE (left/interval-censored). Censored rows are ticked."""
    ax = cm.get_ax(ax)
    emp = _emp(res, level)
    dist = cm.dist_of(res)
    lo, hi = cm.x_range(res)
    name = {"ecdf": "empirical CDF", "kaplan-meier": "Kaplan–Meier",
            "turnbull": "Turnbull NPMLE"}[emp.kind]
    xs, ys = emp.steps(lo, min(hi, cm.data_max(res)))   # the estimate stops with the data
    if emp.kind == "turnbull":
        ax.plot(xs, ys, color=cm.EMP, lw=1.6, label=name)
    else:
        ax.step(xs, ys, where="post", color=cm.EMP, lw=1.6, label=name)
        if band and emp.lower is not None and emp.kind == "kaplan-meier":
            bx = np.concatenate([[lo], emp.x])
            ax.fill_between(bx, np.concatenate([[0.0], emp.lower]),
                            np.concatenate([[0.0], emp.upper]), step="post", color=cm.EMP,
                            alpha=0.12, lw=0, label=f"{level:.0%} band (Greenwood)")
    if cm.is_discrete(res):
        ks = np.arange(int(lo), int(hi) + 1)
        ax.step(ks, dist.cdf(ks), where="post", color=cm.FIT, lw=2, label="fitted CDF")
    else:
        grid = np.linspace(lo, hi, 400)
        ax.plot(grid, dist.cdf(grid), color=cm.FIT, lw=2, label="fitted CDF")
    cm.mark_censored(ax, cm.data_of(res), lambda kind, xs: emp(xs))
    if cm.is_discrete(res):
        cm.integer_ticks(ax, "x")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.02, 1.02)
    return cm.finish(ax, cm.label_of(res), "cumulative probability",
                     f"CDF: {cm.title_of(res)}", legend)
