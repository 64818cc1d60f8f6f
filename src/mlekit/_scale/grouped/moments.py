"""Per-group shortcuts for grouped fits, through the families' own hooks: closed forms on
per-group ``Stats`` (the family's ``_suffstats`` over a ``GroupData``), the family's profile
Newton batched over groups, and moment-based starting values.

Every function here returns per-group natural parameters (NaN rows where the shortcut does
not apply, so those groups take the generic batched Newton); the tests check grouped fits
against separate fits for every family.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._core.engine import _get_pool, get_threads, in_callers_errstate
from ..._data.data import Block
from ..._families.base import Family
from ..._families.profiles import Profile, solve_groups
from ..._families.stats import EULER as _EULER
from ..._families.stats import GroupData
from .layout import Layout, Piece

__all__ = ["vector_starts", "group_closed_form", "profile_groups", "STARTS"]

F = NDArray[np.float64]


def _logx(b: Any) -> Any:
    return b.cached("log_x", lambda: np.log(b.x))


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


# ---------------------------------------------------------------------------- families' hooks
def group_closed_form(fam: Family, blocks: dict[str, tuple[Block, NDArray[np.intp]]], G: int,
                      trunc: Any, fixed: dict[str, Any]) -> F | None:
    """The family's own ``_closed_form`` on its own ``_suffstats`` of every group (one value
    per group; NaN rows: no closed form there), or None when it has none for these data."""
    gd = GroupData(blocks, G, trunc)
    if not (fam._overrides("_closed_form") and fam._can_closed_form(gd)):  # type: ignore[arg-type]
        return None
    with np.errstate(all="ignore"):
        stats = fam._suffstats(gd)  # type: ignore[arg-type]
        cf = None if stats is None else fam._closed_form(stats, fixed)
    if cf is None:
        return None
    TH = np.column_stack([np.broadcast_to(np.asarray(cf[p], dtype=float), (G,))
                          for p in fam.param_names])
    TH[~np.isfinite(TH).all(axis=1)] = np.nan
    return TH


def _piece_extreme(p: Piece, arr: Any, which: str) -> Any:
    if p.dense:
        return arr.min(axis=0) if which == "min" else arr.max(axis=0)
    return (np.minimum if which == "min" else np.maximum).reduceat(arr, p.starts)


def profile_groups(prof: Profile, lay: Layout, k_mask: NDArray[np.bool_], maxiter: int
                   ) -> tuple[list[F], F, F, F, NDArray[np.intp], NDArray[np.bool_], list[F]]:
    """A family's profile Newton (:mod:`mlekit._families.profiles`) for every group where
    ``k_mask``, batched: per-group statistics here, the iteration in ``solve_groups``.

    Returns the natural parameters (one array each), log-likelihood, gradient ``(G, 2)``,
    Hessian ``(G, 2, 2)``, iterations, convergence and the start values."""
    G = lay.n_groups
    pieces = [p for p in lay.pieces if p.kind in prof.kinds]
    d, L, Wu = np.zeros(G), np.zeros(G), np.zeros(G)
    c, umin = np.full(G, -np.inf), np.full(G, np.inf)
    with np.errstate(all="ignore"):
        for p in pieces:
            u = prof._u(p.blk)
            if p.kind == "exact":
                d[p.pos] += p.reduce(1.0)
                L[p.pos] += p.reduce(u)
            Wu[p.pos] += p.reduce(1.0)
            c[p.pos] = np.fmax(c[p.pos], _piece_extreme(p, u, "max"))
            umin[p.pos] = np.fmin(umin[p.pos], _piece_extreme(p, u, "min"))
        m = L / d
        Q = np.zeros(G)
        for p in pieces:
            Q[p.pos] += p.reduce((prof._u(p.blk) - p.per_row(m)) ** 2)
        s = np.sqrt(np.maximum(Q / Wu, 1e-300))
        k0 = np.where(k_mask & (d > 0) & np.isfinite(L), np.pi / (np.sqrt(6) * s), np.nan)
        for p in pieces:
            v = p.blk.cached("profile_v", lambda p=p: prof._u(p.blk) - p.per_row(c))
            p.blk._cache["profile_v32"] = v.astype(np.float32)
    state = {"lay": lay, "idx": lay.groups}

    def sums(act: NDArray[np.intp], k: F, dtype: Any, order: int) -> list[F]:
        lay_a, idx_a = state["lay"], state["idx"]
        pos = np.searchsorted(idx_a, act)
        if pos.size and (pos[-1] >= idx_a.size or not np.array_equal(idx_a[pos], act)):
            lay_a, idx_a = lay, lay.groups          # a new phase: back to every group
        if act.size <= idx_a.size // 2:
            lay_a = lay_a.restrict(np.searchsorted(idx_a, act))
            idx_a = act
            state.update(lay=lay_a, idx=idx_a)
        if idx_a.size != act.size:
            kk = np.full(idx_a.size, np.nan)
            pos = np.searchsorted(idx_a, act)
            kk[pos] = k
            return [x[pos] for x in _profile_sums(prof, lay_a, kk, dtype, order)]
        return _profile_sums(prof, lay_a, k, dtype, order)

    k, S, it, conv = solve_groups(sums, k0, d, L - d * c, c - umin, maxiter)
    with np.errstate(all="ignore"):
        params, ll, g, H = prof.finish(k, S, d, L, c)
        start = prof.start_params(k0, m + 0.0 * k0)
    grad = np.column_stack(g)
    Hm = np.empty((G, 2, 2))
    for i in range(2):
        for j in range(2):
            Hm[:, i, j] = H[i][j]
    return params, ll, grad, Hm, it, conv, start


def _profile_sums(prof: Profile, lay: Layout, k: F, dtype: Any, order: int) -> list[F]:
    """``S_j = sum over the profile rows of w exp(k v) v^j``, ``j = 0..order``, per group
    (``v`` is ``u`` minus the group's largest ``u``, so ``exp(k v) <= 1``)."""
    pieces = [p for p in lay.pieces if p.kind in prof.kinds]

    def one(p: Piece) -> list[Any]:
        v = p.blk._cache["profile_v" if dtype == np.float64 else "profile_v32"]
        with np.errstate(under="ignore", invalid="ignore"):
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
