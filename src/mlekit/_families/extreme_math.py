"""The arithmetic under the GEV and generalised Pareto families (:mod:`mlekit._families.extreme`):
``y = log1p(shape z) / shape`` and its derivatives (a power series near ``shape = 0``), the chain
rule to the parameters, probability-weighted moments and starting points inside the support."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.convert import fdot
from .._data.data import Data
from .base import Derivs

if TYPE_CHECKING:
    pass


Theta = tuple[Any, ...]
_EULER = 0.5772156649015329
_SERIES_AT = 0.1      # |shape z| below this: power series (26 terms: error < 1e-27)
_TERMS = 26


# ---------------------------------------------------------------------------- y(z, shape)
def _series(z: Any, xi: Any, order: int) -> tuple[Any, Any, Any]:
    """``y = z P(u)``, ``P(u) = sum_{k>=1} (-u)^{k-1} / k`` (``u = xi z``), and its first two
    ``xi`` derivatives ``z^2 P'(u)``, ``z^3 P''(u)`` by Horner (used for ``|u| < 0.1``)."""
    u = xi * z
    umax = float(np.max(np.abs(u))) if u.size else 0.0
    # terms for a truncation error below 1e-19 (relative) at the largest |u|
    n_terms = _TERMS if umax >= _SERIES_AT else (
        4 if umax < 1e-19 else min(_TERMS, 4 + math.ceil(-19.0 / math.log10(umax))))
    coef = [(-1.0) ** (k - 1) / k for k in range(1, n_terms + 1)]
    p = np.full_like(u, coef[n_terms - 1])
    for k in range(n_terms - 1, 0, -1):
        p = p * u + coef[k - 1]
    y = z * p
    if order < 1:
        return y, None, None
    p1 = np.full_like(u, coef[n_terms - 1] * (n_terms - 1))
    for k in range(n_terms - 1, 1, -1):
        p1 = p1 * u + coef[k - 1] * (k - 1)
    z2 = z * z
    if order < 2:
        return y, z2 * p1, None
    p2 = np.full_like(u, coef[n_terms - 1] * (n_terms - 1) * (n_terms - 2))
    for k in range(n_terms - 1, 2, -1):
        p2 = p2 * u + coef[k - 1] * (k - 1) * (k - 2)
    return y, z2 * p1, z2 * z * p2


class _Y:
    """``y(z, xi) = log1p(xi z) / xi`` with its ``xi`` derivatives, where ``t = 1 + xi z > 0``
    (``inside``); outside, ``y`` is ``+inf`` above an upper end point and ``-inf`` below a lower
    one (its derivatives are then 0)."""

    __slots__ = ("all_inside", "inside", "t", "xi", "y", "y_xi", "y_xixi", "z")

    def __init__(self, z: Any, xi: Any, order: int) -> None:
        z = np.asarray(z, dtype=float)
        xi = np.asarray(xi, dtype=float)
        u = xi * z
        t = 1.0 + u
        inside = t > 0
        all_inside = bool(np.all(inside))
        ts = t if all_inside else np.where(inside, t, 1.0)
        small = np.abs(u) < _SERIES_AT
        any_small = bool(np.any(small))
        xs = np.where(small, 1.0, xi) if any_small else xi   # no 0/0 in the closed forms
        y = np.log(ts) / xs
        y_xi: Any = None
        y_xixi: Any = None
        if order >= 1:
            y_xi = (z / ts - y) / xs
        if order >= 2:
            y_xixi = (-(z * z) / (ts * ts) - 2.0 * y_xi) / xs
        if any_small:
            zb, xb = np.broadcast_arrays(z, xi)
            sm = np.broadcast_to(small, zb.shape)
            sy, sy1, sy2 = _series(zb[sm], xb[sm], order)
            y = _put(y, sm, sy)
            if order >= 1:
                y_xi = _put(y_xi, sm, sy1)
            if order >= 2:
                y_xixi = _put(y_xixi, sm, sy2)
        if not all_inside:
            y = np.where(inside, y, np.where(z > 0, np.inf, -np.inf))
            if order >= 1:
                y_xi = np.where(inside, y_xi, 0.0)
            if order >= 2:
                y_xixi = np.where(inside, y_xixi, 0.0)
        self.z, self.xi, self.t, self.inside, self.all_inside = z, xi, ts, inside, all_inside
        self.y, self.y_xi, self.y_xixi = y, y_xi, y_xixi


