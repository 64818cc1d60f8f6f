"""Non-parametric estimates of the distribution function, to set a fit against.

- all values exact or right-censored: **Kaplan–Meier** (the plain ECDF when nothing is
  censored), with Greenwood's variance and log–log ("exponential Greenwood") bands;
- any left- or interval-censored value: **Turnbull's NPMLE** by the self-consistency (EM)
  algorithm on the innermost intervals;
- per-row truncation windows: late entry of exact and right-censored values takes the
  product-limit estimate with a risk set; any other windows (upper bounds per row, left- or
  interval-censored rows) Turnbull's truncated self-consistency (:mod:`.truncnpmle`).

Weights are frequency weights. Pure NumPy: no plotting here. The same estimates serve the
plots, the web explorer and the goodness-of-fit statistics (:mod:`mlekit._api.gof`).

Conventions follow :mod:`mlekit._data.data`: a right-censored value ``c`` means ``X > c`` for a
continuous family and ``X >= c`` for a discrete one (a count still running at ``c`` may end at
``c``); an interval ``(lo, hi]`` is ``lo < X <= hi`` for continuous data and ``lo <= X <= hi``
for counts; left-censored ``c`` means ``X <= c``. So for continuous data an exact value at a
bin edge ``c`` and the bin ``(c, d]`` do not overlap, and binned data get one innermost
interval per bin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from ..errors import DataError

__all__ = ["Empirical", "empirical", "kaplan_meier", "turnbull"]

FloatArray = NDArray[np.float64]


@dataclass
class Empirical:
    """A non-parametric CDF estimate.

    ``kind`` is ``"ecdf"``, ``"kaplan-meier"`` or ``"turnbull"``. For the first two, ``x`` are
    the jump points and ``cdf`` the value just after each jump (right-continuous steps),
    ``lower``/``upper`` a pointwise band at ``level``; ``info["end"]``: the largest time
    observed (the estimate is unknown beyond it), or ``inf`` when it reaches F = 1. For
    Turnbull, ``left``/``right`` are the innermost intervals (``left`` may be ``-inf``;
    ``info["left_open"]`` marks the intervals ``(left, right]`` that exclude their left end)
    and ``mass`` their probabilities: the NPMLE is unique only up to how the mass spreads
    inside each interval, and is drawn as a straight line across it.
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
    if data.left.size or data.interval_block.size or not product_limit_ok(data):
        return turnbull(data, discrete=discrete)
    return kaplan_meier(data, discrete=discrete, level=level)


_NO_ESTIMATE = ("the product-limit (Kaplan–Meier) estimate with a risk set takes late entry "
                "(lower bounds per row) of exact and right-censored values; got per-row upper "
                "bounds. Hint: turnbull(data) estimates with any per-row windows.")


def product_limit_ok(data: Any) -> bool:
    """Exact and right-censored rows whose windows (if any) are lower bounds only (late
    entry): the Kaplan–Meier estimate with a risk set applies."""
    if data.left.size or data.interval_block.size:
        return False
    return not any(b.thi is not None and np.isfinite(b.thi).any()
                   for b in (data.exact, data.right) if b.size)


def late_entries(data: Any) -> FloatArray | None:
    """Per row (exact rows, then right-censored ones) the entry time of data with per-row
    lower truncation windows (``-inf``: at risk from the start); ``None`` without windows.
    Per-row upper windows have no product-limit estimate: ``DataError``."""
    blocks = (data.exact, data.right)
    if not any(b.tlo is not None for b in blocks if b.size):
        return None
    if any(b.thi is not None and np.isfinite(b.thi).any() for b in blocks if b.size):
        raise DataError(_NO_ESTIMATE)
    return np.concatenate([np.full(b.size, -np.inf) if b.tlo is None else b.tlo
                           for b in blocks])


def _wts(blk: Any) -> FloatArray:
    return np.ones(blk.size) if blk.w is None else np.asarray(blk.w, dtype=float)


