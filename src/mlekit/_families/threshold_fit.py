"""Estimation for the threshold families (:mod:`.threshold`): the threshold profiled over the
base family's own fast fit (a coarse grid on ``log(m - threshold)``, then Brent), the final
Newton polish, and a small in-memory likelihood for the inner fits (this layer cannot use
:mod:`mlekit._fit`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import minimize_scalar

from .._core.numdiff import data_unit, numeric_derivs
from .._core.optimize import newton
from .._data.data import Block, Data
from .base import Family, FastFit, Stats

if TYPE_CHECKING:
    from .threshold import Threshold

__all__ = ["profile_threshold", "threshold_limit", "shifted", "inner_fit", "inner_newton",
           "block_sums"]

Theta = tuple[Any, ...]

_GRID_LO = -30.0     # δ from e^-30 ≈ 1e-13 spans (max - m) ...
_GRID_HI = 6.0       # ... to e^6 ≈ 400 spans below the smallest value
_GRID_STEP = 1.5
_LOG_HALF = math.log(0.5)
_SUBSAMPLE = 20_000  # larger exact samples: the coarse grid runs on a subsample, no polish


def _empty() -> Block:
    return Block(np.empty(0))

def threshold_limit(data: Data) -> float:
    """The smallest value the threshold must stay below."""
    parts = [data.exact.x, data.left.x]
    ib = data.interval_block
    if ib.size:
        assert ib.hi is not None
        parts.append(ib.hi)
    vals = [float(p.min()) for p in parts if p.size]
    if not vals:   # only right-censored values: no upper limit (fit_family refuses these)
        return float(data.right.x.min())
    return min(vals)


def shifted(data: Data, m: float, delta: float) -> Data:
    """The data as ``x - (m - delta)``, computed as ``(x - m) + delta`` (exact near m)."""
    out = Data.__new__(Data)
    out.__dict__.update(data.__dict__)
    e, lf, r, ib = data.exact, data.left, data.right, data.interval_block

    def mv(blk: Block, x: np.ndarray, hi: np.ndarray | None = None) -> Block:
        return Block(x, blk.w, hi=hi, trials=blk.trials, rows=blk.rows)

    out.exact = mv(e, (e.x - m) + delta) if e.size else _empty()
    out.left = mv(lf, (lf.x - m) + delta) if lf.size else _empty()
    right = _empty()
    if r.size:
        yr = (r.x - m) + delta
        keep = yr > 0   # "survived past a point below the threshold" says nothing
        right = mv(r, yr) if keep.all() else (r.take(keep) if keep.any() else _empty())
        if 0 < right.size < r.size:
            right = Block(yr[keep], right.w, trials=right.trials, rows=right.rows)
    out.right = right
    out.interval_block = _empty()
    if ib.size:
        assert ib.hi is not None
        lo = (ib.x - m) + delta
        hi = (ib.hi - m) + delta
        to_left = lo <= 0
        keep = ~to_left
        if keep.any():
            out.interval_block = Block(lo[keep], None if ib.w is None else ib.w[keep],
                                       hi=hi[keep], rows=None if ib.rows is None else ib.rows[keep])
        if to_left.any():
            extra = Block(hi[to_left], None if ib.w is None else ib.w[to_left],
                          rows=None if ib.rows is None else ib.rows[to_left])
            out.left = _concat(out.left, extra)
    return out


def _subsample(data: Data) -> Data:
    e = data.exact
    k = max(1, e.size // (_SUBSAMPLE // 4))
    idx = np.arange(0, e.size, k)
    i_min = int(np.argmin(e.x))
    if i_min % k:
        idx = np.append(idx, i_min)
    w = np.full(idx.size, float(k)) if e.w is None else e.w[idx] * k
    out = Data.__new__(Data)
    out.__dict__.update(data.__dict__)
    out.exact = Block(e.x[idx], w)
    out._has_weights = True
    return out


def _concat(a: Block, b: Block) -> Block:
    if not a.size:
        return b
    wa = np.ones(a.size) if a.w is None else a.w
    wb = np.ones(b.size) if b.w is None else b.w
    w = None if (a.w is None and b.w is None) else np.concatenate([wa, wb])
    return Block(np.concatenate([a.x, b.x]), w)


def profile_threshold(fam: Threshold, data: Data, m: float, fixed2: dict[str, float]
                       ) -> FastFit | None:
    pts = data.all_points()
    unit = data_unit(pts)
    span = max(float(np.max(pts)) - m, unit)
    base = fam.base
    cache: dict[float, tuple[float, dict[str, float], str, int, bool]] = {}
    warm: list[dict[str, float] | None] = [None]

    def make(d: Data, cache: dict[float, Any]) -> Any:
        def prof(s: float) -> float:
            if s in cache:
                return cache[s][0]
            r = inner_fit(base, d, m, math.exp(s) * span, fixed2, warm[0])
            if r is None or not math.isfinite(r[1]):
                cache[s] = (-math.inf, {}, "", 0, False)
                return -math.inf
            cache[s] = (r[1], r[0], r[2], r[3], r[4])
            warm[0] = r[0]
            return r[1]
        return prof

    prof = make(data, cache)
    # the coarse grid only brackets the maximum: on a large sample a systematic subsample
    # (the smallest value kept, weights scaled) finds the same bracket at a fraction of the cost
    big = data.only_exact and data.exact.size > _SUBSAMPLE
    coarse_cache: dict[float, Any] = {}
    prof_grid = make(_subsample(data), coarse_cache) if big else prof

    grid = np.arange(_GRID_LO, _GRID_HI + 1e-9, _GRID_STEP)
    # outwards from a typical threshold (a quarter of the way from the median down to m),
    # each point warm-started from its neighbour: the path of the nuisance estimates is smooth
    med = float(np.median(pts))
    i0 = int(np.argmin(np.abs(grid - math.log(max(0.25 * (med - m), 1e-3 * span) / span))))
    vals = np.full(grid.size, -np.inf)
    for order in (range(i0, grid.size), range(i0 - 1, -1, -1)):
        for j in order:
            vals[j] = prof_grid(float(grid[j]))
        warm[0] = (coarse_cache if big else cache)[float(grid[i0])][1] or None
    if not np.isfinite(vals).any():
        return None
    n = grid.size
    inner = [i for i in range(1, n - 1) if np.isfinite(vals[i])
             and vals[i] >= vals[i - 1] and vals[i] >= vals[i + 1]
             and (vals[i] > vals[i - 1] or vals[i] > vals[i + 1])]
    diags: list[tuple[str, str, str, str | None]] = []
    evals0 = len(cache)
    converged = True
    if inner:
        i = max(inner, key=lambda j: vals[j])
        warm[0] = (coarse_cache if big else cache)[float(grid[i])][1]
        vals[i] = prof(float(grid[i]))
        if big:   # the subsample's bracket: climb on the whole data to the true one
            while True:
                nb = [j for j in (i - 1, i + 1) if 0 < j < n - 1]
                fv = {j: prof(float(grid[j])) for j in nb}
                j = max(nb, key=lambda q: fv[q]) if nb else i
                if not (nb and fv[j] > vals[i]):
                    break
                vals[j], i = fv[j], j
        opt = minimize_scalar(lambda s: -prof(float(s)), bounds=(grid[i - 1], grid[i + 1]),
                              method="bounded", options={"xatol": 1e-9})
        s_hat = float(opt.x) if -float(opt.fun) >= vals[i] else float(grid[i])
        prof(s_hat)
    else:
        i = int(np.nanargmax(np.where(np.isfinite(vals), vals, -np.inf)))
        s_hat = float(grid[i])
        vals[i] = prof(s_hat)
        converged = False
        if i == 0:
            diags.append(_unbounded(fam, m))
        else:
            # walk on towards -inf until the profile levels off at the two-parameter limit
            s_hat, v = float(grid[-1]), float(vals[-1])
            while s_hat < 40.0:
                nv = prof(s_hat + _GRID_STEP)
                if not nv > v + 1e-10 * (1.0 + abs(v)):
                    if nv > v:
                        s_hat += _GRID_STEP
                    break
                s_hat, v = s_hat + _GRID_STEP, nv
            diags.append(("boundary", "threshold ran off towards -inf: the profile "
                          "log-likelihood keeps increasing as the threshold decreases, so the "
                          "data are fitted as well by the two-parameter limit"
                          + fam.limit_hint, "warning", "threshold"))
    ll, params, method, _it, ok = cache[s_hat]
    t = m - math.exp(s_hat) * span
    shape = fam.unbounded_shape
    if converged and shape is not None and shape not in fixed2 and params.get(shape, 2.0) <= 1.0:
        diags.append(_unbounded(fam, m, params[shape]))
        converged = False
    total = len(cache)
    label = f"profile-threshold ({total} profile points, {total - evals0} by Brent; inner: {method})"
    out = {**params, "threshold": t}
    hess = None
    if converged and ok and data.n_rows <= _SUBSAMPLE:
        polished = _polish(fam, data, out, fixed2, span)
        if polished is not None and polished[1] >= ll - 1e-10 * (1.0 + abs(ll)):
            out, ll, hess = polished
            label += " + newton"
    fast = FastFit(out, label, total, converged and ok, ll, hess)
    fast.diagnostics = diags
    return fast


def _polish(fam: Threshold, data: Data, p: dict[str, float], fixed: dict[str, float],
            span: float) -> tuple[dict[str, float], float, np.ndarray] | None:
    """Newton on all free parameters from the profile's optimum (a few steps at most): the
    last digits of the threshold, where the profile is flat, and the full Hessian."""
    names = fam.param_names
    free = [i for i, q in enumerate(names) if q not in fixed]
    doms = [fam.domains[i] for i in free]
    sc = np.array([span if names[i] == "threshold" else 1.0 for i in free])
    last: dict[str, Any] = {}

    def theta(eta: np.ndarray) -> Theta:
        vals = dict(fixed)
        for i, dm, e in zip(free, doms, eta * sc):
            vals[names[i]] = float(dm.from_unconstrained(e))
        return tuple(vals[q] for q in names)

    def obj(eta: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
        th = theta(eta)
        ll, g, H = block_sums(fam, data, th, order, free)
        if order == 0 or not math.isfinite(ll):
            return ll, g[free], H[np.ix_(free, free)]
        last.update(th=th, ll=ll, H=H)
        jac = [dm.jacobian(e) for dm, e in zip(doms, eta * sc)]
        J1 = np.array([float(j[0]) for j in jac]) * sc
        J2 = np.array([float(j[1]) for j in jac]) * sc * sc
        gf, Hf = g[free], H[np.ix_(free, free)]
        return ll, gf * J1, Hf * np.outer(J1, J1) + np.diag(gf * J2)

    eta0 = np.array([float(dm.to_unconstrained(p[names[i]])) for i, dm in zip(free, doms)]) / sc
    with np.errstate(all="ignore"):
        res = newton(obj, eta0, maxiter=8, max_step=0.5)
    if not (res.converged and math.isfinite(res.fun)):
        return None
    th = theta(res.x)
    if last.get("th") != th:
        with np.errstate(all="ignore"):
            ll, _, H = block_sums(fam, data, th, 2, free)
    else:
        ll, H = last["ll"], last["H"]
    return dict(zip(names, th)), float(ll), H


def _unbounded(fam: Threshold, m: float, shape: float | None = None
               ) -> tuple[str, str, str, str | None]:
    at = "" if shape is None else f" (the profile's best point has shape = {shape:.4g} <= 1)"
    return ("unbounded-likelihood",
            f"the likelihood has no maximum: it grows without bound as the threshold approaches "
            f"the smallest value {m:.6g}{at}, so there is no maximum-likelihood estimate. Hint: "
            f"fit by maximum product of spacings, mk.fit(x, {fam.name!r}, method=\"mps\"), or "
            "fix the threshold with fixed={'threshold': ...}", "warning", "threshold")


# ------------------------------------------------------------------------- the inner fit
def inner_fit(base: Family, data: Data, m: float, delta: float, fixed: dict[str, float],
               warm: dict[str, float] | None
               ) -> tuple[dict[str, float], float, str, int, bool] | None:
    """The base family's fit to ``x - (m - delta)``: ``(params, loglik, method, iterations,
    converged)``, by the fastest path the base has."""
    if not delta > 0 and getattr(base, "name", "") != "exponential":
        return None
    d = shifted(data, m, delta)
    with np.errstate(all="ignore"):
        can = getattr(base, "_can_closed_form", None)
        closed_ok = can(d) if can else d.only_exact
        if closed_ok and type(base)._suffstats is not Family._suffstats:
            stats = base._suffstats(d)
            assert isinstance(stats, Stats)
            p = base._closed_form(stats, fixed)
            if p is not None and hasattr(base, "_stats_loglik"):
                if all(math.isfinite(v) for v in p.values()):
                    return p, float(base._stats_loglik(stats, p)), getattr(
                        base, "closed_form_method", "closed-form"), 0, True
                return None
        fast = getattr(base, "_fast_fit", None)
        if fast is not None:
            ff = fast(d, fixed)
            if ff is not None and ff.converged and ff.loglik is not None:
                return ff.params, float(ff.loglik), ff.method, ff.iterations, True
        return inner_newton(base, d, fixed, warm)


def inner_newton(base: Family, d: Data, fixed: dict[str, float],
                  warm: dict[str, float] | None
                  ) -> tuple[dict[str, float], float, str, int, bool] | None:
    names = base.param_names
    free = [i for i, p in enumerate(names) if p not in fixed]
    doms = [base.domains[i] for i in free]
    pts = np.concatenate([b.x for b in (d.exact, d.left, d.right) if b.size]
                         + ([d.interval_block.hi] if d.interval_block.size else []))
    pts = pts[np.isfinite(pts) & (pts > 0)]
    try:
        cold: dict[str, float] | None = {**base._start(pts, None, fixed), **fixed}
    except (ValueError, ZeroDivisionError, FloatingPointError):
        cold = None

    def theta(eta: np.ndarray) -> Theta:
        vals = dict(fixed)
        for i, dm, e in zip(free, doms, eta):
            vals[names[i]] = float(dm.from_unconstrained(e))
        return tuple(vals[p] for p in names)

    def obj(eta: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
        if np.any(np.abs(eta) > 700):
            return -math.inf, np.full(eta.size, math.nan), np.full((eta.size,) * 2, math.nan)
        th = theta(eta)
        ll, g, H = block_sums(base, d, th, order, free)
        if order == 0:
            return ll, g, H
        jac = [dm.jacobian(e) for dm, e in zip(doms, eta)]
        J1 = np.array([float(j[0]) for j in jac])
        J2 = np.array([float(j[1]) for j in jac])
        gf, Hf = g[free], H[np.ix_(free, free)]
        return ll, gf * J1, Hf * np.outer(J1, J1) + np.diag(gf * J2)

    best = None
    for s0 in (warm, cold):
        if s0 is None:
            continue
        try:
            eta0 = np.array([float(dm.to_unconstrained(s0[names[i]])) for i, dm in zip(free, doms)])
        except KeyError:
            continue
        if not np.all(np.isfinite(eta0)):
            continue
        res = newton(obj, eta0, maxiter=100)
        if math.isfinite(res.fun) and (best is None or res.fun > best.fun):
            best = res
        if res.converged:
            break
    if best is None:
        return None
    res = best
    th = theta(res.x)
    return dict(zip(names, th)), float(res.fun), "newton", res.iterations, bool(res.converged)


def block_sums(fam: Family, d: Data, th: Theta, order: int, free: list[int]
               ) -> tuple[float, np.ndarray, np.ndarray]:
    """``(loglik, grad, hess)`` of untruncated data (one in-memory piece) under ``fam``."""
    k = len(th)
    ll, g, H = 0.0, np.zeros(k), np.zeros((k, k))
    for kind, blk in d.blocks.items():
        if not blk.size:
            continue
        if kind == "interval":
            def f(t: Theta, blk: Block = blk) -> Any:
                return _log_interval(fam, blk.x, blk.hi, t)
            if order == 0:
                ll += blk.wsum_of(f(th))
                continue
            der: Any = numeric_derivs(f, th, fam.domains, free, order)
        else:
            fn, dfn = {"exact": (fam._logpdf, fam._d_logpdf), "left": (fam._logcdf, fam._d_logcdf),
                       "right": (fam._logsf, fam._d_logsf)}[kind]
            if order == 0:
                ll += blk.wsum_of(fn(blk.x, th, blk))
                continue
            fused = fam._exact_sums(blk, th) if kind == "exact" else None
            if fused is not None:
                ll += fused[0]
                g += fused[1]
                H += fused[2]
                continue
            der = dfn(blk.x, th, blk)
            if der is None:
                def fv(t: Theta, fn: Any = fn, blk: Block = blk) -> Any:
                    return fn(blk.x, t, blk)
                der = numeric_derivs(fv, th, fam.domains, free, order)
        ll += blk.wsum_of(der[0])
        for i in free:
            g[i] += blk.wsum_of(der[1][i])
            for j in free:
                H[i, j] += blk.wsum_of(der[2][i][j])
    if not math.isfinite(ll):
        ll = -math.inf
    return float(ll), g, H


def _log_interval(fam: Family, lo: Any, hi: Any, th: Theta) -> Any:
    la, lb = fam._logcdf(lo, th, None), fam._logcdf(hi, th, None)
    sa, sb = fam._logsf(lo, th, None), fam._logsf(hi, th, None)
    use_sf = lb > _LOG_HALF
    return np.where(use_sf, sa + np.log1p(-np.exp(sb - sa)), lb + np.log1p(-np.exp(la - lb)))


