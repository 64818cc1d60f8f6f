"""Extreme-value plots: return levels against the return period, and the threshold-choice
diagnostics (mean residual life, parameter stability)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _common as cm

__all__ = ["return_levels", "mean_residual_life", "threshold_stability", "extremes_panel"]


def _empirical(res: Any) -> tuple[np.ndarray, np.ndarray]:
    """Data points (return period, level): plotting positions ``i/(n+1)``."""
    pot = getattr(res, "gpd", None)
    fit = pot if pot is not None else res
    x, _ = cm.exact_values(cm.data_of(fit))
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    p = np.arange(1, n + 1) / (n + 1.0)
    if pot is not None:
        return 1.0 / (res.rate * (1.0 - p)), x + res.threshold
    return 1.0 / (1.0 - p), x


def return_levels(res: Any, ax: Any = None, *, periods: Any = None, level: float = 0.95,
                  method: str = "profile", points: bool = True) -> Any:
    """Return level against return period (log axis) with the ``level`` interval band
    (``method="profile"`` by default, or ``"delta"``) and the data at their empirical periods.
    ``res``: a GEV/GPD/Gumbel fit (or any fit: its quantiles) or a ``fit_pot`` result."""
    ax = cm.get_ax(ax, figsize=(7.0, 4.5))
    pot = getattr(res, "gpd", None)
    lo_T = 1.1
    if pot is not None:
        lo_T = max(1.1, 1.01 / res.rate)
    Ts = np.geomspace(lo_T, 1000.0, 15) if periods is None else np.asarray(periods, dtype=float)
    d = res.return_level(Ts, method=method, level=level)
    est = np.asarray(d.estimate, dtype=float)
    lo, hi = (np.asarray(c, dtype=float) for c in d.ci)
    ax.plot(Ts, est, color="C0", lw=2, label="return level")
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.fill_between(Ts[ok], lo[ok], hi[ok], color="C0", alpha=0.2,
                    label=f"{level * 100:g}% {method} interval")
    if points:
        tp, xp = _empirical(res)
        keep = tp >= Ts.min() * 0.5
        ax.plot(tp[keep], xp[keep], "o", color="k", ms=3.5, label="data")
    ax.set_xscale("log")
    ax.set_xlabel("return period (blocks)" if pot is None else f"return period ({res.block}s)")
    ax.set_ylabel("return level")
    fam = pot.family if pot is not None else res.family
    ax.set_title(f"Return levels · {fam}" + (" (peaks over threshold)" if pot is not None else ""))
    cm.legend(ax, fontsize="small")
    return ax


def mean_residual_life(x: Any, ax: Any = None, *, thresholds: Any = None,
                       level: float = 0.95) -> Any:
    """Mean excess over the threshold with its interval: linear above a threshold where the
    generalised Pareto holds."""
    from .._models.extremes import mean_residual_life as mrl

    df = mrl(x, thresholds, level=level)
    ax = cm.get_ax(ax, figsize=(7.0, 4.5))
    ax.plot(df["threshold"], df["mean_excess"], color="C0", lw=1.8)
    ax.fill_between(df["threshold"], df["lower"], df["upper"], color="C0", alpha=0.2)
    ax.set_xlabel("threshold u")
    ax.set_ylabel("mean excess over u")
    ax.set_title("Mean residual life")
    return ax


def threshold_stability(x: Any, thresholds: Any, ax: Any = None, *, level: float = 0.95) -> Any:
    """GPD shape and modified scale (``scale - shape u``) with intervals over thresholds: both
    constant above a suitable threshold. ``ax``: two Axes (a new figure when omitted); returns
    them."""
    from .._models.extremes import threshold_stability as ts

    df = ts(x, thresholds, level=level)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(2, 1, figsize=(7.0, 6.0), sharex=True, layout="constrained")
    a1, a2 = ax[0], ax[1]
    u = df["threshold"].to_numpy()
    for a, col, lab in ((a1, "modified_scale", "modified scale"), (a2, "shape", "shape")):
        y = df[col].to_numpy()
        a.errorbar(u, y, yerr=[y - df[f"{col}_lower"].to_numpy(), df[f"{col}_upper"].to_numpy() - y],
                   fmt="o", color="C0", capsize=3)
        a.set_ylabel(lab)
    a2.set_xlabel("threshold u")
    a1.set_title("Threshold stability (generalised Pareto)")
    return ax


def extremes_panel(res: Any, fig: Any) -> Any:
    """The classic four panels of an extreme-value fit: P–P, Q–Q, return level, density."""
    from ._diagnostic import density, pp, qq

    axes = fig.subplots(2, 2)
    pp(res, axes[0, 0])
    qq(res, axes[0, 1])
    try:
        return_levels(res, axes[1, 0])
    except Exception as exc:
        axes[1, 0].text(0.5, 0.5, f"return levels unavailable:\n{exc}", ha="center",
                        va="center", transform=axes[1, 0].transAxes, fontsize="small")
    density(res, axes[1, 1])
    fig.suptitle(f"{cm.title_of(res)} · log-lik {res.loglik:.6g} · n = {res.n_obs:g}")
    return fig

