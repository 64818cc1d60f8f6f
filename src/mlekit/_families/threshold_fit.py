"""Estimation for the threshold families (:mod:`.threshold`): the data shifted by a threshold,
the base family's own fast fit of them (the inner fit of the profile, warm-started), the final
Newton polish, and a small in-memory likelihood for the inner fits (this layer cannot use
:mod:`mlekit._fit`). The outer search over the threshold is :mod:`.threshold_search`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.numdiff import numeric_derivs
from .._core.optimize import newton
from .._data.data import Block, Data
from .base import Family, Stats
from .profiles import PROFILE_TOL

if TYPE_CHECKING:
    from .threshold import Threshold

__all__ = ["threshold_limit", "shifted", "inner_fit", "inner_fit_shifted", "inner_newton",
           "block_sums", "log_interval", "polish", "WORK"]

Theta = tuple[Any, ...]

_LOG_HALF = math.log(0.5)
WORK = "threshold_work"   # Block cache key of the scratch arrays polish lends to _exact_sums


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

    out.exact = mv(e, (e.x - m) + delta) if e.size else e
    out.left = mv(lf, (lf.x - m) + delta) if lf.size else lf
    right = r
    if r.size:
        yr = (r.x - m) + delta
        keep = yr > 0   # "survived past a point below the threshold" says nothing
        right = mv(r, yr) if keep.all() else (r.take(keep) if keep.any() else _empty())
        if 0 < right.size < r.size:
            right = Block(yr[keep], right.w, trials=right.trials, rows=right.rows)
    out.right = right
    if ib.size:
        out.interval_block = _empty()
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


def _concat(a: Block, b: Block) -> Block:
    if not a.size:
        return b
    wa = np.ones(a.size) if a.w is None else a.w
    wb = np.ones(b.size) if b.w is None else b.w
    w = None if (a.w is None and b.w is None) else np.concatenate([wa, wb])
    return Block(np.concatenate([a.x, b.x]), w)


def polish(fam: Threshold, data: Data, p: dict[str, float], fixed: dict[str, float],
           span: float, maxiter: int = 8, max_step: float = 0.5, tol: float = 1e-12
           ) -> tuple[dict[str, float], float, np.ndarray, int] | None:
    """Newton on all free parameters from ``p`` (the profile's optimum, or a subsample's),
    the threshold in units of ``span``: the last digits of the threshold, where the profile
    is flat, and the full natural-scale Hessian. Returns ``(params, loglik, hessian,
    iterations)``, None when it does not converge."""
    names = fam.param_names
    free = [i for i, q in enumerate(names) if q not in fixed]
    doms = [fam.domains[i] for i in free]
    sc = np.array([span if names[i] == "threshold" else 1.0 for i in free])
    last: dict[str, Any] = {}
    if fam.work_arrays and data.exact.size > 1 << 14:   # scratch arrays for every iteration
        e = data.exact
        blk = Block(e.x, e.w)
        blk.cached(WORK, lambda: np.empty((fam.work_arrays, e.size)))
        data = data.replace(exact=blk)

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
        res = newton(obj, eta0, maxiter=maxiter, max_step=max_step, tol=tol)
    if not (res.converged and math.isfinite(res.fun)):
        return None
    th = theta(res.x)
    if last.get("th") != th:
        with np.errstate(all="ignore"):
            ll, _, H = block_sums(fam, data, th, 2, free)
    else:
        ll, H = last["ll"], last["H"]
    return dict(zip(names, th)), float(ll), H, res.iterations


# ------------------------------------------------------------------------- the inner fit
def inner_fit(base: Family, data: Data, m: float, delta: float, fixed: dict[str, float],
               warm: dict[str, float] | None
               ) -> tuple[dict[str, float], float, str, int, bool] | None:
    """The base family's fit to ``x - (m - delta)``: ``(params, loglik, method, iterations,
    converged)``, by the fastest path the base has."""
    if not delta > 0 and getattr(base, "name", "") != "exponential":
        return None
    return inner_fit_shifted(base, shifted(data, m, delta), fixed, warm)


def inner_fit_shifted(base: Family, d: Data, fixed: dict[str, float],
                      warm: dict[str, float] | None, tol: float = PROFILE_TOL
                      ) -> tuple[dict[str, float], float, str, int, bool] | None:
    """:func:`inner_fit` of data already shifted; ``warm``: the last fit's parameters (the
    profile Newton of a base that has one starts from its profiled parameter, stopping at
    ``tol``: looser on a subsample that only brackets)."""
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
        prof = base.profile
        if (prof is not None and warm is not None and type(base)._fast_fit is Family._fast_fit
                and prof.profiled in warm and prof.profiled not in fixed):
            ff = prof.fit(d, fixed, k0=prof.k_of(warm[prof.profiled]), tol=tol)
        else:
            ff = base._fast_fit(d, fixed)
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
                return log_interval(fam, blk.x, blk.hi, t)
            if order == 0:
                ll += blk.wsum_of(f(th))
                continue
            der: Any = numeric_derivs(f, th, fam.domains, free, order)
        else:
            fn, dfn = {"exact": (fam._logpdf, fam._d_logpdf), "left": (fam._logcdf, fam._d_logcdf),
                       "right": (fam._logsf, fam._d_logsf)}[kind]
            # with scratch arrays lent (polish on all the data) the fused sums are the fast
            # way to the value as well
            lent = kind == "exact" and blk.cached(WORK, lambda: None) is not None
            if order == 0 and not lent:
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


def log_interval(fam: Family, lo: Any, hi: Any, th: Theta) -> Any:
    la, lb = fam._logcdf(lo, th, None), fam._logcdf(hi, th, None)
    sa, sb = fam._logsf(lo, th, None), fam._logsf(hi, th, None)
    use_sf = lb > _LOG_HALF
    return np.where(use_sf, sa + np.log1p(-np.exp(sb - sa)), lb + np.log1p(-np.exp(la - lb)))


