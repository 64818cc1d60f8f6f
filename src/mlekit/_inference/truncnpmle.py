"""Turnbull's NPMLE with a truncation window per row (Turnbull 1976, section 4).

Row ``i`` was seen only because its value fell in its window ``J_i`` (``Block.tlo``/``thi``:
late entry, two-sided windows) and says the value lies in ``I_i`` (a point, or a censoring
interval). The nonparametric likelihood ``prod_i P(I_i)^w_i / P(J_i)^w_i`` is maximised over
the masses of *cells*, the pieces of the line between consecutive end points of every ``I_i``
and ``J_i``, by the self-consistency (EM) iteration: each row counts its weight in ``I_i`` and,
as "ghost" rows, the weight it would have had outside ``J_i``:

    s_j <- s_j ( sum_{i: j in I_i} w_i / P(I_i) + sum_i w_i / P(J_i) - sum_{i: j in J_i} w_i / P(J_i) )

(normalised). Cells are the end points cut apart (Frydman 1994: window ends count as end points
too, else a cell can straddle a window's edge). The estimate is of the distribution given ``X``
in the union of the windows, and only when the windows *connect*: when two groups of rows have
windows that share no cell with mass, the data say nothing about how probable one group's range
is against the other's, and :class:`~mlekit.errors.DataError` says so.

End-point conventions as in :mod:`mlekit._inference.empirical`: for continuous data a window
``[a, b]`` holds ``a < X <= b`` (a unit is at risk after its entry; an exact value at its own
entry time counts as inside), a right-censored ``c`` is ``X > c``; counts are integers, a window
``[a, b]`` holds ``ceil(a) <= X <= floor(b)`` and "at least c" is ``X >= c`` (they are mapped
onto half-open intervals ``(l - 1, h]`` and run through the same code).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import DataError

__all__ = ["truncated_npmle", "window_range"]

FloatArray = NDArray[np.float64]


def _rows(data: Any, discrete: bool) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray,
                                               NDArray[np.bool_], FloatArray]:
    """Every row as a half-open ``(lo, hi]`` (exact: ``lo == hi``, a point), its window
    ``(a, b]`` and weight."""
    los, his, tas, tbs, ex, ws = [], [], [], [], [], []
    for kind, blk in data.blocks.items():
        if not blk.size:
            continue
        n = blk.size
        x = np.asarray(blk.x, dtype=float)
        if kind == "exact":
            lo, hi = x, x
        elif kind == "left":
            lo, hi = np.full(n, -np.inf), x
        elif kind == "right":
            lo, hi = (x - 1.0 if discrete else x), np.full(n, np.inf)
        else:
            lo, hi = (x - 1.0 if discrete else x), np.asarray(blk.hi, dtype=float)
        a = np.full(n, -np.inf) if blk.tlo is None else np.asarray(blk.tlo, dtype=float)
        b = np.full(n, np.inf) if blk.thi is None else np.asarray(blk.thi, dtype=float)
        if discrete:
            a, b = np.ceil(a) - 1.0, np.floor(b)
        if kind != "exact":     # a censored row reads inside its window ("X >= c" is c < X <= b)
            lo, hi = np.maximum(lo, a), np.minimum(hi, b)
        los.append(lo)
        his.append(hi)
        tas.append(a)
        tbs.append(b)
        ex.append(np.full(n, kind == "exact"))
        ws.append(np.ones(n) if blk.w is None else np.asarray(blk.w, dtype=float))
    cat = np.concatenate
    w = cat(ws)
    keep = w > 0
    return (cat(los)[keep], cat(his)[keep], cat(tas)[keep], cat(tbs)[keep], cat(ex)[keep],
            w[keep])


def _cells(lo: FloatArray, hi: FloatArray, a: FloatArray, b: FloatArray,
           exact: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, NDArray[np.bool_],
                                              NDArray[np.intp], NDArray[np.intp]]:
    """The cells between the sorted finite end points ``e``: ``(e[k-1], e[k]]`` for each ``k``
    (split into the open gap and the point ``{e[k]}`` where a row is exact at ``e[k]``), and
    ``(e[-1], inf)``. Returns the cells' left/right ends, whether each is a point, and per end
    point ``k`` the index of the first cell inside ``(e[k-1], e[k]]`` (``first``) and of the
    cell holding ``e[k]`` (``at``); ``first[K]`` is the last cell."""
    pts = np.concatenate([lo, hi, a, b])
    e = np.unique(pts[np.isfinite(pts)])
    K = e.size
    is_x = np.zeros(K, dtype=bool)
    is_x[np.searchsorted(e, lo[exact])] = True
    per = np.where(is_x, 2, 1)                        # cells ending at or before e[k]
    first = np.concatenate(([0], np.cumsum(per)))     # first[k]: first cell after e[k-1]
    at = first[1:] - 1                                 # the cell holding e[k]
    m = int(first[-1]) + 1
    left = np.empty(m)
    right = np.empty(m)
    point = np.zeros(m, dtype=bool)
    prev = np.concatenate(([-np.inf], e))
    left[first[:-1]] = prev[:-1]
    right[first[:-1]] = e
    left[at[is_x]] = e[is_x]
    right[at[is_x]] = e[is_x]
    point[at[is_x]] = True
    left[-1], right[-1] = (e[-1] if K else -np.inf), np.inf
    return left, right, point, first, at


def _range(l: FloatArray, h: FloatArray, e: FloatArray, first: NDArray[np.intp],
           at: NDArray[np.intp], m: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Cell index ranges ``[A, B]`` covered by the half-open intervals ``(l, h]``."""
    K = e.size
    kl = np.searchsorted(e, np.where(np.isfinite(l), l, 0.0))
    A = np.where(np.isfinite(l), first[np.minimum(kl + 1, K)], 0)
    kh = np.searchsorted(e, np.where(np.isfinite(h), h, 0.0))
    B = np.where(np.isfinite(h), at[np.minimum(kh, K - 1)], m - 1)
    return A.astype(np.intp), B.astype(np.intp)