def _put(a: Any, mask: Any, vals: Any) -> Any:
    out = np.array(np.broadcast_to(a, mask.shape), dtype=float)
    out[mask] = vals
    return out


def _expm1_over(b: Any, xi: Any) -> Any:
    """``expm1(xi b) / xi`` (``b`` at ``xi = 0``): the inverse of ``y(z, xi)``."""
    b = np.asarray(b, dtype=float)
    xi = np.asarray(xi, dtype=float)
    zero = xi == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.expm1(xi * b) / np.where(zero, 1.0, xi)
    return np.where(zero, b, out)


def _chain(V: Any, V_y: Any, V_yy: Any, Y: _Y, s: Any, loc: bool, density: bool) -> Derivs:
    """Derivatives of ``V(y)`` (plus, for a density, ``-(1 + xi) y - log s``) in
    ``theta = ([loc,] scale, shape)``, by the chain rule through ``z = (x - loc)/scale`` and
    ``y(z, xi)``. ``V_y``, ``V_yy``: derivatives of the log-density/cdf/sf in ``y`` (for a
    density including the ``-(1 + xi)`` of the explicit term)."""
    z, t, xi = Y.z, Y.t, Y.xi
    inv_s = 1.0 / s
    inv_t = 1.0 / t
    zero = 0.0 * z
    dz: list[Any] = ([-inv_s + zero] if loc else []) + [-z * inv_s]
    n = len(dz)
    yzz = -xi * inv_t * inv_t
    yd = [inv_t * d for d in dz] + [Y.y_xi]
    ydd: list[list[Any]] = [[zero] * (n + 1) for _ in range(n + 1)]
    for a in range(n):
        for b in range(a, n):
            if loc and b == 0:
                zab: Any = 0.0
            elif loc and a == 0:
                zab = inv_s * inv_s
            else:
                zab = 2.0 * z * inv_s * inv_s
            ydd[a][b] = ydd[b][a] = yzz * dz[a] * dz[b] + inv_t * zab
        ydd[a][n] = ydd[n][a] = -z * inv_t * inv_t * dz[a]
    ydd[n][n] = Y.y_xixi
    with np.errstate(invalid="ignore", over="ignore"):   # at an edge (F = 0): -inf, nan
        grad = [V_y * yd[i] for i in range(n + 1)]
        vyd = [V_yy * yd[i] for i in range(n + 1)]
        hess: list[list[Any]] = [[None] * (n + 1) for _ in range(n + 1)]
        for i in range(n + 1):
            for j in range(i, n + 1):
                hess[i][j] = hess[j][i] = vyd[i] * yd[j] + V_y * ydd[i][j]
    if density:
        grad[n] = grad[n] - Y.y
        for i in range(n + 1):
            hess[i][n] = hess[i][n] - yd[i]
            hess[n][i] = hess[n][i] - yd[i]
        grad[n - 1] = grad[n - 1] - inv_s
        hess[n - 1][n - 1] = hess[n - 1][n - 1] + inv_s * inv_s
    if not Y.all_inside:
        ins = Y.inside
        grad = [np.where(ins, g, 0.0) for g in grad]
        hess = [[np.where(ins, h, 0.0) for h in row] for row in hess]
    return V, grad, hess


def _pwm(x: np.ndarray, w: np.ndarray | None) -> tuple[float, float, float]:
    """Probability-weighted moments ``b0, b1, b2`` (unbiased; plotting positions with
    weights)."""
    n = x.size
    if w is None:
        xs = np.sort(x)
        i = np.arange(n, dtype=float)
        b0 = float(xs.mean())
        ix = i * xs
        b1 = float(ix.sum()) / max(n - 1, 1) / n
        b2 = (float(fdot(i, ix)) - float(ix.sum())) / max((n - 1) * (n - 2), 1) / n
        return b0, b1, b2
    o = np.argsort(x)
    xs = x[o]
    ws = w[o]
    W = float(ws.sum())
    p = (np.cumsum(ws) - 0.5 * ws) / W
    wx = ws * xs
    return (float(wx.sum()) / W, float(fdot(p, wx)) / W, float(fdot(p * p, wx)) / W)


