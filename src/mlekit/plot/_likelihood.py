"""The likelihood itself: a curve over one parameter, its profile, and a 2-D surface.

The profile log-likelihood of a parameter holds it at each grid value and maximises over the
others (a refit with that parameter fixed); for a one-parameter model it is the
log-likelihood itself. A profile interval is where the profile stays within
``chi2_1(level) / 2`` of its maximum; a joint region for two parameters uses ``chi2_2``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy.stats import chi2, norm

from ..errors import MlekitWarning, ParameterError
from . import _common as cm

__all__ = ["loglik", "profile", "contour", "profile_curve"]


def _check_param(res: Any, name: str) -> int:
    if name not in res.params:
        raise ParameterError(f"parameter must be one of {', '.join(res.params)}; got {name!r}.")
    if name in res.fixed:
        raise ParameterError(f"{name} was held fixed in this fit; its likelihood curve is a point. "
                             "Hint: refit without fixed={...} for that parameter.")
    if res.likelihood is None:
        raise ParameterError("this result carries no likelihood (e.g. a degenerate fit); there is "
                             "no curve to draw.")
    return list(res.params).index(name)


class _Profiler:
    """Slice and two-parameter profile log-likelihoods of one fit (one-parameter profiles come
    from :meth:`FitResult.profile`, mlekit's inference module)."""

    def __init__(self, res: Any) -> None:
        self.res = res
        self.lik = res.likelihood
        self.names = list(res.params)
        self.free = [p for p in self.names if p not in res.fixed]
        self.is_family = hasattr(res.dist, "_check_data") and res.data is not None
        self.starts: dict[str, float] = {p: v for p, v in res.params.items() if p not in res.fixed}

    def slice(self, vals: dict[str, float]) -> float:
        th = tuple(vals.get(p, self.res.params[p]) for p in self.names)
        with np.errstate(all="ignore"):
            ll = float(self.lik.evaluate(th, 0)[0])
        return ll if math.isfinite(ll) else -math.inf

    def profile(self, vals: dict[str, float]) -> float:
        """max over the other free parameters with ``vals`` held fixed (a refit)."""
        others = [p for p in self.free if p not in vals]
        if not others:
            return self.slice(vals)
        if self.res._refit is None:
            return -math.inf
        start = {p: self.starts[p] for p in others}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MlekitWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                r = self.res._refit(self.res.data, fixed={**self.res.fixed, **vals}, start=start)
        except Exception:  # a grid point where the refit fails is off the curve
            return -math.inf
        if r.converged and math.isfinite(r.loglik):
            self.starts.update({p: r.params[p] for p in others})
            return float(r.loglik)
        return -math.inf


def _span(res: Any, name: str, width: float) -> tuple[float, float]:
    i = list(res.params).index(name)
    v, se = res.params[name], res.se[name]
    dom = res.dist.domains[i]
    if not math.isfinite(se) or se <= 0:
        se = 0.25 * abs(v) if v != 0 else 1.0
    if dom.lower == 0.0 and math.isinf(dom.upper) and v > 0:
        f = math.exp(width * se / v)  # positive parameters: symmetric on the log scale
        return v / f, v * f
    lo, hi = v - width * se, v + width * se
    if dom.lower > -math.inf and lo <= dom.lower:
        lo = dom.lower + (v - dom.lower) * 0.02
    if dom.upper < math.inf and hi >= dom.upper:
        hi = dom.upper - (dom.upper - v) * 0.02
    return lo, hi


def profile_curve(res: Any, name: str, level: float = 0.95, n: int = 41) -> dict[str, Any]:
    """The profile log-likelihood of ``name`` on a grid spanning a little more than its
    ``level`` interval, and that interval (exact roots, from ``res.ci(method="profile")``):
    ``{"x", "loglik", "cutoff", "ci", "mle", "max", "level"}``."""
    _check_param(res, name)
    free = [p for p in res.params if p not in res.fixed]
    span = float(chi2.cdf(chi2.ppf(level, 1) * 2.2, 1))   # show the curve beyond the cutoff
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MlekitWarning)
        prof = res.profile(name, n=max(n, 121) if len(free) == 1 else n, level=span)
        ci = res.ci(level=level, method="profile")[name]
    mle, top = float(res.params[name]), float(prof.loglik_max)
    xs = np.asarray(prof.values, dtype=float)
    ys = np.asarray(prof.loglik, dtype=float)
    if not np.any(xs == mle):
        k = int(np.searchsorted(xs, mle))
        xs, ys = np.insert(xs, k, mle), np.insert(ys, k, top)
    cut = top - float(chi2.ppf(level, 1)) / 2.0
    return {"x": xs, "loglik": ys, "cutoff": cut, "ci": (float(ci[0]), float(ci[1])), "mle": mle,
            "max": top, "level": level}