def truncated_npmle(data: Any, *, discrete: bool = False, tol: float = 1e-10,
                    maxiter: int = 50_000) -> dict[str, Any]:
    """The NPMLE of data with per-row windows: ``left``, ``right`` (cells ``(left, right]``;
    closed integer ranges ``[left, right]`` for counts), ``mass``, ``left_open``,
    ``iterations``, ``converged``; only cells that can hold mass (inside some row's interval).
    ``DataError`` when the windows do not connect (see the module docstring)."""
    lo, hi, a, b, exact, w = _rows(data, discrete)
    if not w.size:
        raise DataError("no rows with positive weight to estimate a distribution from.")
    left, right, point, first, at = _cells(lo, hi, a, b, exact)
    pts = np.concatenate([lo, hi, a, b])
    e = np.unique(pts[np.isfinite(pts)])
    m = left.size
    A, B = _range(lo, hi, e, first, at, m)
    ke = np.searchsorted(e, np.where(exact, lo, 0.0))
    A = np.where(exact, at[np.minimum(ke, e.size - 1)], A)      # a point: its own cell
    C, D = _range(a, b, e, first, at, m)
    # an exact value at its own entry time: the window includes that point
    C = np.where(exact & (lo == a), A, C)
    rows = np.stack([A, B, C, D], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    w = np.bincount(inv.ravel(), weights=w).astype(np.float64)
    A, B, C, D = (uniq[:, i] for i in range(4))
    cover = np.zeros(m + 1)
    np.add.at(cover, A, 1.0)
    np.add.at(cover, B + 1, -1.0)
    support = np.cumsum(cover)[:m] > 0
    L, R = left.copy(), right.copy()
    if discrete:   # (l, h] of integers is [l + 1, h]; a gap before a point ends at point - 1
        gap = ~point & np.isfinite(R) & np.isin(R, lo[exact])
        L = np.where(point, L, L + 1.0)
        R = np.where(gap, R - 1.0, R)
        support &= L <= R                # a gap with no integer in it holds no mass
    _check_connected(np.flatnonzero(support), C, D)
    _check_bounded(support, A, B, C, D, w, left, right)
    mass = np.where(support, 1.0, 0.0)
    mass, it, converged = _squarem(_Step(A, B, C, D, w, m), mass / mass.sum(), tol, maxiter)
    return {"left": L[support], "right": R[support], "mass": mass[support],
            "left_open": (~point & np.isfinite(L) & (not discrete))[support],
            "iterations": it, "converged": converged}


class _Step:
    """One self-consistency update and the nonparametric log-likelihood, on cumulative sums
    (each row covers a run of cells), O(rows + cells)."""

    def __init__(self, A: Any, B: Any, C: Any, D: Any, w: FloatArray, m: int) -> None:
        self.A, self.B1, self.C, self.D1, self.w, self.m = A, B + 1, C, D + 1, w, m

    def probs(self, mass: FloatArray) -> tuple[FloatArray, FloatArray]:
        c = np.concatenate(([0.0], np.cumsum(mass)))
        return c[self.B1] - c[self.A], c[self.D1] - c[self.C]

    def loglik(self, mass: FloatArray) -> float:
        num, den = self.probs(mass)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(self.w * (np.log(num) - np.log(den))))

    def __call__(self, mass: FloatArray) -> FloatArray:
        num, den = self.probs(mass)
        r1 = np.where(num > 0, self.w / np.maximum(num, 1e-300), 0.0)
        r2 = np.where(den > 0, self.w / np.maximum(den, 1e-300), 0.0)
        n = self.m + 1
        acc = (np.bincount(self.A, r1, n) - np.bincount(self.B1, r1, n)
               - np.bincount(self.C, r2, n) + np.bincount(self.D1, r2, n))
        new = mass * (np.cumsum(acc)[:self.m] + r2.sum())
        return new / new.sum()