def _data_range(data: Data) -> tuple[float, float]:
    """The smallest and largest finite value or censoring bound in ``data``."""
    lo, hi = math.inf, -math.inf
    for b in data.blocks.values():
        if not b.size:
            continue
        for arr in (b.x, b.hi):
            if arr is None:
                continue
            fin = arr[np.isfinite(arr)]
            if fin.size:
                lo, hi = min(lo, float(fin.min())), max(hi, float(fin.max()))
    return lo, hi


def _inside_start(xmin: float, xmax: float, loc: float, s: float, xi: float) -> float:
    """Shrink ``xi`` towards 0 until every value lies inside the support (0 always does)."""
    for _ in range(60):
        if xi == 0.0:
            return 0.0
        end = loc - s / xi
        if (xi > 0 and end < xmin - 1e-3 * s) or (xi < 0 and end > xmax + 1e-3 * s):
            return xi
        xi *= 0.5
        if abs(xi) < 1e-4:
            return 0.0
    return 0.0


class _RunawayError(Exception):
    """The fast Newton reached shape = -1 (the likelihood is unbounded beyond)."""


_CLOSED_XI = 1e-3     # |shape| from which the fused GEV sums use the closed forms


def gev_exact_sums(x: np.ndarray, w: np.ndarray | None, m: float, s: float,
                   xi: float) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Fused ``(loglik, grad, hess)`` of the GEV over exact values in ``(loc, scale, shape)``:
    one pass of array arithmetic with the common subexpressions ``z``, ``q = 1/t``,
    ``y = log1p(shape z)/shape``, ``e = exp(-y)`` shared, and the sums taken as dot products
    (no per-observation 3 x 3 arrays). ``y``'s shape derivatives come from the closed forms for
    ``|shape| >= 1e-3`` and from the power series (every value) below. None when a value lies
    outside the support or the series would not converge fast (the general path decides)."""
    z = (x - m) * (1.0 / s)
    u = xi * z
    t = 1.0 + u
    if not float(np.minimum.reduce(t)) > 0.0:
        return None
    q = 1.0 / t
    zq = z * q
    if abs(xi) >= _CLOSED_XI:
        y = np.log1p(u) / xi
        yx = (zq - y) / xi
        yxx = (-(zq * zq) - 2.0 * yx) / xi
    else:
        if float(np.maximum.reduce(np.abs(u))) >= _SERIES_AT:
            return None
        y, yx, yxx = _series(z, np.float64(xi), 2)
    e = np.exp(-y)
    A = e - (1.0 + xi)
    if w is None:
        W = float(x.size)

        def S(a: np.ndarray) -> float:
            return float(a.sum())

        def D(a: np.ndarray, b: np.ndarray) -> float:
            return float(fdot(a, b))
    else:
        W = float(w.sum())

        def S(a: np.ndarray) -> float:
            return float(fdot(w, a))

        def D(a: np.ndarray, b: np.ndarray) -> float:
            return float(fdot(w * a, b))
    Sy, Se = S(y), S(e)
    ll = -W * math.log(s) - (1.0 + xi) * Sy - Se
    if not math.isfinite(ll):
        return None
    q2 = q * q
    eq = e * q
    ezq = eq * z
    Azq = A * zq
    Sq, Szq, Syx = S(q), S(zq), S(yx)
    inv_s = 1.0 / s
    g = np.array([-inv_s * D(A, q), -inv_s * (W + S(Azq)), D(A, yx) - Sy])
    H = np.empty((3, 3))
    H[0, 0] = (1.0 + xi) * inv_s * inv_s * (xi * S(q2) - D(e, q2))
    H[0, 1] = inv_s * inv_s * (D(A, q2) - D(ezq, q))
    H[1, 1] = inv_s * inv_s * (W - D(ezq, zq) + S(Azq) + D(Azq, q))
    H[0, 2] = inv_s * (D(eq, yx) + D(Azq, q) + Sq)
    H[1, 2] = inv_s * (D(ezq, yx) + D(Azq, zq) + Szq)
    H[2, 2] = -D(e * yx, yx) + D(A, yxx) - 2.0 * Syx
    H[1, 0], H[2, 0], H[2, 1] = H[0, 1], H[0, 2], H[1, 2]
    return ll, g, H
