"""The threshold families' outer search (:mod:`.threshold`): the profile log-likelihood of the
threshold maximised over ``s = log((m - threshold) / span)`` (``m`` the smallest value the
threshold must stay below, ``span`` the data's range: the threshold's natural, scale-free
variable).

1. **Bracket**: a coarse grid over ``s`` (every point the base family's own fast two-parameter
   fit, warm-started from its neighbours) finds the local maxima of the profile, the spike of
   an unbounded likelihood at ``s -> -inf`` and a profile that is still rising as
   ``threshold -> -inf``.
2. **Refine**: a safeguarded Newton iteration on the profile's slope. By the envelope theorem
   the slope is the partial derivative of the full log-likelihood in the threshold at the
   inner optimum (:meth:`Threshold.threshold_slope`: analytic where the family gives
   ``_dy_logpdf``, else differences); the curvature is the secant of the slopes (started from
   the grid's parabola), and every step stays inside a bracket on the slope's sign (bisection
   when Newton would leave it, the bracket extended by a grid step when the slope keeps its
   sign at an end). Then Newton on all the parameters (:func:`.threshold_fit.polish`).
3. **Large exact samples** (``_LEVELS``): the grid runs on a stratified subsample of ~1,000
   rows (the smallest values in full, a weighted systematic sample of the rest), the slope
   search on one of ~5,000 rows, and all the data are fitted by Newton on every parameter
   from there when the family sums its derivatives in one pass (``_exact_sums``; else by the
   slope search on all the data). A subsample whose grid finds no interior maximum hands the
   grid to the next level (all the data up to ``_POLISH_N`` rows).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .._core.numdiff import data_unit
from .._data.data import Block, Data
from .base import FastFit
from .profiles import PROFILE_TOL
from .threshold_fit import inner_fit_shifted, polish, shifted

if TYPE_CHECKING:
    from .threshold import Threshold

__all__ = ["profile_threshold"]

_GRID_LO = -30.0     # δ from e^-30 ≈ 1e-13 spans (max - m) ...
_GRID_HI = 6.0       # ... to e^6 ≈ 400 spans below the smallest value
_GRID_STEP = 1.5
_GRID_DEEP = -12.0   # below it (δ < 6e-6 spans: where the profile is flat, or the spike of an
#                      unbounded likelihood) the grid steps are twice as long
_GRID = np.concatenate([np.arange(_GRID_LO, _GRID_DEEP - 1e-9, 2 * _GRID_STEP),
                        np.arange(_GRID_DEEP, _GRID_HI + 1e-9, _GRID_STEP)])
_WALK_END = 40.0     # a profile still rising here has reached its two-parameter limit
# (size, tail): exact samples above 2 * size rows are searched on a subsample of ~size rows
# first, the smallest ~tail values among them (the threshold's information) and a systematic
# sample of the rest: the grid on the first, the slope search on the next, then all the data
# (by Newton on every parameter when the family has fused sums)
_LEVELS = ((1_000, 200), (5_000, 1_000))
_POLISH_TOL = 1e-10  # Newton decrement of the Newton on a large sample (error ~1e-5 SE)
_POLISH_N = 20_000   # the final three-parameter Newton polish up to this many rows
_XTOL = 1e-10        # the slope search stops when the bracket or the step is this small in s
_XTOL_SUB = 1e-2     # ... on a subsample (whose optimum only starts the next level)
_TOL_SUB = 1e-4      # the inner fits' Newton on a subsample: |score| <= 1e-4 SE
_MAXITER = 60

Entry = tuple[float, dict[str, float], str, int, bool]


class _Profile:
    """The profile log-likelihood of one data set as a function of ``s``, memoised, with the
    inner fits warm-started from the last one and the slope from the last shifted data."""

    def __init__(self, fam: Threshold, data: Data, m: float, span: float,
                 fixed: dict[str, float], tol: float = PROFILE_TOL) -> None:
        self.fam, self.data, self.m, self.span, self.fixed = fam, data, m, span, fixed
        self.tol = tol    # the inner fits' stopping rule
        self.cache: dict[float, Entry] = {}
        self.slopes: dict[float, float] = {}
        self.warm: dict[str, float] | None = None
        self._last: tuple[float, Data] | None = None
        # the last fits made one after the other, for extrapolated warm starts
        self._path: tuple[tuple[float, dict[str, float]], ...] = ((math.nan, {}),)

    def __call__(self, s: float) -> float:
        if s in self.cache:
            return self.cache[s][0]
        d = shifted(self.data, self.m, math.exp(s) * self.span)
        r = inner_fit_shifted(self.fam.base, d, self.fixed, self._start(s), self.tol)
        if r is None or not math.isfinite(r[1]):
            self.cache[s] = (-math.inf, {}, "", 0, False)
            return -math.inf
        self.cache[s] = (r[1], r[0], r[2], r[3], r[4])
        self._path = (self._path[-1], (s, r[0])) if self.warm is self._path[-1][1] else (
            (s, r[0]),)
        self.warm = r[0]
        self._last = (s, d)
        return r[1]

    def _start(self, s: float) -> dict[str, float] | None:
        """The warm start at ``s``: the last fit's parameters, extrapolated along ``s``
        (log-linearly) from the last two when they were fitted one after the other."""
        if len(self._path) < 2 or self.warm is not self._path[-1][1]:
            return self.warm
        (s1, p1), (s2, p2) = self._path
        f = (s - s2) / (s2 - s1) if s2 != s1 else 0.0
        if not abs(f) <= 2.0:
            return self.warm
        out = {}
        for q, v in p2.items():
            u = p1.get(q, v)
            out[q] = v * (v / u) ** f if v > 0 and u > 0 else v + (v - u) * f
        return out if all(math.isfinite(v) for v in out.values()) else self.warm

    def slope(self, s: float) -> float:
        """``d l_p / d s`` at ``s`` (NaN where the profile is not finite)."""
        if s in self.slopes:
            return self.slopes[s]
        v = self(s)
        if not math.isfinite(v):
            return math.nan
        delta = math.exp(s) * self.span
        d = self._last[1] if self._last is not None and self._last[0] == s else shifted(
            self.data, self.m, delta)
        p = self.cache[s][1]
        th2 = tuple(p[q] for q in self.fam.base.param_names)
        with np.errstate(all="ignore"):
            g = -delta * self.fam.threshold_slope(d, th2)   # dc/ds = -δ
        self.slopes[s] = g
        return g


def _climb(prof: _Profile, s0: float, lo: float, hi: float, curv: float | None,
           xtol: float = _XTOL) -> tuple[float, float | None, bool]:
    """The local maximum of ``prof`` near ``s0``, expected in ``(lo, hi)`` (the ends are not
    evaluated unless the iteration needs them; a slope of one sign at an end moves it by a grid
    step, within the grid's range). Returns ``(s, last secant curvature, converged)``: ``s``
    the best point the search evaluated (where it stopped, unless the profile's value says
    otherwise)."""
    seen = [s0]

    def best(conv: bool) -> tuple[float, float | None, bool]:
        return max(seen, key=lambda q: (prof(q), q == seen[-1])), curv, conv

    a, b = lo, hi                     # the slope is > 0 at a and < 0 at b (as far as known)
    s, g = s0, prof.slope(s0)
    if not math.isfinite(g):
        return s0, curv, False
    if g > 0:
        a = s
    else:
        b = s
    step_old = b - a
    for _ in range(_MAXITER):
        if g == 0.0 or b - a <= xtol * (1.0 + abs(s)):
            return best(True)
        t = s - g / curv if curv is not None and curv < 0 else math.nan
        if not a < t < b:
            # Newton leaves the bracket: go to an end not yet evaluated (the maximum may lie
            # beyond it), else bisect
            end = b if g > 0 else a
            t = end if end not in prof.cache else 0.5 * (a + b)
        elif abs(t - s) > 0.5 * abs(step_old):   # too slow a shrink: bisect
            t = 0.5 * (a + b)
        step_old = t - s
        if abs(t - s) <= xtol * (1.0 + abs(s)):
            return best(True)
        gt = prof.slope(t)
        seen.append(t)
        if not math.isfinite(gt):
            b = t if t > s else b
            a = t if t < s else a
            continue
        if t != s:
            c = (gt - g) / (t - s)
            curv = c if math.isfinite(c) else curv
        if gt > 0:
            a = t
            if t == b:                       # still rising at the end: extend the bracket
                b = min(t + _GRID_STEP, _WALK_END)
        else:
            b = t
            if t == a:
                a = max(t - _GRID_STEP, _GRID_LO)
        if t >= _WALK_END or t <= _GRID_LO:
            return best(False)
        s, g = t, gt
    return best(False)


def _subsample(data: Data, size: int, tail: int) -> Data:
    """About ``size`` of the exact values: every value below the ``tail``-th smallest (about:
    they locate the threshold) and a systematic sample of the others, weighted to their
    total."""
    e = data.exact
    x, w, n = e.x, e.w, e.size
    k = max(1, n // size)
    pre = x[::k]
    j = min(pre.size - 1, max(1, (tail * pre.size) // n))
    q = float(np.partition(pre, j)[j])
    low = x < q
    ti = np.flatnonzero(low)
    ri = np.arange(0, n, max(1, n // (size - ti.size)) if ti.size < size else n)
    ri = ri[~low[ri]]
    if w is None:
        rest, tot_r = float(ri.size), float(n - ti.size)
        wr = np.full(ri.size, tot_r / rest) if ri.size else np.empty(0)
        ws = np.concatenate([np.ones(ti.size), wr])
    else:
        tot_r = e.wsum - float(w[ti].sum())
        wr = w[ri]
        wr = wr * (tot_r / float(wr.sum())) if ri.size else wr
        ws = np.concatenate([w[ti], wr])
    out = Data.__new__(Data)
    out.__dict__.update(data.__dict__)
    out.exact = Block(np.concatenate([x[ti], x[ri]]), ws)
    out._has_weights = True
    return out


def _levels(data: Data) -> list[Data]:
    """The data sets the search runs on, smallest first: a large exact sample is bracketed on
    a small subsample, refined on a larger one, and finished on all of it."""
    n = data.exact.size if data.only_exact else 0
    out = [_subsample(data, size, tail) for size, tail in _LEVELS if n > 2 * size]
    return [*out, data]


def profile_threshold(fam: Threshold, data: Data, m: float, fixed2: dict[str, float]
                      ) -> FastFit | None:
    levels = _levels(data)
    pts = levels[0].all_points()
    top = data.exact.x_extreme("max") if len(levels) > 1 else float(np.max(pts))
    span = max(top - m, data_unit(pts))
    profs = [_Profile(fam, d, m, span, fixed2, PROFILE_TOL if d is data else _TOL_SUB)
             for d in levels]
    prof = profs[-1]

    grid = _GRID
    # outwards from a typical threshold (a quarter of the way from the median down to m),
    # each point warm-started from its neighbour: the path of the nuisance estimates is smooth
    med = float(np.median(pts))
    i0 = int(np.argmin(np.abs(grid - math.log(max(0.25 * (med - m), 1e-3 * span) / span))))
    n = grid.size
    # the grid on the smallest subsample; where it finds no interior maximum (a weakly
    # identified threshold) on the next level too (on all the data only up to _POLISH_N rows)
    allprofs = profs
    for gi in range(len(profs) if data.n_rows <= _POLISH_N else len(profs) - 1):
        gprof = profs[gi]
        vals = np.full(grid.size, -np.inf)
        for order in (range(i0, grid.size), range(i0 - 1, -1, -1)):
            for j in order:
                vals[j] = gprof(float(grid[j]))
            gprof.warm = gprof.cache[float(grid[i0])][1] or None
        inner = [i for i in range(1, n - 1) if np.isfinite(vals[i])
                 and vals[i] >= vals[i - 1] and vals[i] >= vals[i + 1]
                 and (vals[i] > vals[i - 1] or vals[i] > vals[i + 1])]
        if inner:
            break
    if not np.isfinite(vals).any():
        return None
    profs = profs[gi:]
    diags: list[tuple[str, str, str, str | None]] = []
    converged = True
    polished: tuple[dict[str, float], float, np.ndarray, int] | None = None
    if inner:
        i = max(inner, key=lambda j: vals[j])
        lo, hi = float(grid[i - 1]), float(grid[i + 1])
        curv: float | None = None
        if all(np.isfinite(vals[i - 1:i + 2])):   # the parabola through the three grid points
            curv = 2.0 * float((vals[i + 1] - vals[i]) / (hi - grid[i])
                               - (vals[i] - vals[i - 1]) / (grid[i] - lo)) / (hi - lo)
        s_hat, warm = float(grid[i]), gprof.cache[float(grid[i])][1]
        for P in profs:
            if P is prof and P is not gprof and converged and type(fam)._overrides("_exact_sums"):
                # all the data from the subsample's optimum: Newton on every parameter where the
                # family sums its derivatives in one pass (else the slope search below)
                start = {**warm, "threshold": m - math.exp(s_hat) * span}
                polished = polish(fam, data, start, fixed2, span, maxiter=_MAXITER,
                                  tol=_POLISH_TOL)
                if polished is not None and _GRID_LO < _s_of(
                        polished[0]["threshold"], m, span) < _WALK_END:
                    break
                polished = None     # it ran to an end: profile it
            P.warm = warm
            if P is gprof and len(profs) > 2:
                continue    # the grid's subsample only brackets: the next one climbs
            s_hat, curv, converged = _climb(P, s_hat, lo, hi, curv,
                                            _XTOL if P is prof else _XTOL_SUB)
            warm = P.cache[s_hat][1] or warm
    else:
        i = int(np.nanargmax(np.where(np.isfinite(vals), vals, -np.inf)))
        s_hat = float(grid[i])
        converged = False
        for P in profs[1:]:
            P.warm = profs[0].cache[s_hat][1] or None
        if i == 0:
            prof(s_hat)
            diags.append(_unbounded(fam, m))
        else:
            # walk on towards -inf until the profile levels off at the two-parameter limit
            # (on the subsamples first; then on all the data from where it levelled off)
            s_hat = float(grid[-1])
            for P in profs:
                P.warm = P.warm if P is gprof else gprof.cache.get(s_hat, (0, None))[1] or P.warm
                s_hat = _walk(P, s_hat)
            diags.append(("boundary", "threshold ran off towards -inf: the profile "
                          "log-likelihood keeps increasing as the threshold decreases, so the "
                          "data are fitted as well by the two-parameter limit"
                          + fam.limit_hint, "warning", "threshold"))
    total = sum(len(P.cache) for P in allprofs)
    where = ""
    if len(allprofs) > 1:
        where = (f"{polished[3]} Newton steps" if polished is not None
                 else f"{len(prof.cache)} profile points") + " on all the data, the rest on subsamples; "
    hess = None
    if polished is not None:
        out, ll, hess, _ = polished
        ok = True
        method = profs[-2].cache[s_hat][2]
    else:
        ll, params, method, _it, ok = prof.cache[s_hat]
        out = {**params, "threshold": m - math.exp(s_hat) * span}
    shape = fam.unbounded_shape
    if converged and shape is not None and shape not in fixed2 and out.get(shape, 2.0) <= 1.0:
        diags.append(_unbounded(fam, m, out[shape]))
        converged = False
    label = f"profile-threshold ({total} profile points, {where}inner: {method})"
    if polished is not None:
        label += " + newton"
    elif converged and ok and data.n_rows <= _POLISH_N:
        pol = polish(fam, data, out, fixed2, span)
        if pol is not None and pol[1] >= ll - 1e-10 * (1.0 + abs(ll)):
            out, ll, hess, _ = pol
            label += " + newton"
    fast = FastFit(out, label, total, converged and ok, ll, hess)
    fast.diagnostics = diags
    return fast


def _s_of(t: float, m: float, span: float) -> float:
    return math.log((m - t) / span) if t < m else -math.inf


def _walk(prof: _Profile, s: float) -> float:
    v = prof(s)
    while s < _WALK_END:
        nv = prof(s + _GRID_STEP)
        if not nv > v + 1e-10 * (1.0 + abs(v)):
            if nv > v:
                s += _GRID_STEP
            break
        s, v = s + _GRID_STEP, nv
    return s


def _unbounded(fam: Threshold, m: float, shape: float | None = None
               ) -> tuple[str, str, str, str | None]:
    at = "" if shape is None else f" (the profile's best point has shape = {shape:.4g} <= 1)"
    return ("unbounded-likelihood",
            f"the likelihood has no maximum: it grows without bound as the threshold approaches "
            f"the smallest value {m:.6g}{at}, so there is no maximum-likelihood estimate. Hint: "
            f"fit by maximum product of spacings, mk.fit(x, {fam.name!r}, method=\"mps\"), or "
            "fix the threshold with fixed={'threshold': ...}", "warning", "threshold")
