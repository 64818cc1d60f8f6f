"""Non-parametric estimates of the distribution function, to set a fit against.

- all values exact or right-censored: **Kaplan–Meier** (the plain ECDF when nothing is
  censored), with Greenwood's variance and log–log ("exponential Greenwood") bands;
- any left- or interval-censored value: **Turnbull's NPMLE** by the self-consistency (EM)
  algorithm on the innermost intervals.

Weights are frequency weights. Pure NumPy: no plotting here.

Conventions follow :mod:`mlekit._data.data`: a right-censored value ``c`` means ``X > c`` for a
continuous family and ``X >= c`` for a discrete one (a count still running at ``c`` may end at
``c``); an interval ``(lo, hi]`` is ``lo < X <= hi`` for continuous data and ``lo <= X <= hi``
for counts; left-censored ``c`` means ``X <= c``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

__all__ = ["Empirical", "empirical", "kaplan_meier", "turnbull"]

FloatArray = NDArray[np.float64]


@dataclass
class Empirical:
    """A non-parametric CDF estimate.

    ``kind`` is ``"ecdf"``, ``"kaplan-meier"`` or ``"turnbull"``. For the first two, ``x`` are
    the jump points and ``cdf`` the value just after each jump (right-continuous steps),
    ``lower``/``upper`` a pointwise band at ``level``. For Turnbull, ``left``/``right`` are the
    innermost intervals and ``mass`` their probabilities: the NPMLE is unique only up to how the
    mass spreads inside each interval, and is drawn as a straight line across it.
    """

    kind: str
    x: FloatArray
    cdf: FloatArray
    lower: FloatArray | None = None
    upper: FloatArray | None = None
    level: float = 0.95
    left: FloatArray | None = None
    right: FloatArray | None = None
    mass: FloatArray | None = None
    at_risk: FloatArray | None = None
    events: FloatArray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def sf(self) -> FloatArray:
        return 1.0 - self.cdf

    def __call__(self, t: Any) -> FloatArray:
        """The estimate F(t) (right-continuous; linear inside Turnbull intervals)."""
        t = np.asarray(t, dtype=float)
        if self.kind != "turnbull":
            idx = np.searchsorted(self.x, t, side="right") - 1
            return np.where(idx >= 0, self.cdf[np.clip(idx, 0, None)], 0.0)
        assert self.left is not None and self.right is not None and self.mass is not None
        out = np.zeros(t.shape)
        for lo, hi, m in zip(self.left, self.right, self.mass):
            if hi > lo and np.isfinite(lo) and np.isfinite(hi):
                out = out + m * np.clip((t - lo) / (hi - lo), 0.0, 1.0)
            else:
                out = out + m * (t >= hi)
        return np.clip(out, 0.0, 1.0)

    def before(self, t: Any) -> FloatArray:
        """The left limit F(t−)."""
        t = np.asarray(t, dtype=float)
        if self.kind == "turnbull":
            return self(np.nextafter(t, -np.inf))
        idx = np.searchsorted(self.x, t, side="left") - 1
        return np.where(idx >= 0, self.cdf[np.clip(idx, 0, None)], 0.0)

    def steps(self, lo: float, hi: float) -> tuple[FloatArray, FloatArray]:
        """Points (t, F) of the curve for drawing on ``[lo, hi]`` (steps post-jump)."""
        if self.kind != "turnbull":
            xs = np.concatenate([[lo], self.x[(self.x > lo) & (self.x < hi)], [hi]])
            return xs, self(xs)
        assert self.left is not None and self.right is not None
        knots = np.concatenate([self.left, self.right])
        knots = np.unique(knots[np.isfinite(knots) & (knots > lo) & (knots < hi)])
        xs = np.unique(np.concatenate([[lo, hi], knots, np.nextafter(knots, -np.inf)]))
        return xs, self(xs)


def empirical(data: Any, *, discrete: bool = False, level: float = 0.95) -> Empirical:
    """The right estimator for the data's censoring (see the module docstring)."""
    if data.left.size or data.interval_block.size:
        return turnbull(data, discrete=discrete)
    return kaplan_meier(data, discrete=discrete, level=level)


def _wts(blk: Any) -> FloatArray:
    return np.ones(blk.size) if blk.w is None else np.asarray(blk.w, dtype=float)