def loglik(res: Any, name: str | None = None, ax: Any = None, *, level: float = 0.95,
           legend: bool = True) -> Any:
    """The log-likelihood over one parameter: the profile (others re-maximised) and, for
    models with more parameters, the slice (others held at the MLE); the MLE and the profile
    interval's cutoff ``max − χ²₁(level)/2``."""
    res_names = [p for p in res.params if p not in res.fixed]
    name = name or (res_names[0] if res_names else next(iter(res.params)))
    ax = cm.get_ax(ax)
    curve = profile_curve(res, name, level)
    multi = len(res_names) > 1
    ok = np.isfinite(curve["loglik"])
    ax.plot(curve["x"][ok], curve["loglik"][ok], color=cm.FIT, lw=2,
            label="profile log-likelihood" if multi else "log-likelihood")
    if multi:
        sl = _Profiler(res)
        ys = np.array([sl.slice({name: float(x)}) for x in curve["x"]])
        good = np.isfinite(ys)
        ax.plot(curve["x"][good], ys[good], color=cm.DATA, lw=1.3, ls="--",
                label="slice (others at their MLE)")
    lo, hi = curve["ci"]
    ax.axhline(curve["cutoff"], color="0.4", lw=1, ls=":",
               label=f"cutoff: max − χ²₁({level:g})/2")
    ax.axvline(curve["mle"], color="0.4", lw=1)
    ax.plot([curve["mle"]], [curve["max"]], "o", color=cm.FIT, ms=6,
            label=f"MLE {name} = {curve['mle']:.4g}")
    xl = ax.get_xlim()
    ax.axvspan(max(lo, xl[0]), min(hi, xl[1]), color=cm.FIT, alpha=0.08,
               label=f"{level:.0%} profile CI [{lo:.4g}, {hi:.4g}]")
    finite = curve["loglik"][ok]
    floor = max(float(finite.min()), curve["max"] - 4.0 * float(chi2.ppf(level, 1)))
    ax.set_ylim(floor, curve["max"] + 0.08 * (curve["max"] - floor))
    return cm.finish(ax, name, "log-likelihood",
                     f"Log-likelihood of {name}: {type(res.dist).__name__}", legend)


def profile(res: Any, name: str | None = None, ax: Any = None, *, level: float = 0.95,
            legend: bool = True) -> Any:
    """The profile log-likelihood relative to its maximum, against the quadratic (Wald)
    approximation; both intervals are marked. Where they differ, trust the profile."""
    res_names = [p for p in res.params if p not in res.fixed]
    name = name or (res_names[0] if res_names else next(iter(res.params)))
    ax = cm.get_ax(ax)
    curve = profile_curve(res, name, level)
    x, rel = curve["x"], curve["loglik"] - curve["max"]
    ok = np.isfinite(rel)
    ax.plot(x[ok], rel[ok], color=cm.FIT, lw=2, label="profile")
    se = res.se[name]
    z = float(norm.ppf(0.5 + level / 2))
    if math.isfinite(se) and se > 0:
        ax.plot(x, -((x - curve["mle"]) ** 2) / (2 * se**2), color=cm.DATA, lw=1.3, ls="--",
                label="quadratic (Wald) approximation")
        wl, wh = curve["mle"] - z * se, curve["mle"] + z * se
        ax.plot([wl, wh], [curve["cutoff"] - curve["max"]] * 2, "|", color=cm.DATA, ms=14, mew=2,
                label=f"Wald CI [{wl:.4g}, {wh:.4g}]")
    lo, hi = curve["ci"]
    cut = curve["cutoff"] - curve["max"]
    ax.axhline(cut, color="0.4", lw=1, ls=":")
    ax.plot([v for v in (lo, hi) if math.isfinite(v)], [cut] * sum(map(math.isfinite, (lo, hi))),
            "o", color=cm.FIT, ms=6, label=f"profile CI [{lo:.4g}, {hi:.4g}]")
    ax.axvline(curve["mle"], color="0.4", lw=1)
    ax.set_ylim(max(float(rel[ok].min()), 3 * cut), 0.3)
    return cm.finish(ax, name, "log L − max log L",
                     f"Profile of {name} ({level:.0%})", legend)


