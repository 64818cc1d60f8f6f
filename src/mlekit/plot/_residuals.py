"""The residual checks of a regression: ``mk.plot.residuals(r)`` (a 2×2 Figure).

=====================  ======================================================================
residuals vs fitted    deviance residuals (GLM families, uncensored) or randomised quantile
                       residuals (every other fit) against the linked parameter's linear
                       predictor (R's ``plot(glm)`` axis), with binned means
normal Q–Q             the quantile residuals against standard normal quantiles (Hazen)
scale-location         ``sqrt(|standardised residual|)`` against the linear predictor
residuals vs leverage  standardised Pearson residuals (GLM path) or quantile residuals against
                       the leverage of ``r.influence()``, with Cook's distance contours
                       0.5 and 1 (``D = r^2 h / (p (1 - h))``; for non-GLM fits a guide, the
                       values of ``cooks_distance`` are from the generalised formula) and
                       the three most influential rows labelled by position
=====================  ======================================================================

Standardised residuals of the GLM path divide by ``sqrt(scale (1 - h))`` (R's
``rstandard``); quantile residuals are standard normal already. matplotlib is imported only when
the figure is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from .._core.checks import require
from .._models.influence import glm_scale, is_glm
from .._models.residuals import GLM_FAMILIES
from ..errors import ParameterError
from . import _common as cm

__all__ = ["residuals"]


def _binned(ax: Any, x: np.ndarray, y: np.ndarray) -> None:
    """Means of y in up to 10 bins of equal counts along x (a rough smoother)."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 20:
        return
    order = np.argsort(x)
    parts = np.array_split(order, min(10, x.size // 5))
    ax.plot([x[p].mean() for p in parts], [y[p].mean() for p in parts], "-", color=cm.FIT, lw=1.5,
            label="binned mean")


def residuals(r: Any, fig: Any = None, *, figsize: tuple[float, float] = (10.0, 8.0),
              rng: Any = 0) -> Any:
    """Four residual checks of a regression result (see the module docs); returns the Figure.
    ``rng`` seeds the randomised quantile residuals."""
    if getattr(r, "model", None) is None or not hasattr(r, "influence"):
        raise ParameterError("mk.plot.residuals takes a regression result (mk.regress(...)); got "
                             f"{type(r).__name__}. Hint: res.plot() draws a plain fit's checks.")
    if fig is None:
        plt = require("matplotlib.pyplot", "plot", "plots need matplotlib")
        fig = plt.figure(figsize=figsize, layout="constrained")
    m = r.model
    co = m.coords[0]
    pred = r.predict()
    with np.errstate(all="ignore"):
        eta = np.asarray(co.domain.to_unconstrained(np.asarray(pred[co.name], dtype=float)),
                         dtype=float)
    q = r.residuals("quantile", rng=rng)
    infl = r.influence()
    lev = infl["leverage"].to_numpy()
    glm = is_glm(r)
    uncensored = not m.resp.censored and m.window_rows is None
    if m.fam.name in GLM_FAMILIES and uncensored:
        main, main_name = r.residuals("deviance"), "deviance residual"
    else:
        main, main_name = q, "quantile residual"
    if glm:
        n_coef = sum(1 for c in co.cols if c not in r.fixed)
        w = np.ones(m.n) if m.w is None else np.asarray(m.w, dtype=float)
        pear = r.residuals("pearson")
        scale = glm_scale(m.fam.name, pear, w, n_coef)
        with np.errstate(all="ignore"):
            std_main = main / np.sqrt(scale * (1.0 - lev))
            std_lev = pear / np.sqrt(scale * (1.0 - lev))
        std_name, lev_name = "standardised deviance residual", "standardised Pearson residual"
    else:
        n_coef = len([p for p in m.names if p not in r.fixed])
        std_main, std_lev = q, q
        std_name = lev_name = "quantile residual"
    x_name = f"linear predictor of {co.name}"
    ax1, ax2, ax3, ax4 = fig.subplots(2, 2).ravel()

    ax1.scatter(eta, main, s=12, color=cm.DATA, alpha=0.7)
    ax1.axhline(0.0, color=cm.EMP, lw=0.8, ls="--")
    _binned(ax1, eta, main)
    ax1.set_xlabel(x_name)
    ax1.set_ylabel(main_name)
    ax1.set_title("residuals vs fitted")

    qs = np.sort(q[np.isfinite(q)])
    theo = norm.ppf((np.arange(1, qs.size + 1) - 0.5) / max(qs.size, 1))
    ax2.scatter(theo, qs, s=12, color=cm.DATA, alpha=0.7)
    if qs.size:
        ax2.plot([theo[0], theo[-1]], [theo[0], theo[-1]], color=cm.FIT, lw=1.2)
    ax2.set_xlabel("standard normal quantile")
    ax2.set_ylabel("quantile residual")
    ax2.set_title("normal Q–Q of quantile residuals")

    with np.errstate(all="ignore"):
        sl = np.sqrt(np.abs(std_main))
    ax3.scatter(eta, sl, s=12, color=cm.DATA, alpha=0.7)
    _binned(ax3, eta, sl)
    ax3.set_xlabel(x_name)
    ax3.set_ylabel(f"√|{std_name}|")
    ax3.set_title("scale-location")

    ax4.scatter(lev, std_lev, s=12, color=cm.DATA, alpha=0.7)
    ax4.axhline(0.0, color=cm.EMP, lw=0.8, ls="--")
    cook = infl["cooks_distance"].to_numpy()
    fin = np.flatnonzero(np.isfinite(cook))
    pos = lev[np.isfinite(lev) & (lev > 0) & (lev < 1)]
    fin_r = std_lev[np.isfinite(std_lev)]
    if pos.size and fin_r.size:
        lo, hi = float(fin_r.min()), float(fin_r.max())
        pad = 0.1 * (hi - lo + 1e-12)
        hg = np.linspace(pos.min(), pos.max(), 100)
        drawn = False
        for d, style in ((0.5, "--"), (1.0, ":")):
            rr = np.sqrt(d * n_coef * (1.0 - hg) / hg)
            if np.min(rr) > max(hi, -lo) + pad:
                continue                    # the contour lies outside the points' range
            drawn = True
            ax4.plot(hg, rr, style, color=cm.FIT, lw=1, label=f"Cook's distance {d:g}")
            ax4.plot(hg, -rr, style, color=cm.FIT, lw=1)
        ax4.set_ylim(lo - pad, hi + pad)
        if drawn:
            cm.legend(ax4, frameon=False, fontsize="small")
        else:
            big = float(np.max(cook[fin])) if fin.size else float("nan")
            ax4.text(0.98, 0.02, f"largest Cook's distance {big:.2g} (contours 0.5, 1 off the "
                     "chart)", ha="right", va="bottom", transform=ax4.transAxes,
                     fontsize="small", color=cm.FIT)
    for i in fin[np.argsort(cook[fin])[::-1][:3]]:
        if np.isfinite(lev[i]) and np.isfinite(std_lev[i]):
            ax4.annotate(str(i), (lev[i], std_lev[i]), fontsize="x-small",
                         xytext=(3, 3), textcoords="offset points")
    ax4.set_xlabel("leverage")
    ax4.set_ylabel(lev_name)
    ax4.set_title("residuals vs leverage")
    fig.suptitle(f"{r.family}: residual checks · n = {m.n}")
    return fig
