"""Vectorised per-group shortcuts for grouped fits: starting values, closed forms on
per-group sufficient statistics, and a profile iteration for Weibull.

Every function here returns per-group natural parameters ``(G, k)`` (NaN rows where the
shortcut does not apply, so those groups take the generic batched Newton). They mirror the
families' scalar ``_start`` / ``_closed_form`` code; the tests check grouped fits against
separate fits for every family.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from ..._core.engine import _get_pool, get_threads, in_callers_errstate
from .layout import Layout, Piece

__all__ = ["vector_starts", "closed_form", "weibull_profile", "STARTS", "CLOSED"]

F = NDArray[np.float64]
_EULER = 0.5772156649015329


def _values(p: Piece) -> Any:
    """The point of each row used for starting values (interval midpoints)."""
    b = p.blk
    if p.kind != "interval":
        return b.x
    lo, hi = b.x, b.hi
    return np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi), np.where(np.isfinite(lo), lo, hi))


class _Moments:
    """Per-group weighted moments of the start points (all censoring kinds), computed on
    first use."""

    def __init__(self, lay: Layout) -> None:
        self.lay = lay

    def _sum(self, fn: Any) -> F:
        with np.errstate(all="ignore"):
            return self.lay.group_sums(fn)

    @cached_property
    def W(self) -> F:
        return self._sum(lambda p: 1.0)

    @cached_property
    def m(self) -> F:
        return self._sum(_values) / self.W

    @cached_property
    def var(self) -> F:
        return self._sum(lambda p: (_values(p) - p.per_row(self.m)) ** 2) / self.W

    @property
    def sd(self) -> F:
        return np.sqrt(self.var)

    def _logv(self, p: Piece) -> Any:
        v = _values(p)
        with np.errstate(all="ignore"):
            if p.kind == "exact":
                return _logx(p.blk)
            return np.log(np.where(v > 0, v, np.nan))

    def _log_sums(self, fn: Any) -> F:
        """Per-group sums of ``fn(piece, log v)`` over the points with ``v > 0`` (a plain sum
        for pieces where every point is positive)."""
        out = np.zeros(self.lay.n_groups)
        with np.errstate(all="ignore"):
            for p in self.lay.pieces:
                lv = self._logv(p)
                r = p.reduce(fn(p, lv))
                bad = ~np.isfinite(r)
                if bad.any():
                    ok = np.isfinite(lv)
                    r = p.reduce(np.where(ok, fn(p, np.where(ok, lv, 0.0)), 0.0))
                out[p.pos] += r
        return out

    @cached_property
    def _pos(self) -> tuple[F, F]:
        cnt = self._log_sums(lambda p, lv: np.isfinite(lv).astype(float))
        s = self._log_sums(lambda p, lv: lv)
        return cnt, s

    @cached_property
    def lm(self) -> F:
        cnt, s = self._pos
        return s / cnt

    @cached_property
    def ls(self) -> F:
        cnt, _ = self._pos
        return np.sqrt(self._log_sums(lambda p, lv: (lv - p.per_row(self.lm)) ** 2) / cnt)

    def mean_of(self, fn: Any) -> F:
        return self._sum(lambda p: fn(_values(p))) / self.W


def _minka(s: F) -> F:
    with np.errstate(all="ignore"):
        return (3.0 - s + np.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)


def _s_normal(M: _Moments) -> list[F]:
    return [M.m, M.sd]


def _s_lognormal(M: _Moments) -> list[F]:
    return [M.lm, M.ls]


def _s_exponential(M: _Moments) -> list[F]:
    return [1.0 / M.m]


def _s_gamma(M: _Moments) -> list[F]:
    k = _minka(np.log(M.m) - M.lm)
    return [k, M.m / k]


def _s_weibull(M: _Moments) -> list[F]:
    lm, ls = _quick_log_moments(M.lay)
    if lm is None:
        lm, ls = M.lm, M.ls
    k = math.pi / (math.sqrt(6) * ls)
    return [k, np.exp(lm + _EULER / k)]


def _quick_log_moments(lay: Layout) -> tuple[Any, Any]:
    """Mean and SD of ``log x`` per group in one pass (sum and sum of squares) when every row
    is exact and positive — a start value only; else ``(None, None)``."""
    if any(p.kind != "exact" for p in lay.pieces):
        return None, None
    n, s1, s2 = (np.zeros(lay.n_groups) for _ in range(3))
    with np.errstate(all="ignore"):
        for p in lay.pieces:
            lx = _logx(p.blk)
            n[p.pos] += p.reduce(1.0)
            s1[p.pos] += p.reduce(lx)
            s2[p.pos] += p.reduce(lx * lx)
        if not np.isfinite(s1).all():
            return None, None
        m = s1 / n
        return m, np.sqrt(np.maximum(s2 / n - m * m, 0.0))


def _s_loglogistic(M: _Moments) -> list[F]:
    return [math.pi / (math.sqrt(3) * M.ls), np.exp(M.lm)]


def _s_rayleigh(M: _Moments) -> list[F]:
    return [np.sqrt(M.mean_of(lambda v: v * v) / 2.0)]


def _s_invgauss(M: _Moments) -> list[F]:
    q = M.mean_of(lambda v: 1.0 / v) - 1.0 / M.m
    return [M.m, np.where(q > 0, 1.0 / q, M.m)]


def _s_lomax(M: _Moments) -> list[F]:
    m, v = M.m, M.var
    a = np.where(v > m * m * 1.05, 2.0 * v / (v - m * m), 20.0)
    a = np.clip(a, 1.2, 50.0)
    return [a, np.where(a > 1, m * (a - 1.0), m)]


def _s_logistic(M: _Moments) -> list[F]:
    return [M.m, M.sd * math.sqrt(3) / math.pi]


def _s_gumbel(M: _Moments) -> list[F]:
    s = M.sd * math.sqrt(6) / math.pi
    return [M.m - _EULER * s, s]


def _s_gev(M: _Moments) -> list[F]:
    return [*_s_gumbel(M), 0.0 * M.m]        # the Gumbel: inside the support for any data


def _s_laplace(M: _Moments) -> list[F]:
    return [M.m, M.sd / math.sqrt(2)]


def _s_student_t(M: _Moments) -> list[F]:
    m4 = M.lay.group_sums(lambda p: (_values(p) - p.per_row(M.m)) ** 4) / M.W
    kurt = m4 / M.var**2 - 3.0
    nu = np.clip(np.where(kurt > 0.1, 4.0 + 6.0 / kurt, 30.0), 1.0, 100.0)
    scale = np.where(nu > 2, M.sd * np.sqrt(np.maximum(nu - 2, 0) / nu), M.sd)
    return [M.m, scale, nu]


def _s_beta(M: _Moments) -> list[F]:
    m, v = M.m, M.var
    ok = (v > 0) & (v < m * (1 - m))
    c = m * (1 - m) / v - 1.0
    return [np.where(ok, m * c, 1.0), np.where(ok, (1 - m) * c, 1.0)]


def _s_poisson(M: _Moments) -> list[F]:
    return [np.maximum(M.m, 0.5)]


def _s_bernoulli(M: _Moments) -> list[F]:
    return [np.clip(M.m, 0.01, 0.99)]


def _s_geometric(M: _Moments) -> list[F]:
    return [np.clip(1.0 / (1.0 + M.m), 0.01, 0.99)]


def _s_negbin(M: _Moments) -> list[F]:
    m = np.maximum(M.m, 0.1)
    v = M.lay.group_sums(lambda p: (_values(p) - p.per_row(m)) ** 2) / M.W
    r = np.where(v > m * 1.01, m * m / (v - m), 100.0 * m)
    return [m, np.clip(r, 1e-3, 1e6)]


STARTS: dict[str, Any] = {
    "normal": _s_normal, "lognormal": _s_lognormal, "exponential": _s_exponential,
    "gamma": _s_gamma, "weibull": _s_weibull, "loglogistic": _s_loglogistic,
    "rayleigh": _s_rayleigh, "inverse_gaussian": _s_invgauss, "lomax": _s_lomax,
    "logistic": _s_logistic, "gumbel": _s_gumbel, "laplace": _s_laplace,
    "gev": _s_gev, "genpareto": lambda M: [M.m, 0.0 * M.m],
    "student_t": _s_student_t, "beta": _s_beta, "poisson": _s_poisson,
    "bernoulli": _s_bernoulli, "geometric": _s_geometric, "negative_binomial": _s_negbin,
}


def vector_starts(name: str, lay: Layout) -> F | None:
    """Per-group starting values ``(G, k)`` for a built-in family, or None."""
    fn = STARTS.get(name)
    if fn is None:
        return None
    with np.errstate(all="ignore"):
        cols = fn(_Moments(lay))
    return np.column_stack([np.broadcast_to(np.asarray(c, float), (lay.n_groups,)) for c in cols])


# ---------------------------------------------------------------------------- closed forms
def _sums(lay: Layout, fn: Any, kinds: tuple[str, ...] = ("exact",)) -> F:
    return lay.group_sums(lambda p: fn(p.blk), kinds)


def _trigamma(x: F) -> F:
    """Trigamma from ``psi1(x) = sum_{j<8} 1/(x+j)^2 + psi1(x+8)`` and the asymptotic series
    at ``x + 8`` (relative error below 1e-11): only Newton's slope uses it, so the root
    itself is as exact as ``digamma``."""
    x = np.asarray(x, dtype=float)
    acc = np.zeros_like(x)
    for j in range(8):
        acc += 1.0 / (x + j) ** 2
    y = x + 8.0
    r = 1.0 / (y * y)
    series = (1.0 / y) * (1.0 + 0.5 / y + r * (1.0 / 6 - r * (1.0 / 30 - r * (1.0 / 42 - r * (
        1.0 / 30 - r * 5.0 / 66)))))
    return acc + series


def _gamma_shape(s: F) -> F:
    """Solve ``log k - digamma(k) = s`` per group by Newton from Minka's start (groups leave
    the iteration as their step falls to rounding level)."""
    k = _minka(s)
    act = np.flatnonzero(np.isfinite(k))
    prev = np.full(k.size, np.inf)
    for _ in range(50):
        if act.size == 0:
            break
        ka = k[act]
        f = np.log(ka) - digamma(ka) - s[act]
        fp = 1.0 / ka - _trigamma(ka)
        kn = ka - f / fp
        kn = np.where(kn <= 0, ka / 2, kn)
        k[act] = kn
        step = np.abs(kn - ka)
        # done at rounding level: a tiny step, or one that stopped shrinking (noise in f)
        keep = (step > 1e-15 * ka) & (step < 0.5 * prev[act]) & np.isfinite(kn)
        prev[act] = step
        act = act[keep]
    return k


def _logx(b: Any) -> Any:
    return b.cached("log_x", lambda: np.log(b.x))


def closed_form(fam: Any, lay: Layout) -> F | None:
    """Closed-form estimates per group for all-exact (exponential: exact or right-censored),
    untruncated data with no fixed parameters; None for families without one."""
    name = fam.name
    W = _sums(lay, lambda b: 1.0)
    with np.errstate(all="ignore"):
        if name in ("normal", "lognormal"):
            f = (lambda b: b.x) if name == "normal" else _logx
            mu = _sums(lay, f) / W
            ss = lay.group_sums(lambda p: (f(p.blk) - p.per_row(mu)) ** 2, ("exact",))
            cols = [mu, np.sqrt(ss / W)]
        elif name == "exponential":
            expo = _sums(lay, lambda b: b.x, ("exact", "right"))
            cols = [np.where(W > 0, W / expo, np.nan)]
        elif name == "gamma":
            sx, sl = _sums(lay, lambda b: b.x) / W, _sums(lay, _logx) / W
            s = np.log(sx) - sl
            k = np.where(s > 0, _gamma_shape(np.where(s > 0, s, 1.0)), np.nan)
            cols = [k, sx / k]
        elif name in ("poisson", "bernoulli"):
            cols = [_sums(lay, lambda b: b.x) / W]
        elif name == "geometric":
            sx = _sums(lay, lambda b: b.x)
            cols = [W / (W + sx)]
        elif name == "binomial":
            sn = _sums(lay, lambda b: fam._trials(b))
            cols = [_sums(lay, lambda b: b.x) / sn]
        elif name == "rayleigh":
            cols = [np.sqrt(_sums(lay, lambda b: b.x * b.x) / (2.0 * W))]
        elif name == "inverse_gaussian":
            sx, si = _sums(lay, lambda b: b.x), _sums(lay, lambda b: 1.0 / b.x)
            mu = sx / W
            q = si - 2.0 * W / mu + sx / mu**2
            cols = [mu, np.where(q > 0, W / q, np.nan)]
        else:
            return None
    TH = np.column_stack(cols)
    TH[~np.isfinite(TH).all(axis=1)] = np.nan
    return TH


CLOSED = ("normal", "lognormal", "exponential", "gamma", "poisson", "bernoulli", "geometric",
          "binomial", "rayleigh", "inverse_gaussian")


# ---------------------------------------------------------------------------- Weibull
def _profile_sums(lay: Layout, k: F, dtype: Any, order: int) -> list[F]:
    """``S_j = sum over exact and right-censored rows of w exp(k v) v^j``, ``j = 0..order``,
    per group (``v`` is ``log x`` minus the group's largest ``log x``, so ``exp(k v) <= 1``)."""
    pieces = [p for p in lay.pieces if p.kind in ("exact", "right")]

    def one(p: Piece) -> list[Any]:
        v = p.blk._cache["v" if dtype == np.float64 else "v32"]
        with np.errstate(under="ignore"):
            z = np.exp(p.per_row(k.astype(dtype)) * v)
        out = [p.reduce(z)]
        for _ in range(order):
            z = z * v
            out.append(p.reduce(z))
        return [np.asarray(a, dtype=np.float64) for a in out]

    if get_threads() > 1 and len(pieces) > 1:
        parts = list(_get_pool().map(in_callers_errstate(one), pieces))
    else:
        parts = [one(p) for p in pieces]
    S = [np.zeros(lay.n_groups) for _ in range(order + 1)]
    for p, r in zip(pieces, parts):
        for j in range(order + 1):
            S[j][p.pos] += r[j]
    return S


def _derivs(S: list[F], k: F, d: F, Lc: F) -> tuple[F, F, F]:
    """The profile's first three derivatives in ``k`` from the sums (cumulants of ``v``)."""
    r1, r2 = S[1] / S[0], S[2] / S[0]
    g = d / k - d * r1 + Lc
    h = -d / k**2 - d * (r2 - r1 * r1)
    if len(S) > 3:
        r3 = S[3] / S[0]
        t = 2 * d / k**3 - d * (r3 - 3 * r1 * r2 + 2 * r1**3)
    else:
        t = np.zeros_like(g)
    return g, h, t


def weibull_profile(lay: Layout, k0: F, maxiter: int = 100, tol: float = 1e-12
                    ) -> tuple[F, F, F, F, F, NDArray[np.intp], NDArray[np.bool_]]:
    """Weibull on exact and right-censored rows by iterating on the profile log-likelihood
    in the shape ``k`` (the scale has the closed form ``scale^k = sum(w x^k) / d``).

    ``l_p(k) = d log k - d log(S0/d) + (k - 1) L - d`` with ``S_j = sum w x^k (log x)^j``,
    ``d`` the (weighted) number of exact rows and ``L`` the sum of their ``log x``. The
    profile is concave in ``k``; steps are kept inside a bracket that shrinks with the sign
    of the slope. Each pass costs one ``exp`` per row:

    1. float32 Halley steps (``exp`` is several times faster; cubic convergence) to a
       decrement of 1e-9;
    2. float64 Newton to the decrement 1e-12 every fit uses. A final step with
       ``|step * v| <= 1e-5`` updates the sums by their Taylor series (error ~1e-16) instead
       of another pass, and the decrement is checked there.

    Returns shape, scale, loglik, gradient and Hessian (natural scale), iterations and
    convergence.
    """
    G = lay.n_groups
    d = lay.group_sums(lambda p: 1.0, ("exact",))
    c = np.fmax(lay.group_extreme("exact", "max"), lay.group_extreme("right", "max"))
    lo_x = np.fmin(lay.group_extreme("exact", "min"), lay.group_extreme("right", "min"))
    lc = np.log(c)
    with np.errstate(divide="ignore"):
        vrange = lc - np.log(lo_x)                     # max |v| per group
    L = lay.group_sums(lambda p: _logx(p.blk), ("exact",))
    Lc = L - d * lc                      # sum over exact rows of v = log x - log c (<= 0)
    for p in lay.pieces:
        if p.kind in ("exact", "right"):
            v = p.blk.cached("v", lambda p=p: _logx(p.blk) - p.per_row(lc))
            p.blk._cache["v32"] = v.astype(np.float32)

    k = k0.copy()
    lo, hi = np.zeros(G), np.full(G, np.inf)
    it = np.zeros(G, dtype=np.intp)
    conv = np.zeros(G, dtype=bool)
    S = [np.full(G, np.nan) for _ in range(3)]
    ok0 = np.isfinite(k) & (k > 0) & (d > 0)
    with np.errstate(all="ignore"):
        for dtype, tol_p in ((np.float32, 1e-9), (np.float64, tol)):
            final = dtype == np.float64
            act = np.flatnonzero(ok0 & ~conv)
            lay_a, idx_a = lay, lay.groups
            for _ in range(maxiter + 1):
                if act.size == 0:
                    break
                if act.size <= idx_a.size // 2:
                    lay_a = lay_a.restrict(np.searchsorted(idx_a, act))
                    idx_a = act
                Sa = _profile_sums(lay_a, k[idx_a], dtype, 4 if final else 3)
                if idx_a.size != act.size:
                    pos = np.searchsorted(idx_a, act)
                    Sa = [x[pos] for x in Sa]
                ka, da, Lca = k[act], d[act], Lc[act]
                g, h, t = _derivs(Sa, ka, da, Lca)
                done = (g * g / -h <= tol_p) & (h < 0)
                if final:
                    for j in range(3):
                        S[j][act] = Sa[j]
                    conv[act[done]] = True
                stop = done | (it[act] >= maxiter) | ~np.isfinite(g)
                # the next point: Halley (float32) or Newton (float64), kept in the bracket
                lo[act] = np.where(g > 0, ka, lo[act])
                hi[act] = np.where(g > 0, hi[act], ka)
                step = -g / h if final else -2 * g * h / (2 * h * h - g * t)
                kn = ka + step
                outside = ~((kn > lo[act]) & (kn < hi[act]))
                bis = np.where(np.isfinite(hi[act]), np.sqrt(np.maximum(lo[act], hi[act] * 1e-3)
                                                             * hi[act]), ka * 4)
                kn = np.where(outside, bis, kn)
                if final:       # a tiny last step: Taylor-update the sums, no further pass
                    dk = kn - ka
                    tiny = ~stop & ~outside & (np.abs(dk) * vrange[act] <= 1e-5)
                    if tiny.any():
                        e = dk[tiny]
                        T = [Sa[j][tiny] + e * Sa[j + 1][tiny] + 0.5 * e * e * Sa[j + 2][tiny]
                             for j in range(3)]
                        g2, h2, _ = _derivs(T, kn[tiny], da[tiny], Lca[tiny])
                        ok2 = (g2 * g2 / -h2 <= tol_p) & (h2 < 0)
                        a2 = act[tiny][ok2]
                        for j in range(3):
                            S[j][a2] = T[j][ok2]
                        k[a2] = kn[tiny][ok2]
                        it[a2] += 1
                        conv[a2] = True
                        stop[np.flatnonzero(tiny)[ok2]] = True
                sel = ~stop
                a = act[sel]
                k[a] = kn[sel]
                it[a] += 1
                act = a
            lo[:] = 0.0
            hi[:] = np.inf
    S0, S1, S2 = S
    with np.errstate(all="ignore"):
        lam_k = S0 / d                             # (scale / c)^k
        lscale = lc + np.log(lam_k) / k
        scale = np.exp(lscale)
        # sums of z = (x/scale)^k, z u and z u^2 with u = log x - log scale = v - log(scale/c)
        a = lscale - lc
        Z0 = S0 / lam_k
        Z1 = (S1 - a * S0) / lam_k
        Z2 = (S2 - 2 * a * S1 + a * a * S0) / lam_k
        ll = d * (np.log(k) - lscale) + (k - 1.0) * (L - d * lscale) - Z0
        g = np.column_stack([d / k + (L - d * lscale) - Z1, (k / scale) * (Z0 - d)])
        H = np.empty((G, 2, 2))
        H[:, 0, 0] = -d / k**2 - Z2
        H[:, 0, 1] = H[:, 1, 0] = (Z0 + k * Z1 - d) / scale
        H[:, 1, 1] = -(k / scale**2) * ((k + 1.0) * Z0 - d)
    return k, scale, ll, g, H, it, conv