def kaplan_meier(data: Any, *, discrete: bool = False, level: float = 0.95) -> Empirical:
    """Kaplan–Meier from exact (events) and right-censored values, weighted.

    Deaths at a time come before censorings at the same time. Without censoring this is the
    ECDF. The band is pointwise, on the log(−log S) scale with Greenwood's variance. Late entry
    (per-row lower truncation windows): a row is at risk only after its entry (the product-limit
    estimator with a risk set, which estimates the distribution given ``X > min(entry)``).
    """
    if data.left.size or data.interval_block.size:
        raise ValueError("Kaplan–Meier needs exact and right-censored values only; use turnbull().")
    entries = late_entries(data)
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
    if entries is not None:   # rows that have not entered yet at t leave the risk set
        eo = np.argsort(entries, kind="stable")
        es, ew = entries[eo], all_w[eo]
        etail = np.concatenate([np.cumsum(ew[::-1])[::-1], [0.0]])
        n = n - etail[np.searchsorted(es, times, side="right" if discrete else "left")]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n > 0, 1.0 - d / n, 1.0)
        S = np.cumprod(q)
        S = np.where(S <= 1e-12, 0.0, S)      # every unit failed (up to rounding of weights)
        gw = np.cumsum(np.where(n > d, d / (n * (n - d)), np.inf))
        z = float(norm.ppf(0.5 + level / 2.0))
        logS = np.log(S)
        v = gw / logS**2
        c = np.log(-logS)
        lo_S = np.exp(-np.exp(c + z * np.sqrt(v)))
        hi_S = np.exp(-np.exp(c - z * np.sqrt(v)))
        lo_S = np.where(S > 0, np.where(np.isfinite(lo_S), lo_S, 0.0), 0.0)
        hi_S = np.where(S >= 1, 1.0, np.where(S > 0, np.where(np.isfinite(hi_S), hi_S, 1.0), 0.0))
    kind = "kaplan-meier" if cx.size or entries is not None else "ecdf"
    f64 = np.float64
    end = np.inf if (S.size and S[-1] == 0.0) or not xs.size else float(xs[-1])
    return Empirical(kind, times.astype(f64), (1.0 - S).astype(f64), lower=(1.0 - hi_S).astype(f64),
                     upper=(1.0 - lo_S).astype(f64), level=level, at_risk=np.asarray(n, dtype=f64),
                     events=np.asarray(d, dtype=f64), info={"end": end})


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
    """Turnbull's NPMLE of the CDF for arbitrarily censored (weighted) data; with per-row
    truncation windows, Turnbull's truncated self-consistency (:mod:`.truncnpmle`), which
    estimates the distribution given ``X`` in the union of the windows."""
    if getattr(data, "row_truncated", False):
        from .truncnpmle import truncated_npmle

        r = truncated_npmle(data, discrete=discrete, tol=tol, maxiter=max(maxiter, 50_000))
        return Empirical("turnbull", r["right"], np.cumsum(r["mass"]), left=r["left"],
                         right=r["right"], mass=r["mass"],
                         info={"iterations": r["iterations"], "converged": r["converged"],
                               "left_open": r["left_open"], "truncated": True})
    lo, lopen, hi, _, w = _observations(data, discrete)
    q, q_open, p, mass, it = npmle(lo, lopen > 0, hi, w, tol=tol, maxiter=maxiter)
    return Empirical("turnbull", p, np.cumsum(mass), left=q, right=p, mass=mass,
                     info={"iterations": it, "converged": it < maxiter, "left_open": q_open})


def npmle(lo: FloatArray, lo_open: NDArray[np.bool_], hi: FloatArray, w: FloatArray, *,
          tol: float = 1e-10, maxiter: int = 20000
          ) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray, int]:
    """Turnbull's NPMLE for rows ``lo < X <= hi`` (``lo_open``) or ``lo <= X <= hi``, weighted:
    ``(q, q_open, p, mass, iterations)``, the innermost intervals sorted, and their masses.

    The self-consistency (EM) iteration works on cumulative sums (each row covers a run of
    innermost intervals), so a step costs O(rows + intervals)."""
    keep = w > 0
    rows = np.stack([lo[keep], lo_open[keep].astype(float), hi[keep]], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)   # identical rows once
    w = np.bincount(inv.ravel(), weights=w[keep]).astype(np.float64)
    lo, lo_open, hi = uniq[:, 0], uniq[:, 1] > 0, uniq[:, 2]
    # endpoints in order; at one value: a closed left end, then right ends, then open left ends
    ends = np.concatenate([lo, hi])
    rank = np.concatenate([np.where(lo_open, 2, 0), np.ones(hi.size, dtype=np.int64)])
    order = np.lexsort((rank, ends))
    e, r = ends[order], rank[order]
    is_right = r == 1
    start = np.flatnonzero(~is_right[:-1] & is_right[1:])   # a left end right before a right end
    q, q_open, p = e[start], r[start] == 2, e[start + 1]
    m = q.size
    # each row covers the innermost intervals a..b: from the first one starting at or after its
    # left end (an open end (lo, ...] skips the point [lo, lo]) to the last ending by hi
    a = np.searchsorted(q, lo, side="left")
    skip = lo_open & (a < m)
    skip[skip] = (q[a[skip]] == lo[skip]) & ~q_open[a[skip]]
    a = a + skip
    b = np.searchsorted(p, hi, side="right") - 1
    W = float(w.sum())
    mass = np.full(m, 1.0 / m)
    it = 0
    for it in range(1, maxiter + 1):  # noqa: B007
        c = np.concatenate(([0.0], np.cumsum(mass)))
        den = c[b + 1] - c[a]
        ratio = np.where(den > 0, w / np.maximum(den, 1e-300), 0.0)
        acc = np.zeros(m + 1)
        np.add.at(acc, a, ratio)
        np.add.at(acc, b + 1, -ratio)
        new = mass * np.cumsum(acc)[:m] / W
        new /= new.sum()
        if np.max(np.abs(new - mass)) < tol:
            mass = new
            break
        mass = new
    return q, q_open, p, mass, it
