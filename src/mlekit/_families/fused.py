"""Fused Newton for two-parameter families without a closed form (Cauchy, log-logistic, Lomax).

The generic Newton (:mod:`mlekit._fit.newton`) serves any family, data shape and fixed value;
on plain exact data it spends most of a small fit on bookkeeping (starting sets, domain
transforms, the likelihood's block dispatch). Here a family gives a *kernel*: the handful of
weighted sums its log-likelihood, score and Hessian need, computed in one pass with no
per-observation derivative arrays kept, and a driver iterates on floats:

- :func:`newton2`: Newton with a backtracking line search in two parameters; it gives up
  (``None``) at the first sign of trouble — a Hessian that is not negative definite, a line
  search that fails, no convergence in ``maxiter`` steps — and the generic Newton (with its
  fall-back starts, polish and boundary diagnostics) then decides, exactly as before;
- :func:`block_sums`: the kernel over one exact block, by chunks of ``CHUNK_ROWS`` rows
  (added in order by :func:`~mlekit._core.engine.map_reduce`) when the block is large.

A family declares the path through its ``_fast_fit`` hook (see ``Cauchy``, ``LogLogistic``,
``Lomax``); :func:`exact_block` says when the data suit it: exact rows only, untruncated,
no parameter held fixed, 8 to ``MAX_ROWS`` rows. The stopping rule is the generic Newton's
(Newton decrement ``g' (-H)^-1 g <= 1e-12``), so the optimum is as tight as before, and the
log-likelihood, score and Hessian returned are those at the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core.engine import CHUNK_ROWS, map_reduce
from .._data.data import Block, Data, fdot
from .stats import FastFit, newton_1d, quartiles

__all__ = ["exact_block", "block_sums", "newton2", "TOL", "quartiles", "cauchy_fit",
           "loglogistic_fit", "lomax_fit"]

# the generic Newton's stopping rule: the decrement (twice the predicted gain) below 1e-12
TOL = 1e-12
Sums = tuple[float, ...]


# the fused path is a latency path: above this many rows the per-row passes dominate either
# way, and the generic Newton keeps an in-memory fit identical to the chunked backends' (Dask,
# streams: the same iterations on the same sums, equal to ~1e-10; tests/test_dask.py)
MAX_ROWS = 1 << 16


def exact_block(data: Data, fixed: dict[str, float], min_rows: int = 8) -> Block | None:
    """The exact block when the data are exact rows only, untruncated, with nothing fixed
    and between ``min_rows`` (tiny samples keep the generic path's fall-back starts) and
    ``MAX_ROWS`` rows."""
    if fixed or not data.only_exact or data.is_truncated:
        return None
    blk = data.exact
    return blk if min_rows <= blk.size <= MAX_ROWS else None


def block_sums(kernel: Callable[..., Sums], arrays: tuple[Any, ...], n: int
               ) -> Callable[..., Sums]:
    """``f(*params)``: ``kernel(*arrays, *params)`` summed over chunks of ``CHUNK_ROWS`` rows
    (one call when ``n`` fits in one chunk; ``None`` arrays, e.g. no weights, pass as they
    are)."""
    if n <= CHUNK_ROWS:
        return lambda *p: kernel(*arrays, *p)
    slices = [slice(i, i + CHUNK_ROWS) for i in range(0, n, CHUNK_ROWS)]

    def f(*p: float) -> Sums:
        return map_reduce(lambda sl: kernel(*(a if a is None else a[sl] for a in arrays), *p),
                          slices)
    return f


def newton2(evaluate: Callable[[float, float], Sums], th0: tuple[float, float], *,
            feasible: Callable[[float, float], bool] = lambda a, b: True,
            tol: float = TOL, maxiter: int = 50
            ) -> tuple[tuple[float, float], Sums, int] | None:
    """Maximise a log-likelihood of two parameters from ``th0``.

    ``evaluate(a, b) -> (ll, g_a, g_b, h_aa, h_ab, h_bb)``. Returns the estimate, the values
    there and the number of steps, or ``None`` when Newton is not clearly on its way to a
    regular maximum (the caller then takes the generic path)."""
    a, b = th0
    if not feasible(a, b):
        return None
    cur = evaluate(a, b)
    for it in range(maxiter + 1):
        ll, g0, g1, haa, hab, hbb = cur
        if not all(map(math.isfinite, cur)):
            return None
        A, B, D = -haa, -hab, -hbb
        det = A * D - B * B
        if not (A > 0 and det > 0):
            return None
        s0 = (D * g0 - B * g1) / det
        s1 = (A * g1 - B * g0) / det
        dec = g0 * s0 + g1 * s1
        if dec <= tol:
            return (a, b), cur, it
        if it == maxiter:
            return None
        t = 1.0
        while True:
            an, bn = a + t * s0, b + t * s1
            if feasible(an, bn):
                new = evaluate(an, bn)
                fn = new[0]
                if math.isfinite(fn) and (fn >= ll + 1e-4 * t * dec
                                          or (fn >= ll - 1e-13 * (1 + abs(ll)) and dec < 1e-6)):
                    break
            t *= 0.5
            if t < 1e-10:
                # no ascent left in floating point: converged if the decrement says so
                return ((a, b), cur, it) if dec < 1e-7 else None
        a, b, cur = an, bn, new
    return None


def _fdot(a: Any, b: Any) -> float:
    return float(fdot(a, b))


def _finish(params: dict[str, float], method: str, it: int, ll: float, g: tuple[float, float],
            H: list[list[float]]) -> FastFit:
    return FastFit(params, method, it, True, ll, np.array(H, dtype=float),
                   grad_norm=max(abs(g[0]), abs(g[1])))


def _far(start: float, value: float) -> bool:
    """A positive parameter that moved more than e^16 from its data-driven start (the generic
    Newton calls that running off to a boundary): leave such a fit to it."""
    return not (value > 0 and abs(math.log(value / start)) <= 16.0)


# ------------------------------------------------------------------------------------ Cauchy
def _cauchy_kernel(x: Any, w: Any, m: float, s: float) -> Sums:
    """``W, Σ log(1+z²), Σ d, Σ d², Σ z d, Σ z d²`` with ``z = (x-m)/s``, ``d = 1/(1+z²)``."""
    z = np.subtract(x, m)
    z *= 1.0 / s
    z2 = z * z
    SL = np.log1p(z2)
    d = np.add(z2, 1.0, out=z2)
    np.divide(1.0, d, out=d)
    if w is None:
        SLs = float(SL.sum())
        Sd, Sd2, Szd = float(d.sum()), _fdot(d, d), _fdot(z, d)
        np.multiply(z, d, out=z)
        return float(x.size), SLs, Sd, Sd2, Szd, _fdot(z, d)
    wd = w * d
    SLs = _fdot(w, SL)
    Sd, Sd2, Szd = float(wd.sum()), _fdot(wd, d), _fdot(wd, z)
    np.multiply(z, d, out=z)
    return float(w.sum()), SLs, Sd, Sd2, Szd, _fdot(wd, z)


def cauchy_fit(blk: Block, start: Callable[[], dict[str, float]]) -> FastFit | None:
    """Cauchy (loc, scale) on exact rows: Newton on the fused sums from the median and half
    the interquartile range (``start`` for weighted rows). For n >= 3 with at most half the
    values tied the stationary point of the joint likelihood is unique and a maximum (Copas
    1975, Biometrika 62: 701-704), so one converged run with a negative definite Hessian is
    the MLE: no other starts."""
    x, w = blk.x, blk.w
    if w is None:
        q1, m0, q3 = quartiles(x)
        s0 = 0.5 * (q3 - q1)
    else:
        st0 = start()
        m0, s0 = float(st0["loc"]), float(st0["scale"])
    if not (math.isfinite(m0) and math.isfinite(s0) and s0 > 0):
        return None
    sums = block_sums(_cauchy_kernel, (x, w), blk.size)
    lpi = math.log(math.pi)

    def natural(m: float, s: float) -> Sums:
        W, SL, Sd, Sd2, Szd, Szd2 = sums(m, s)
        s2 = s * s
        return (-W * (lpi + math.log(s)) - SL, 2.0 * Szd / s, (W - 2.0 * Sd) / s,
                -2.0 * (2.0 * Sd2 - Sd) / s2, -4.0 * Szd2 / s2, (4.0 * Sd2 - 2.0 * Sd - W) / s2)

    def evaluate(m: float, t: float) -> Sums:   # in (loc, log scale): fewer steps
        s = math.exp(t)
        ll, gm, gs, hmm, hms, hss = memo[m, t] = natural(m, s)
        return ll, gm, s * gs, hmm, s * hms, s * s * hss + s * gs

    memo: dict[tuple[float, float], Sums] = {}
    out = newton2(evaluate, (m0, math.log(s0)))
    if out is None:
        return None
    (m, t), _, it = out
    s = math.exp(t)
    ll, gm, gs, hmm, hms, hss = memo[m, t]
    if _far(s0, s) or abs(m - m0) > 1e6 * s0:
        return None
    return _finish({"loc": m, "scale": s}, "newton", it, ll, (gm, gs),
                   [[hmm, hms], [hms, hss]])


# ------------------------------------------------------------------------------ log-logistic
def _loglogistic_kernel(y: Any, w: Any, b: float, c: float) -> Sums:
    """With ``z = b y - c`` (``y`` = log x, centred), ``t = tanh(z/2)`` and ``a = |z|/2``:
    ``Σ a, Σ log1p(e^{-2a}), Σ t, Σ t y, Σ t², Σ t² y, Σ t² y²``."""
    h = np.multiply(y, 0.5 * b)
    h -= 0.5 * c
    t = np.tanh(h)
    a = np.abs(h, out=h)
    e = np.multiply(a, -2.0)
    np.exp(e, out=e)
    L = np.log1p(e, out=e)
    if w is not None:
        wt = w * t
        Sa, SL, St, Sty = _fdot(w, a), _fdot(w, L), float(wt.sum()), _fdot(wt, y)
        t2y = np.multiply(wt, t, out=wt)
    else:
        Sa, SL, St, Sty = float(a.sum()), float(L.sum()), float(t.sum()), _fdot(t, y)
        t2y = np.multiply(t, t, out=t)
    St2 = float(t2y.sum())
    np.multiply(t2y, y, out=t2y)
    return Sa, SL, St, Sty, St2, float(t2y.sum()), _fdot(t2y, y)


def loglogistic_fit(blk: Block, logx: Any) -> FastFit | None:
    """Log-logistic (shape, scale) on exact rows. ``y = log x`` is logistic with scale
    ``1/shape``; in ``(b, c) = (shape, shape (log scale - m))``, ``m`` the median of ``y``, the
    log-likelihood ``W log b + Σ g(b y' - c) - Σ y`` (``y' = y - m``, ``g`` the standard
    logistic log density) is strictly concave: Newton from the median and interquartile range
    of ``y`` reaches the unique maximum."""
    x, w = blk.x, blk.w
    if w is None:
        q1, m0, q3 = quartiles(logx)
    else:
        from .stats import wquantile
        q1, m0, q3 = (float(wquantile(logx, w, q)) for q in (0.25, 0.5, 0.75))
    if not (math.isfinite(m0) and q3 > q1):
        return None
    b0 = 2.0 * math.log(3.0) / (q3 - q1)
    y = logx - m0
    if w is None:
        W, Sy, Sy2 = float(x.size), float(y.sum()), _fdot(y, y)
    else:
        W, Sy = float(w.sum()), _fdot(w, y)
        Sy2 = _fdot(w * y, y)
    Slog = blk.cached("sum_log_x", lambda: _fdot(logx, w) if w is not None else float(logx.sum()))
    sums = block_sums(_loglogistic_kernel, (y, w), blk.size)

    def evaluate(b: float, c: float) -> Sums:
        Sa, SL, St, Sty, St2, St2y, St2y2 = sums(b, c)
        return (W * math.log(b) - 2.0 * (Sa + SL) - Slog, W / b - Sty, St,
                -W / (b * b) - 0.5 * (Sy2 - St2y2), 0.5 * (Sy - St2y), -0.5 * (W - St2))

    out = newton2(evaluate, (b0, 0.0), feasible=lambda b, c: b > 0)
    if out is None:
        return None
    (k, c), (ll, gb, gc, hbb, hbc, hcc), it = out
    mu = c / k                      # log scale - m
    lam = math.exp(m0 + mu)
    if _far(b0, k) or not (0 < lam < math.inf):
        return None
    # (b, c) = (k, k (log lam - m)): chain rule to (shape, scale)
    r = k / lam
    g = (gb + mu * gc, r * gc)
    hkk = hbb + 2.0 * mu * hbc + mu * mu * hcc
    hkl = r * (hbc + mu * hcc) + gc / lam
    hll = r * r * hcc - gc * k / (lam * lam)
    return _finish({"shape": k, "scale": lam}, "newton", it, ll, g, [[hkk, hkl], [hkl, hll]])


# ------------------------------------------------------------------------------------- Lomax
def _lomax_kernel(x: Any, w: Any, lam: float) -> Sums:
    """``Σ log1p(r), Σ p, Σ p²`` with ``r = x/λ``, ``p = r/(1+r)``."""
    r = np.multiply(x, 1.0 / lam)
    L = np.log1p(r)
    p = np.add(r, 1.0)
    np.divide(r, p, out=p)
    if w is None:
        return float(L.sum()), float(p.sum()), _fdot(p, p)
    wp = w * p
    return _fdot(w, L), float(wp.sum()), _fdot(wp, p)


def lomax_fit(blk: Block) -> FastFit | None:
    """Lomax (shape, scale) on exact rows: the shape is closed form given the scale,
    ``shape = W / Σ w log(1 + x/scale)``; Newton on the profile in ``log scale``.

    With ``L = Σ log(1+x/λ)``, ``A = Σ p``, ``B = Σ p(1-p)``, ``p = x/(λ+x)``, the profile
    ``W log(W/L) - W log λ - W - L`` has slope ``W A/L - W + A`` and curvature
    ``W (A² - B L)/L² - B`` in ``log λ``. When the sample's coefficient of variation is at
    most 1 the likelihood rises towards the exponential limit (no interior maximum); a
    stationary point whose profile lies below that limit is not the MLE either: both go to
    the generic path, which reports the boundary."""
    x, w = blk.x, blk.w
    if w is None:
        W, Sx = float(x.size), blk.x_sum()
        m = Sx / W
        dev = x - m
        v = _fdot(dev, dev) / W
    else:
        W, Sx = float(w.sum()), _fdot(w, x)
        m = Sx / W
        dev = x - m
        v = _fdot(w * dev, dev) / W
    if not (m > 0 and v > 1.02 * m * m and math.isfinite(v)):
        return None
    a0 = min(max(2.0 * v / (v - m * m), 1.2), 50.0)
    lam0 = m * (a0 - 1.0)
    sums = block_sums(_lomax_kernel, (x, w), blk.size)
    memo: dict[str, Any] = {}

    def score(t: float) -> tuple[float, float]:
        lam = math.exp(t)
        L, A, P2 = memo["S"] = sums(lam)
        memo["t"] = t
        B = A - P2
        return W * A / L - W + A, W * (A * A - B * L) / (L * L) - B

    with np.errstate(all="ignore"):
        t, it, ok = newton_1d(score, math.log(lam0), tol=1e-7, maxiter=50)
    if not ok or memo.get("t") != t:
        return None
    lam = math.exp(t)
    L, A, P2 = memo["S"]
    B = A - P2
    a = W / L
    ll = W * (math.log(a) - math.log(lam)) - (a + 1.0) * L
    ll_exp = W * (math.log(W / Sx) - 1.0)      # the exponential limit (shape, scale -> inf)
    if not (math.isfinite(ll) and ll > ll_exp) or _far(lam0, lam):
        return None
    g = (W / a - L, (-W + (a + 1.0) * A) / lam)
    hal = A / lam
    hll = (W - (a + 1.0) * (A + B)) / (lam * lam)
    return _finish({"shape": a, "scale": lam}, "profile-newton", it, ll, g,
                   [[-W / (a * a), hal], [hal, hll]])
