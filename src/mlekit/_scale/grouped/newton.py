"""Newton for all groups at once: per-group directions and a line search, the batched twin
of :func:`mlekit._core.optimize.newton` (groups leave the batch as they converge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from .layout import Problem

__all__ = ["batched_newton", "directions"]

IntArray = NDArray[np.intp]


# ---------------------------------------------------------------------------- directions
def directions(g: NDArray[np.float64], H: NDArray[np.float64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Per-group ascent directions, Newton decrements and positive-definiteness of ``-H``
    (the batched twin of ``_optimize._direction``)."""
    k = g.shape[1]
    A = -H
    step = np.empty_like(g)
    fin: NDArray[np.bool_] = np.logical_and(np.isfinite(A).all(axis=(1, 2)), np.isfinite(g).all(axis=1))
    with np.errstate(all="ignore"):
        if k == 1:
            a = A[:, 0, 0]
            pd = fin & (a > 0)
            step[:, 0] = g[:, 0] / a
        elif k == 2:
            a, b, c = A[:, 0, 0], A[:, 0, 1], A[:, 1, 1]
            det = a * c - b * b
            pd = fin & (a > 0) & (det > 0)
            step[:, 0] = (c * g[:, 0] - b * g[:, 1]) / det
            step[:, 1] = (a * g[:, 1] - b * g[:, 0]) / det
        else:
            pd = fin.copy()
            if fin.any():
                ev = np.linalg.eigvalsh(A[fin])
                pd[fin] = ev[:, 0] > 0
            if pd.any():
                step[pd] = np.linalg.solve(A[pd], g[pd][:, :, None])[:, :, 0]
    bad = ~pd
    if bad.any():
        idx = np.flatnonzero(bad)
        ok = fin[idx]
        step[idx[~ok]] = g[idx[~ok]]
        if ok.any():
            w, V = np.linalg.eigh(A[idx[ok]])
            scale = np.maximum(np.abs(w).max(axis=1), 1e-12)
            w = np.maximum(np.abs(w), 1e-6 * scale[:, None])
            proj = np.einsum("gji,gj->gi", V, g[idx[ok]]) / w
            step[idx[ok]] = np.einsum("gij,gj->gi", V, proj)
    dec = np.einsum("gi,gi->g", g, step)
    return step, dec, pd


# ---------------------------------------------------------------------------- Newton
def batched_newton(prob: Problem, idx: IntArray, eta0: NDArray[np.float64], maxiter: int,
                   tol: float = 1e-12, max_step: float = 4.0,
                   units: NDArray[np.float64] | None = None,
                   stop: Any = None) -> dict[str, Any]:
    """Newton with a per-group line search for the groups ``idx`` (sorted) from ``eta0``.

    Each group follows the same rules as :func:`mlekit._core.optimize.newton`; groups leave the
    batch as they converge (or fail), and the working layout shrinks with them. ``stop(TH)``
    (per group: natural parameters in, bool out; the family's ``_beyond_limit``), asked at the
    start and after every step, ends a group's run there (``"stopped"``, not converged).
    """
    G = eta0.shape[0]
    eta = eta0.copy()
    ll, ge, He, TH, g, H = prob.on_eta(idx, eta, 2)
    it = np.zeros(G, dtype=np.intp)
    done = np.zeros(G, dtype=bool)
    conv = np.zeros(G, dtype=bool)
    msg = np.full(G, "", dtype=object)
    bad = ~np.isfinite(ll)
    done[bad] = True
    msg[bad] = "the log-likelihood is not finite at the starting values"
    STOPPED = "stopped where the likelihood's supremum lies beyond, at a limit of the parameters"

    def halt(rows: IntArray) -> None:
        if stop is None or rows.size == 0:
            return
        with np.errstate(all="ignore"):
            hit = np.asarray(stop(tuple(TH[rows].T)), dtype=bool) & ~done[rows]
        done[rows[hit]] = True
        msg[rows[hit]] = STOPPED
    halt(np.arange(G))
    prob.set_active(idx)
    for _ in range(maxiter + 1):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        nf = ~(np.isfinite(ge[act]).all(axis=1) & np.isfinite(He[act]).all(axis=(1, 2)))
        if nf.any():
            done[act[nf]] = True
            msg[act[nf]] = "non-finite gradient or Hessian"
            act = act[~nf]
        step, dec, pd = directions(ge[act], He[act])
        ok = pd & (dec <= tol)
        done[act[ok]] = conv[act[ok]] = True
        msg[act[ok]] = "converged"
        over = ~ok & (it[act] >= maxiter)
        done[act[over]] = True
        msg[act[over]] = f"no convergence after {maxiter} iterations"
        keep = ~ok & ~over
        act, step, dec, pd = act[keep], step[keep], dec[keep], pd[keep]
        if act.size == 0:
            break
        prob.set_active(idx[act])
        size = np.abs(step if units is None else step / units[act]).max(axis=1)
        big = size > max_step
        step[big] *= (max_step / size[big])[:, None]
        slope = np.einsum("gi,gi->g", ge[act], step)
        t = np.ones(act.size)
        pending = np.arange(act.size)
        while pending.size:
            a = act[pending]
            trial = eta[a] + t[pending, None] * step[pending]
            r = prob.on_eta(idx[a], trial, 2)
            fn = r[0]
            f0 = ll[a]
            fin = np.isfinite(fn)
            accept = fin & ((fn >= f0 + 1e-4 * t[pending] * slope[pending])
                            | ((fn >= f0 - 1e-13 * (1 + np.abs(f0))) & (dec[pending] < 1e-6)))
            if accept.any():
                s = a[accept]
                eta[s] = trial[accept]
                ll[s], ge[s], He[s] = fn[accept], r[1][accept], r[2][accept]
                TH[s], g[s], H[s] = r[3][accept], r[4][accept], r[5][accept]
                it[s] += 1
                halt(s)
            rej = pending[~accept]
            t[rej] *= np.where(fin[~accept], 0.5, 0.25)
            fail = t[rej] <= 1e-12
            if fail.any():
                fr = rej[fail]
                s = act[fr]
                c = pd[fr] & (dec[fr] < 1e-7)
                done[s] = True
                conv[s] = c
                it[s] += 1
                msg[s] = np.where(c, "converged (no further improvement is possible in floating "
                                  "point)", "the line search failed to increase the log-likelihood")
            pending = rej[~fail]
    return {"eta": eta, "ll": ll, "TH": TH, "g": g, "H": H, "iterations": it,
            "converged": conv, "message": msg, "stopped": msg == STOPPED}