def _squarem(step: _Step, mass: FloatArray, tol: float, maxiter: int
             ) -> tuple[FloatArray, int, bool]:
    """The EM fixed point, accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3): two
    EM steps give a direction, an extrapolated point projected back onto the simplex, one EM
    step from it, kept when the log-likelihood does not drop (else the plain EM step).
    Converged when the masses move less than ``tol`` or the log-likelihood gains less than
    ``tol**1.2`` (relative) in a round: masses the estimate drives to zero decay only slowly
    (sublinearly) under EM, and change neither the likelihood nor the curve any more."""
    it = 0
    ll = step.loglik(mass)
    while it < maxiter:
        p1 = step(mass)
        p2 = step(p1)
        it += 2
        r = p1 - mass
        v = p2 - p1 - r
        nv = float(np.sqrt(v @ v))
        alpha = min(-float(np.sqrt(r @ r)) / nv if nv > 0 else -1.0, -1.0)
        nxt, ll_n = p2, step.loglik(p2)
        cand = np.where(mass > 0, np.maximum(mass - 2.0 * alpha * r + alpha * alpha * v, 0.0),
                        0.0)
        tot = cand.sum()
        if alpha < -1.0 and tot > 0 and np.all(np.isfinite(cand)):
            cand = step(cand / tot)
            it += 1
            ll_c = step.loglik(cand)
            if ll_c >= ll_n:
                nxt, ll_n = cand, ll_c
        gain = ll_n - ll
        if (np.max(np.abs(nxt - mass)) < tol
                or gain < tol ** 1.2 * max(1.0, abs(ll_n))):
            return nxt, it, True
        mass, ll = nxt, ll_n
    return mass, it, False


def _check_connected(support: NDArray[np.intp], C: NDArray[np.intp], D: NDArray[np.intp]) -> None:
    """Windows must chain through cells that can hold mass: else how probable one group's
    range is against another's is not determined by the data."""
    lo = np.searchsorted(support, C, side="left")
    hi = np.searchsorted(support, D, side="right") - 1
    order = np.argsort(lo, kind="stable")
    reach = -1
    parts = 0
    for s, t in zip(lo[order], hi[order]):
        if s > reach:
            parts += 1
        reach = max(reach, int(t))
    if parts > 1:
        raise DataError(
            "no nonparametric estimate of the distribution is defined for these data: the rows' "
            f"truncation windows fall into {parts} groups that share no observed range, so the "
            "data do not say how probable one group's range is against another's. Hint: compare "
            "models with mk.compare or mk.lr_test, or fit the groups separately (by=).")


def _check_bounded(support: NDArray[np.bool_], A: Any, B: Any, C: Any, D: Any, w: FloatArray,
                   left: FloatArray, right: FloatArray) -> None:
    """A cell with mass that lies in no window except those of rows whose values it may hold
    costs no row anything: the likelihood grows without bound as it takes all the mass (its
    supremum is no distribution). The data then do not determine an estimate."""
    m = support.size
    pen = (np.bincount(C, w, m + 1) - np.bincount(D + 1, w, m + 1)
           - np.bincount(A, w, m + 1) + np.bincount(B + 1, w, m + 1))
    free = support & (np.cumsum(pen)[:m] <= 1e-9 * float(w.sum()))
    if free.any():
        j = int(np.flatnonzero(free)[0])
        raise DataError(
            "no nonparametric estimate of the distribution exists for these data: every row "
            f"whose truncation window covers ({left[j]:g}, {right[j]:g}] may have its value "
            "there, so the nonparametric likelihood keeps growing as all the probability moves "
            "there (a range no other row's window rules out). Hint: rows with early entry and "
            "left-censoring cause this; compare models with mk.compare or mk.lr_test.")


def window_range(data: Any) -> tuple[float, float]:
    """The union of the rows' windows ``(min a_i, max b_i)``: what the NPMLE estimates the
    distribution on (a row without a window: the whole line)."""
    lo, hi = math.inf, -math.inf
    for blk in data.blocks.values():
        if not blk.size:
            continue
        a = np.full(1, -np.inf) if blk.tlo is None else blk.tlo
        b = np.full(1, np.inf) if blk.thi is None else blk.thi
        lo, hi = min(lo, float(np.min(a))), max(hi, float(np.max(b)))
    return lo, hi
