"""Composite figures: the 2×2 diagnostic panel of a fit, and candidates overlaid."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._inference.empirical import empirical
from . import _common as cm
from ._diagnostic import cdf, density, pp, qq
from ._survival import survival

__all__ = ["panel", "compare"]


def panel(res: Any, fig: Any = None, *, figsize: tuple[float, float] = (10.0, 8.0)) -> Any:
    """A 2×2 figure: density, Q–Q, P–P, and the CDF (the survival curve for censored data).
    Returns the matplotlib Figure."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize, layout="constrained")
    if getattr(res, "family", None) in ("gev", "genpareto"):
        from ._extremes import extremes_panel  # PP, QQ, return level, density

        return extremes_panel(res, fig)
    axes = fig.subplots(2, 2)
    density(res, axes[0, 0])
    qq(res, axes[0, 1])
    pp(res, axes[1, 0])
    data = cm.data_of(res)
    if data.right.size and not cm.is_discrete(res):
        survival(res, axes[1, 1])
    else:
        cdf(res, axes[1, 1])
    fig.suptitle(f"{cm.title_of(res)} · log-lik {res.loglik:.6g} · n = {res.n_obs:g}")
    return fig


def _fits(cmp: Any) -> list[Any]:
    """The fitted results of a comparison, best first."""
    fits = getattr(cmp, "fits", None)
    if fits is None:
        fits = getattr(cmp, "results", None)
    if isinstance(fits, dict):
        fits = list(fits.values())
    if fits is None:
        fits = [cmp.best]
    ok = [r for r in fits if r is not None and getattr(r, "converged", False)]
    if getattr(cmp, "table", None) is not None:
        return ok   # the comparison's own ranking (flagged fits after the regular ones)
    return sorted(ok, key=lambda r: r.aic)


def compare(cmp_or_fits: Any, ax: Any = None, *, kind: str | None = None, top: int = 5,
            legend: bool = True) -> Any:
    """Overlay the candidate families of a comparison (``mk.compare(...)``, or a list of fit
    results of the same data) on the data: densities over a histogram (``kind="density"``), or
    CDFs over the empirical CDF / Kaplan–Meier (``kind="cdf"``, the default for censored data)."""
    fits = list(cmp_or_fits) if isinstance(cmp_or_fits, (list, tuple)) else _fits(cmp_or_fits)
    if not fits:
        from ..errors import ParameterError

        raise ParameterError("compare plot needs at least one converged fit; got none.")
    fits = (sorted(fits, key=lambda r: r.aic) if isinstance(cmp_or_fits, (list, tuple))
            else fits)[:top]
    best = fits[0]
    data = cm.data_of(best)
    censored = not data.only_exact
    kind = kind or ("cdf" if censored else "density")
    if kind not in ("cdf", "density"):
        from ..errors import ParameterError

        raise ParameterError(f"kind must be 'cdf' or 'density'; got {kind!r}.")
    ax = cm.get_ax(ax, figsize=(7.0, 4.5))
    lo, hi = cm.x_range(best)
    if kind == "density":
        density(best, ax, legend=False)
        for line in list(ax.lines):  # keep only the data from the best fit's plot
            line.remove()
        for coll in list(ax.collections):
            coll.remove()
    else:
        emp = empirical(data, discrete=cm.is_discrete(best))
        xs, F = emp.steps(lo, hi)
        ax.step(xs, F, where="post", color=cm.EMP, lw=1.6,
                label={"ecdf": "empirical CDF", "kaplan-meier": "Kaplan–Meier",
                       "turnbull": "Turnbull NPMLE"}[emp.kind])
        cm.mark_censored(ax, data, lambda k, x: emp(x))
    import matplotlib.pyplot as plt

    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    for i, r in enumerate(fits):
        d = cm.dist_of(r)
        daic = r.aic - best.aic
        lab = f"{r.family} (ΔAIC {daic:.1f})" if i else f"{r.family} (best)"
        if cm.is_discrete(r):
            ks = np.arange(int(lo), int(hi) + 1)
            y = d.pmf(ks) if kind == "density" else d.cdf(ks)
            ax.plot(ks, y, "o-" if kind == "density" else "-", ms=4, lw=2.2 if i == 0 else 1.3,
                    color=colors[(i + 1) % len(colors)], label=lab,
                    drawstyle="default" if kind == "density" else "steps-post")
        else:
            grid = np.linspace(lo, hi, 400)
            y = d.pdf(grid) if kind == "density" else d.cdf(grid)
            ax.plot(grid, y, lw=2.2 if i == 0 else 1.3, color=colors[(i + 1) % len(colors)],
                    label=lab)
    ax.relim()
    ax.autoscale(axis="y")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Candidates for {cm.label_of(best)}: best {best.family} by AIC")
    ax.set_ylabel("cumulative probability" if kind == "cdf" else
                  ("probability" if cm.is_discrete(best) else "density"))
    if legend:
        cm.legend(ax, frameon=False, fontsize="small")
    return ax