def kaplan_meier(data: Any, *, discrete: bool = False, level: float = 0.95) -> Empirical:
    """Kaplan–Meier from exact (events) and right-censored values, weighted.

    Deaths at a time come before censorings at the same time. Without censoring this is the
    ECDF. The band is pointwise, on the log(−log S) scale with Greenwood's variance.
    """
    if data.left.size or data.interval_block.size:
        raise ValueError("Kaplan–Meier needs exact and right-censored values only; use turnbull().")
    tx, tw = data.exact.x, _wts(data.exact)
    cx, cw = data.right.x, _wts(data.right)
    if discrete and cx.size:
        cx = cx - 1.0  # "at least c" survives c - 1 for sure
    times = np.unique(tx[tw > 0])
    d = np.bincount(np.searchsorted(times, tx), weights=tw, minlength=times.size)[: times.size]
    all_x = np.concatenate([tx, cx])
    all_w = np.concatenate([tw, cw])
    order = np.argsort(all_x, kind="stable")
    xs, ws = all_x[order], all_w[order]
    tail = np.concatenate([np.cumsum(ws[::-1])[::-1], [0.0]])
    n = tail[np.searchsorted(xs, times, side="left")]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n > 0, 1.0 - d / n, 1.0)
        S = np.cumprod(q)
        gw = np.cumsum(np.where(n > d, d / (n * (n - d)), np.inf))
        z = float(norm.ppf(0.5 + level / 2.0))
        logS = np.log(S)
        v = gw / logS**2
        c = np.log(-logS)
        lo_S = np.exp(-np.exp(c + z * np.sqrt(v)))
        hi_S = np.exp(-np.exp(c - z * np.sqrt(v)))
        lo_S = np.where(S > 0, np.where(np.isfinite(lo_S), lo_S, 0.0), 0.0)
        hi_S = np.where(S >= 1, 1.0, np.where(S > 0, np.where(np.isfinite(hi_S), hi_S, 1.0), 0.0))
    kind = "kaplan-meier" if cx.size else "ecdf"
    f64 = np.float64
    return Empirical(kind, times.astype(f64), (1.0 - S).astype(f64), lower=(1.0 - hi_S).astype(f64),
                     upper=(1.0 - lo_S).astype(f64), level=level, at_risk=np.asarray(n, dtype=f64),
                     events=np.asarray(d, dtype=f64))


# ---------------------------------------------------------------------------- Turnbull
def _observations(data: Any, discrete: bool) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray,
                                                      FloatArray]:
    """Rows as (lo, lo_open, hi, hi_open(=0), w): every row is an interval with a closed right end."""
    los, lopen, his, ws = [], [], [], []
    for kind, blk in data.blocks.items():
        if not blk.size:
            continue
        w = _wts(blk)
        if kind == "exact":
            lo, hi, op = blk.x, blk.x, np.zeros(blk.size)
        elif kind == "left":
            lo, hi, op = np.full(blk.size, -np.inf), blk.x, np.zeros(blk.size)
        elif kind == "right":
            lo, hi = blk.x, np.full(blk.size, np.inf)
            op = np.zeros(blk.size) if discrete else np.ones(blk.size)
        else:
            lo, hi = blk.x, blk.hi
            op = np.zeros(blk.size) if discrete else np.ones(blk.size)
            op = np.where(np.isneginf(lo), 0.0, op)
        los.append(lo)
        lopen.append(op)
        his.append(hi)
        ws.append(w)
    return (np.concatenate(los), np.concatenate(lopen), np.concatenate(his),
            np.zeros(sum(a.size for a in los)), np.concatenate(ws))


def turnbull(data: Any, *, discrete: bool = False, tol: float = 1e-10,
             maxiter: int = 20000) -> Empirical:
    """Turnbull's NPMLE of the CDF for arbitrarily censored (weighted) data."""
    lo, lopen, hi, _, w = _observations(data, discrete)
    keep = w > 0
    lo, lopen, hi, w = lo[keep], lopen[keep], hi[keep], w[keep]
    # collapse identical rows
    rows = np.stack([lo, lopen, hi], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    w = np.bincount(inv.ravel(), weights=w).astype(np.float64)
    lo, lopen, hi = uniq[:, 0], uniq[:, 1], uniq[:, 2]
    # endpoints ordered by (value, rank): closed left 0, closed right 1, open left 2
    ends = [(v, 2.0 if o else 0.0, 0) for v, o in zip(lo, lopen)] + [(v, 1.0, 1) for v in hi]
    ends.sort(key=lambda e: (e[0], e[1]))
    inner: list[tuple[float, float, float]] = []
    for a, b in itertools.pairwise(ends):
        if a[2] == 0 and b[2] == 1:
            inner.append((a[0], a[1], b[0]))
    L = np.array([t[0] for t in inner])
    Lrank = np.array([t[1] for t in inner])
    R = np.array([t[2] for t in inner])
    # alpha[i, j]: innermost interval j lies inside observation i
    left_ok = (lo[:, None] < L[None, :]) | ((lo[:, None] == L[None, :]) & (
        (lopen[:, None] * 2.0) <= Lrank[None, :]))
    right_ok = R[None, :] <= hi[:, None]
    alpha = (left_ok & right_ok).astype(float)
    W = float(w.sum())
    m = L.size
    p = np.full(m, 1.0 / m)
    it = 0
    for it in range(1, maxiter + 1):  # noqa: B007
        denom = alpha @ p
        p_new = p * (alpha.T @ (w / denom)) / W
        if np.max(np.abs(p_new - p)) < tol:
            p = p_new
            break
        p = p_new
    p = p / p.sum()
    # display ends: an open left end (lo, ...] starts just after lo
    order = np.argsort(R, kind="stable")
    L, R, p = L[order], R[order], p[order]
    disp_L = np.where(np.isfinite(L), L, R)
    cdf_at_R = np.cumsum(p)
    return Empirical("turnbull", R, cdf_at_R, left=disp_L, right=R, mass=p,
                     info={"iterations": it, "converged": it < maxiter})
