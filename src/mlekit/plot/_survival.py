"""Survival and hazard curves of a fit, with pointwise confidence bands.

Bands use the delta method with the fit's covariance: on the log(−log S) scale for the
survival function (so they stay inside (0, 1)) and on the log scale for the hazard and the
cumulative hazard (so they stay positive).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._inference.empirical import empirical
from . import _common as cm

__all__ = ["survival", "hazard", "survival_band", "hazard_band"]


def _grid(res: Any, n: int = 300) -> np.ndarray:
    lo, hi = cm.x_range(res)
    if res.dist.support.lower == 0.0:
        lo = 0.0
    if cm.is_discrete(res):
        return np.arange(int(lo), int(hi) + 1, dtype=float)
    return np.linspace(lo, hi, n)


def survival_band(res: Any, t: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted ``S(t)`` and a pointwise delta-method band on the log(−log S) scale."""
    t = np.asarray(t, dtype=float)

    def cll(dist: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log(-np.asarray(dist.logsf(t), dtype=float))

    est, lo, hi = cm.delta_band(res, cll, level)
    with np.errstate(over="ignore"):
        S = np.exp(-np.exp(est))
        return S, np.exp(-np.exp(hi)), np.exp(-np.exp(lo))


def hazard_band(res: Any, t: Any, level: float = 0.95, cumulative: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted hazard ``h(t)`` (or ``H(t)``) and a pointwise delta-method band on the log scale."""
    t = np.asarray(t, dtype=float)

    def logh(dist: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            if cumulative:
                return np.log(-np.asarray(dist.logsf(t), dtype=float))
            return np.asarray(dist.logpdf(t), dtype=float) - np.asarray(dist.logsf(t), dtype=float)

    est, lo, hi = cm.delta_band(res, logh, level)
    with np.errstate(over="ignore"):
        return np.exp(est), np.exp(lo), np.exp(hi)


def survival(res: Any, ax: Any = None, *, band: bool = True, level: float = 0.95,
             empirical_curve: bool = True, legend: bool = True) -> Any:
    """The fitted survival function S(t) = P(X > t) with its band, over Kaplan–Meier (or
    Turnbull) with censored rows ticked."""
    ax = cm.get_ax(ax)
    t = _grid(res)
    S, lo, hi = survival_band(res, t, level)
    style = "steps-post" if cm.is_discrete(res) else "default"
    ax.plot(t, S, color=cm.FIT, lw=2, label="fitted S(t)", drawstyle=style)
    if band and np.all(np.isfinite(lo)):
        ax.fill_between(t, lo, hi, color=cm.BAND, alpha=0.18, lw=0,
                        step="post" if cm.is_discrete(res) else None,
                        label=f"{level:.0%} band (delta method)")
    data = cm.data_of(res)
    if empirical_curve:
        emp = empirical(data, discrete=cm.is_discrete(res), level=level)
        xs, F = emp.steps(float(t[0]), min(float(t[-1]), cm.data_max(res)))  # stops with the data
        name = {"ecdf": "empirical", "kaplan-meier": "Kaplan–Meier",
                "turnbull": "Turnbull NPMLE"}[emp.kind]
        if emp.kind == "turnbull":
            ax.plot(xs, 1 - F, color=cm.EMP, lw=1.4, label=name)
        else:
            ax.step(xs, 1 - F, where="post", color=cm.EMP, lw=1.4, label=name)
        cm.mark_censored(ax, data, lambda kind, x: 1 - emp(x))
    cm.mark_data_end(ax, res, float(t[-1]))
    if cm.is_discrete(res):
        cm.integer_ticks(ax, "x")
    ax.set_xlim(float(t[0]), float(t[-1]))
    ax.set_ylim(-0.02, 1.02)
    return cm.finish(ax, cm.label_of(res), "survival probability S(t)",
                     f"Survival: {cm.title_of(res)}", legend)


def hazard(res: Any, ax: Any = None, *, band: bool = True, level: float = 0.95,
           cumulative: bool = False, legend: bool = True) -> Any:
    """The fitted hazard h(t) = f(t)/S(t) with its band. ``cumulative=True`` draws H(t) = −log S(t)
    with the Nelson–Aalen estimate (exact and right-censored data) for comparison."""
    ax = cm.get_ax(ax)
    t = _grid(res)
    if not cm.is_discrete(res) and t[0] == 0.0:
        t = t[1:]  # the hazard may be infinite at 0
    h, lo, hi = hazard_band(res, t, level, cumulative)
    ax.plot(t, h, color=cm.FIT, lw=2, label="fitted H(t)" if cumulative else "fitted hazard h(t)")
    if band and np.all(np.isfinite(lo)):
        ax.fill_between(t, lo, hi, color=cm.BAND, alpha=0.18, lw=0,
                        label=f"{level:.0%} band (delta method)")
    data = cm.data_of(res)
    if cumulative and not (data.left.size or data.interval_block.size):
        emp = empirical(data, discrete=cm.is_discrete(res))
        assert emp.at_risk is not None and emp.events is not None
        with np.errstate(divide="ignore", invalid="ignore"):
            na = np.cumsum(np.where(emp.at_risk > 0, emp.events / emp.at_risk, 0.0))
        ax.step(np.concatenate([[t[0]], emp.x]), np.concatenate([[0.0], na]), where="post",
                color=cm.EMP, lw=1.4, label="Nelson–Aalen")
    finite = h[np.isfinite(h)]
    if finite.size and not cumulative:
        top = float(np.nanpercentile(np.where(np.isfinite(hi), hi, np.nan), 98)) \
            if np.any(np.isfinite(hi)) else float(finite.max())
        ax.set_ylim(0, max(top, float(np.nanmax(finite))) * 1.05)
    cm.mark_data_end(ax, res, float(t[-1]))
    return cm.finish(ax, cm.label_of(res),
                     "cumulative hazard H(t)" if cumulative else "hazard h(t)",
                     f"{'Cumulative hazard' if cumulative else 'Hazard'}: {cm.title_of(res)}",
                     legend)