def contour(res: Any, a: str | None = None, b: str | None = None, ax: Any = None, *,
            levels: tuple[float, ...] = (0.5, 0.8, 0.95), n: int = 41, legend: bool = True,
            colorbar: bool = True) -> Any:
    """The log-likelihood surface over two parameters (others profiled out) with the MLE and
    joint confidence regions ``2 (max − log L) <= χ²₂(level)``; ``colorbar``: the shading's
    scale (log L − max log L) beside the plot, with the regions' levels marked on it."""
    free = [p for p in res.params if p not in res.fixed]
    if a is None and b is None:
        if len(free) < 2:
            raise ParameterError(f"a contour needs two free parameters; got {len(free)} "
                                 f"({', '.join(free) or 'none'}). Hint: use mk.plot.loglik(res).")
        a, b = free[0], free[1]
    if a is None or b is None or a == b:
        raise ParameterError(f"contour needs two different parameters; got {a!r} and {b!r}.")
    _check_param(res, a)
    _check_param(res, b)
    ax = cm.get_ax(ax, figsize=(5.5, 4.5))
    pr = _Profiler(res)
    # the joint region's shadow on one axis is where that parameter's profile stays within
    # chi2_2(level)/2 of the maximum: find it, then pad
    proj = float(chi2.cdf(chi2.ppf(max(levels), 2), 1))
    spans = []
    for p in (a, b):
        lo, hi = profile_curve(res, p, proj, n=21)["ci"]
        dlo, dhi = _span(res, p, 3.0)
        lo = lo if math.isfinite(lo) else dlo
        hi = hi if math.isfinite(hi) else dhi
        pad = 0.12 * (hi - lo)
        i = list(res.params).index(p)
        dom = res.dist.domains[i]
        lo2 = lo - pad if not (dom.lower > -math.inf and lo - pad <= dom.lower) else (lo + dom.lower) / 2
        hi2 = hi + pad if not (dom.upper < math.inf and hi + pad >= dom.upper) else (hi + dom.upper) / 2
        spans.append((lo2, hi2))
    xa = np.linspace(*spans[0], n)
    xb = np.linspace(*spans[1], n)
    others = len(free) > 2 and pr.is_family   # profile out the rest (a refit per point)
    sliced = len(free) > 2 and not others
    if others:
        n = min(n, 25)
        xa, xb = np.linspace(xa[0], xa[-1], n), np.linspace(xb[0], xb[-1], n)
    Z = np.empty((n, n))
    for j, vb in enumerate(xb):
        for i, va in enumerate(xa):
            vals = {a: float(va), b: float(vb)}
            Z[j, i] = pr.profile(vals) if others else pr.slice(vals)
    rel = Z - res.loglik
    floor = -float(chi2.ppf(0.9999, 2))
    filled = ax.contourf(xa, xb, np.clip(np.where(np.isfinite(rel), rel, floor), floor, 0),
                         levels=14, cmap="Blues")
    cuts = sorted(-float(chi2.ppf(lv, 2)) / 2 for lv in levels)
    cs = ax.contour(xa, xb, np.where(np.isfinite(rel), rel, floor), levels=cuts,
                    colors=[cm.FIT] * len(cuts), linestyles="solid",
                    linewidths=[2.0] + [1.0] * (len(cuts) - 1))
    ax.clabel(cs, fmt={c: f"{lv:.0%}" for c, lv in zip(cuts, sorted(levels, reverse=True))},
              fontsize="small")
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, label="log L − max log L")
        bar.add_lines(cs)   # the regions' cut-offs on the scale
    ax.plot([res.params[a]], [res.params[b]], "o", color=cm.FIT, ms=7,
            label=f"MLE ({res.params[a]:.4g}, {res.params[b]:.4g})")
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    how = "others profiled out" if others else ("others at their MLE" if sliced
                                                  else "log-likelihood surface")
    ax.set_title(f"Joint regions for {a}, {b} ({how})")
    if legend:
        cm.legend(ax, frameon=True, framealpha=0.8, fontsize="small")
    return ax
